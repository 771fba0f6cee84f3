// Package strictcsp serves test pages under the strict Content Security
// Policy that wsclient must work under — scripts from the page's own origin
// and WebAssembly compilation, nothing else: no eval, no new Function, no
// inline script — and finds every violation of it in headless Chromium.
//
// A violation is seen two ways. The page's first script, WatchJS, reports
// each one to the console (the securitypolicyviolation event, registered on
// the document before any other script runs, and the Reporting API for the
// reports that are queued but not yet dispatched when the page finishes).
// DevTools reports each one as an issue too: that catches what happens
// before WatchJS runs, such as an inline script placed above it. The page
// keeps the exact policy header: a report-uri directive would change it, and
// would deliver reports later than the page's own.
package strictcsp

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// Policy is the Content-Security-Policy of the test pages: what Go's own
// wasm_exec.js needs, and no more.
const Policy = "script-src 'self' 'wasm-unsafe-eval'"

// SetHeader gives a response exactly the policy.
func SetHeader(h http.Header) {
	h.Set("Content-Security-Policy", Policy)
}

// WatchJS is the script that reports the page's violations to the console.
// It must be the page's first script. A page calls cspWatch.flush() before it
// reports that it is done, so that every violation so far reaches the console
// before that report.
//
//go:embed watch.js
var WatchJS []byte

// marker starts the console messages of WatchJS.
const marker = "\x01c"

// Violation is one violation of the policy.
type Violation struct {
	Directive   string `json:"directive"`  // the effective directive, e.g. script-src
	BlockedURI  string `json:"blockedURI"` // "eval", "inline", or the URL blocked
	SourceFile  string `json:"sourceFile"` // where it happened
	Line        int64  `json:"line"`       // from 1; 0 if unknown
	Column      int64  `json:"column"`     // from 1; 0 if unknown
	Sample      string `json:"sample"`     // the code's start, when the policy asks for samples
	Disposition string `json:"disposition"`
	// Via tells who reported it: "page" (WatchJS), or "devtools" (an
	// issue of the DevTools protocol).
	Via string `json:"-"`
}

// String describes the violation on one line: directive, blocked URI,
// source file:line:column, sample (empty unless the policy asks for samples
// with 'report-sample') and who reported it.
func (v Violation) String() string {
	src := v.SourceFile
	if src == "" {
		src = "(unknown)"
	}
	if v.Line > 0 {
		src += fmt.Sprintf(":%d:%d", v.Line, v.Column)
	}
	s := fmt.Sprintf("directive=%s blocked-uri=%s source=%s sample=%q", v.Directive, v.BlockedURI, src, v.Sample)
	if v.Disposition != "" && v.Disposition != "enforce" {
		s += " disposition=" + v.Disposition
	}
	return s + " (reported by " + v.Via + ")"
}

// Watcher collects the violations of one tab.
type Watcher struct {
	mu     sync.Mutex
	page   []Violation
	issues []Violation
}

// Watch starts collecting the violations of the tab: call it before the tab
// navigates. The page's own reports come through Observe.
func Watch(tab context.Context) (*Watcher, error) {
	w := &Watcher{}
	err := chromedp.Listen(tab, func(ev any) {
		if e, ok := ev.(*audits.EventIssueAdded); ok {
			w.addIssue(e.Issue)
		}
	})
	if err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(tab, audits.Enable, cdp.Empty{}); err != nil {
		return nil, fmt.Errorf("enabling DevTools issues: %w", err)
	}
	return w, nil
}

func (w *Watcher) addIssue(issue *audits.InspectorIssue) {
	if issue == nil || issue.Code != audits.InspectorIssueCodeContentSecurityPolicyIssue || issue.Details == nil {
		return
	}
	d := issue.Details.ContentSecurityPolicyIssueDetails
	if d == nil || d.IsReportOnly {
		return
	}
	v := Violation{
		Directive:   d.ViolatedDirective,
		BlockedURI:  d.BlockedURL,
		Disposition: "enforce",
		Via:         "devtools",
	}
	if v.BlockedURI == "" {
		// What the page's event would say.
		switch d.ContentSecurityPolicyViolationType {
		case audits.ContentSecurityPolicyViolationTypeKInlineViolation:
			v.BlockedURI = "inline"
		case audits.ContentSecurityPolicyViolationTypeKEvalViolation:
			v.BlockedURI = "eval"
		case audits.ContentSecurityPolicyViolationTypeKWasmEvalViolation:
			v.BlockedURI = "wasm-eval"
		default:
			v.BlockedURI = string(d.ContentSecurityPolicyViolationType)
		}
	}
	if loc := d.SourceCodeLocation; loc != nil {
		// The protocol counts from 0, the page from 1.
		v.SourceFile, v.Line, v.Column = loc.URL, loc.LineNumber+1, loc.ColumnNumber+1
	}
	w.mu.Lock()
	w.issues = append(w.issues, v)
	w.mu.Unlock()
}

// Observe recognises a console message of WatchJS: it records the violation
// and returns it. Other messages are not its business.
func (w *Watcher) Observe(m chromedp.ConsoleMessage) (Violation, bool) {
	if m.Type != chromedp.ConsoleLog || len(m.Args) == 0 || m.Args[0].Value == nil {
		return Violation{}, false
	}
	var s string
	if err := json.Unmarshal([]byte(m.Args[0].Value), &s); err != nil || !strings.HasPrefix(s, marker) {
		return Violation{}, false
	}
	var v Violation
	if err := json.Unmarshal([]byte(s[len(marker):]), &v); err != nil {
		v = Violation{BlockedURI: "(unreadable report: " + s[len(marker):] + ")"}
	}
	v.Via = "page"
	w.mu.Lock()
	w.page = append(w.page, v)
	w.mu.Unlock()
	return v, true
}

// Violations returns the violations seen so far: those the page reported
// (they say more), then those only DevTools did — an issue at the place of a
// reported violation is the same violation.
func (w *Watcher) Violations() []Violation {
	w.mu.Lock()
	defer w.mu.Unlock()
	type place struct {
		file         string
		line, column int64
	}
	reported := map[place]int{}
	for _, v := range w.page {
		reported[place{v.SourceFile, v.Line, v.Column}]++
	}
	vs := append([]Violation(nil), w.page...)
	for _, v := range w.issues {
		if p := (place{v.SourceFile, v.Line, v.Column}); reported[p] > 0 {
			reported[p]--
			continue
		}
		vs = append(vs, v)
	}
	return vs
}

// Err returns nil when the policy was kept, else an error that lists the
// violations.
func (w *Watcher) Err() error {
	vs := w.Violations()
	if len(vs) == 0 {
		return nil
	}
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = "  " + v.String()
	}
	return fmt.Errorf("%d Content-Security-Policy violation(s) of %q:\n%s", len(vs), Policy, strings.Join(lines, "\n"))
}
