package ui

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// badPorts are the ports browsers refuse to connect to, whatever the scheme
// (the Fetch standard's "bad ports", Chromium's restricted list): services
// such as SMTP, SSH or X11 that a page must not reach. A WebSocket to one of
// them fails at once with 1006 and no reason, so the console says so
// before trying.
var badPorts = map[int]bool{
	1: true, 7: true, 9: true, 11: true, 13: true, 15: true, 17: true, 19: true,
	20: true, 21: true, 22: true, 23: true, 25: true, 37: true, 42: true, 43: true,
	53: true, 69: true, 77: true, 79: true, 87: true, 95: true, 101: true, 102: true,
	103: true, 104: true, 109: true, 110: true, 111: true, 113: true, 115: true,
	117: true, 119: true, 123: true, 135: true, 137: true, 139: true, 143: true,
	161: true, 179: true, 389: true, 427: true, 465: true, 512: true, 513: true,
	514: true, 515: true, 526: true, 530: true, 531: true, 532: true, 540: true,
	548: true, 554: true, 556: true, 563: true, 587: true, 601: true, 636: true,
	989: true, 990: true, 993: true, 995: true, 1719: true, 1720: true, 1723: true,
	2049: true, 3659: true, 4045: true, 4190: true, 5060: true, 5061: true,
	6000: true, 6566: true, 6665: true, 6666: true, 6667: true, 6668: true,
	6669: true, 6679: true, 6697: true, 10080: true,
}

// blockedPort returns the explicit port of a WebSocket (or http) URL and
// whether browsers refuse to connect to it. A URL that does not parse is
// not blocked: wsclient says what is wrong with it.
func blockedPort(raw string) (int, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Port() == "" {
		return 0, false
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return 0, false
	}
	return port, badPorts[port]
}

// blockedPortText explains why the console does not try a blocked port.
func blockedPortText(port int) string {
	return "Browsers refuse to connect to port " + strconv.Itoa(port) +
		": it is on their list of ports kept for other services (mail, SSH, X11…), so nothing was tried. Run the server on another port."
}

// probeTimeout bounds each step of a probe.
const probeTimeout = 5 * time.Second

// probeResult is what a probe of a failed WebSocket URL found over HTTP.
type probeResult struct {
	// Status is the HTTP status of a plain GET of the URL's http(s) form,
	// when the page could read it (same origin, or CORS allows it); 0
	// otherwise.
	Status int
	// StatusText is the status line's text, if any.
	StatusText string
	// Opaque: the page could not read the answer (cross-origin, no CORS),
	// but a server answered.
	Opaque bool
	// FetchErr: no HTTP answer at all (network error: nothing listening,
	// DNS, TLS, a proxy); the browser's message, which says little.
	FetchErr string
	// RetriedWithout: the URL was tried again as a WebSocket offering no
	// subprotocol; OpenedWithout: that connection opened.
	RetriedWithout, OpenedWithout bool
}

// prober probes a URL whose connection failed while CONNECTING, offering
// protocols. The browser's probe fetches it (probe_wasm.go); natively there
// is none.
type prober func(ctx context.Context, wsURL string, protocols []string) probeResult

// httpForm returns the http(s):// form of a ws(s):// URL.
func httpForm(wsURL string) string {
	switch {
	case strings.HasPrefix(wsURL, "wss://"):
		return "https://" + wsURL[len("wss://"):]
	case strings.HasPrefix(wsURL, "ws://"):
		return "http://" + wsURL[len("ws://"):]
	}
	return wsURL
}

// devToolsHint points to where the browser keeps its own reason.
const devToolsHint = "DevTools → Network → WS shows the browser's own reason."

// explainFailure writes the one log line of a connection to wsURL that
// failed while CONNECTING (1006), from what the probe found; probed is
// false when no probe could run.
func explainFailure(wsURL string, protocols []string, r probeResult, probed bool) string {
	return "Could not connect to " + wsURL + ": " + failureReason(wsURL, protocols, r, probed)
}

func failureReason(wsURL string, protocols []string, r probeResult, probed bool) string {
	status := strconv.Itoa(r.Status)
	if r.StatusText != "" {
		status += " " + r.StatusText
	}
	offered := strings.Join(protocols, ", ")
	switch {
	case !probed:
		return "the browser gives no reason (close code 1006). " + devToolsHint
	case r.FetchErr != "":
		causes := "the server is down or unreachable (connection refused), the host name is not found (DNS)"
		if strings.HasPrefix(wsURL, "wss://") {
			causes += ", a TLS problem (a certificate the browser does not trust, or for another name)"
		}
		causes += ", or a proxy or firewall is in the way"
		return "nothing answers at that address: " + causes +
			". Check the URL and that the server runs; " + devToolsHint
	case r.Opaque:
		return "a server answers at that address, but it does not let this page read its answer (a cross-origin server without CORS), " +
			"so the reason cannot be told here: no WebSocket endpoint at that path, a handshake refused" +
			" (this page's origin, the subprotocols offered), or a proxy. " + devToolsHint
	case r.Status == 404:
		return "no WebSocket endpoint at that path (a plain request gets " + status + "). Check the path."
	case r.Status == 426 || r.Status == 400:
		if r.OpenedWithout {
			return "the server accepted no offered subprotocol (offered: " + offered +
				"); it opens a connection when none is offered. Offer a subprotocol it speaks, or none."
		}
		why := "the server may refuse this page's origin, limit connections, or reject the request"
		if len(protocols) > 0 {
			why = "the server may refuse the subprotocols offered (" + offered + "), this page's origin, or the request"
		}
		return "it is a WebSocket endpoint (a plain request gets " + status + "), but the handshake failed: " +
			why + ". The server's log says which; " + devToolsHint
	case r.Status == 401 || r.Status == 403:
		return "the server refuses the request (" + status + "): it may want credentials or refuse this page's origin. " + devToolsHint
	case r.Status == 429 || r.Status >= 500:
		return "the server answers " + status + ": it is overloaded, shutting down or limiting connections; try again later."
	case r.Status >= 200 && r.Status < 400:
		return "no WebSocket endpoint at that path: it answers plain HTTP there (" + status + "), not a WebSocket handshake. Check the path."
	default:
		return "the server answers " + status + " to a plain request there, and refused the handshake. " + devToolsHint
	}
}
