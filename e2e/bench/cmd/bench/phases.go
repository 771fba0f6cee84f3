package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/bench/internal/browser"
	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
	"github.com/duplexgo/duplex/e2e/bench/internal/report"
	"github.com/duplexgo/duplex/e2e/internal/chrome"
)

// startBenchServer runs bin/bench/benchserver on a free loopback port.
func startBenchServer(ctx context.Context, cfg runConfig, args ...string) (*procs.Child, error) {
	return procs.Start(ctx, os.Stderr, "", filepath.Join(cfg.binDir, "benchserver"),
		append([]string{"-addr", "127.0.0.1:0", "-wasm", cfg.binDir, "-web", cfg.webDir}, args...)...)
}

// runBrowser runs the browser, paired and start-up phases in one headless
// Chromium, against one benchserver, and stores their results in res.
func runBrowser(ctx context.Context, cfg runConfig, res *report.Results) error {
	srv, err := startBenchServer(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Stop()
	base := "http://" + srv.Addr

	allocCtx, cancelAlloc, err := chrome.NewAllocator(ctx)
	if err != nil {
		return err
	}
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		return fmt.Errorf("starting Chromium: %w", err)
	}

	if cfg.phases["browser"] {
		clients := slices.Clone(cfg.clients)
		for _, name := range cfg.extra {
			clients = append(clients, browser.Client{Name: name, Query: url.Values{"client": {name}, "wasm": {name}, "mode": {"send"}}})
		}
		log.Printf("browser: %d rounds of %d clients against %s", cfg.rounds, len(clients), base)
		res.Browser, err = browser.Throughput(browserCtx, base, cfg.params, clients, cfg.rounds, log.Printf)
		if err != nil {
			return err
		}
	}
	if cfg.phases["paired"] {
		log.Printf("paired: %d page loads of %d sets, %d pairs of blocks per workload", cfg.pairedRounds, len(cfg.pairedSets), cfg.pairedParams["pairs"])
		res.Paired, err = browser.Paired(browserCtx, base, cfg.pairedParams, cfg.pairedSets, cfg.pairedRounds, log.Printf)
		if err != nil {
			return err
		}
	}
	if cfg.phases["startup"] {
		clients := []browser.StartClient{
			{Name: report.Native, Page: "jsnative"},
			{Name: "wsclient-minimal", Page: "wsclient-minimal"},
			{Name: "coder-minimal", Page: "coder-minimal"},
		}
		log.Printf("start-up: %d rounds of %d clients", cfg.startRounds, len(clients))
		res.Startup, err = browser.Startup(browserCtx, base, clients, cfg.startRounds, log.Printf)
		if err != nil {
			return err
		}
	}
	return nil
}

// payloadPrograms are the programs of the payload table. Make builds the
// first four into bin/bench with -trimpath -ldflags="-s -w"; app.wasm is
// what `make wasm` builds.
var payloadPrograms = []struct {
	name, file, desc string
}{
	{"bare", "sizes-bare.wasm", "Go runtime + syscall/js only (e2e/bench/clients/sizes/bare)"},
	{"fmt", "sizes-fmt.wasm", "+ fmt (e2e/bench/clients/sizes/fmt)"},
	{"wsclient-minimal", "wsclient-minimal.wasm", "minimal wsclient program (wsclient/internal/minimal)"},
	{"coder-minimal", "coder-minimal.wasm", "the same with coder/websocket (e2e/bench/clients/sizes/coderminimal)"},
}

const smallBuild = `-trimpath -ldflags="-s -w"`

