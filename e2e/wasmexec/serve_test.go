package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The page may write the outputs and what is below the output directories,
// and nothing else.
func TestHostPath(t *testing.T) {
	cfg := config{Outputs: []string{"/w/_cover_.out"}, OutputDirs: []string{"/w/gocoverdir"}}
	for path, want := range map[string]bool{
		"/w/_cover_.out":             true,
		"/w/gocoverdir/covmeta.1":    true,
		"/w/gocoverdir/sub/x":        true,
		"/w/gocoverdir":              false,
		"/w/gocoverdir/../other":     false,
		"/w/gocoverdirx/covmeta.1":   false,
		"/w/other":                   false,
		"w/_cover_.out":              false,
		"":                           false,
		"/w/gocoverdir/./covmeta.1":  false,
		"/etc/passwd":                false,
		"/w/_cover_.out/../../x/../": false,
	} {
		if got := cfg.hostPath(path); got != want {
			t.Errorf("hostPath(%q) = %v, want %v", path, got, want)
		}
	}
}

// What belongs to the run needs its key: the environment, the program, the
// host's files, writing on the host.
func TestRunNeedsTheKey(t *testing.T) {
	out := filepath.Join(t.TempDir(), "c.out")
	cfg := config{Outputs: []string{out}, HostFiles: []hostFile{{Path: out}}}
	mux := pageMux(probe, "k", cfg, nil)
	for _, c := range []struct{ method, target string }{
		{http.MethodGet, "/config.json"},
		{http.MethodGet, "/program.wasm"},
		{http.MethodGet, "/host?path=" + out},
		{http.MethodPost, "/file?path=" + out},
	} {
		for key, want := range map[string]int{"": http.StatusForbidden, "wrong": http.StatusForbidden, "k": 0} {
			target := c.target + map[bool]string{true: "&", false: "?"}[strings.Contains(c.target, "?")] + "key=" + key
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(c.method, target, strings.NewReader("mode: set\n")))
			if (want == http.StatusForbidden) != (rec.Code == http.StatusForbidden) {
				t.Errorf("%s %s: status %d", c.method, target, rec.Code)
			}
		}
	}
	if b, err := os.ReadFile(out); string(b) != "mode: set\n" || err != nil {
		t.Errorf("the output on the host: %q, %v", b, err)
	}
}