// runPayload measures the wasm programs: raw, gzip -9, brotli 11, and what
// the server sends for a browser's request.
func runPayload(ctx context.Context, cfg runConfig) (*report.Payload, error) {
	srv, err := startBenchServer(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	base := "http://" + srv.Addr

	var progs []report.Program
	var paths []string
	for _, p := range payloadPrograms {
		path := filepath.Join(cfg.binDir, p.file)
		pr := report.Program{Name: p.name, Desc: p.desc, Build: smallBuild}
		if err := measureFile(&pr, path); err != nil {
			pr.Note = err.Error()
		} else {
			pr.Transferred, pr.Encoding, err = transferred(ctx, base+"/bench/wasm/"+p.file)
			if err != nil {
				pr.Note = err.Error()
			}
			pr.ServedBy = "benchserver (duplex's server with the bench routes)"
			paths = append(paths, path)
		}
		progs = append(progs, pr)
	}

	app := report.Program{Name: "app", Desc: "app.wasm (make wasm)", Build: "make wasm (-trimpath)"}
	appPath := filepath.Join(cfg.webDir, "app.wasm")
	if err := measureFile(&app, appPath); err != nil {
		app.Note = "not built: " + err.Error()
	} else {
		paths = append(paths, appPath)
		app.Transferred, app.Encoding, app.ServedBy, err = appTransferred(ctx, cfg, base)
		if err != nil {
			app.Note = err.Error()
		}
	}
	progs = append(progs, app)

	sizes, err := brotliSizes(ctx, cfg.nodeDir, paths)
	if err != nil {
		log.Printf("payload: brotli sizes unavailable: %v", err)
	}
	for i := range progs {
		progs[i].Brotli = sizes[progPath(progs[i], cfg)]
		log.Printf("payload %-18s raw %9d  gzip %9d  brotli %9d  sent %9d %s", progs[i].Name,
			progs[i].Raw, progs[i].Gzip, progs[i].Brotli, progs[i].Transferred, progs[i].Encoding)
	}
	code := codeByPackage(cfg)
	log.Printf("payload: code by package of %s: %d packages %s", code.Program, len(code.Packages), code.Note)
	return &report.Payload{Programs: progs, Code: code}, nil
}

// progPath returns the file of a payload program.
func progPath(p report.Program, cfg runConfig) string {
	for _, q := range payloadPrograms {
		if q.name == p.Name {
			return filepath.Join(cfg.binDir, q.file)
		}
	}
	return filepath.Join(cfg.webDir, "app.wasm")
}

// measureFile fills in the raw and gzip sizes of path.
func measureFile(p *report.Program, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	p.Built, p.Raw, p.Gzip = true, int64(len(b)), int64(buf.Len())
	return nil
}

// brotliSizes compresses the files with Node's zlib (see node/brotli.js).
func brotliSizes(ctx context.Context, nodeDir string, paths []string) (map[string]int64, error) {
	abs := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		abs[i] = a
	}
	cmd := exec.CommandContext(ctx, "node", append([]string{"brotli.js"}, abs...)...)
	cmd.Dir = nodeDir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var byAbs map[string]int64
	if err := json.Unmarshal(out, &byAbs); err != nil {
		return nil, err
	}
	sizes := map[string]int64{}
	for i, p := range paths {
		sizes[p] = byAbs[abs[i]]
	}
	return sizes, nil
}

// transferred fetches url as Chromium would (Accept-Encoding: gzip,
// deflate, br, zstd) and returns the body bytes as sent, undecoded, and the
// Content-Encoding.
func transferred(ctx context.Context, url string) (int64, string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	return n, resp.Header.Get("Content-Encoding"), err
}

// appTransferred measures what the real server sends for app.wasm: duplexd
// when it is built (go-app serves the app at /web/app.wasm), else the
// server package's default file server on web/, which benchserver mounts
// at /.
func appTransferred(ctx context.Context, cfg runConfig, benchBase string) (int64, string, string, error) {
	if _, err := os.Stat(cfg.duplexd); err == nil {
		n, enc, err := duplexdTransfer(ctx, cfg)
		if err == nil {
			return n, enc, "duplexd", nil
		}
		log.Printf("payload: measuring app.wasm through %s failed (%v); using benchserver", cfg.duplexd, err)
	}
	n, enc, err := transferred(ctx, benchBase+"/app.wasm")
	return n, enc, "benchserver's file server on web/ (duplexd not built)", err
}

func duplexdTransfer(ctx context.Context, cfg runConfig) (int64, string, error) {
	port, err := freePort()
	if err != nil {
		return 0, "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cfg.duplexd, "-addr", addr, "-web", cfg.webDir)
	cmd.Stderr = io.Discard
	cmd.Stdout = io.Discard
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	base := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			return 0, "", errors.New("duplexd did not answer /healthz")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var lastErr error
	for _, path := range []string{"/web/app.wasm", "/app.wasm"} {
		n, enc, err := transferred(ctx, base+path)
		if err == nil {
			return n, enc, nil
		}
		lastErr = err
	}
	return 0, "", lastErr
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
