package main

import (
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/duplexgo/duplex/e2e/internal/strictcsp"
)

var (
	//go:embed page.html
	pageHTML []byte
	//go:embed memfs.js
	memfsJS []byte
	//go:embed run.js
	runJS []byte
)

// config is what the page fetches to start the program.
type config struct {
	Argv []string          `json:"argv"`
	Env  map[string]string `json:"env"`
	// Dir is the program's working directory; Mkdirs are the directories
	// it expects to exist (its temporary directory, where its outputs go).
	Dir    string   `json:"dir"`
	Mkdirs []string `json:"mkdirs"`
	// PID and PPID are the runner's, for os.Getpid and os.Getppid (the
	// names of the coverage counters' files need a process ID).
	PID  int `json:"pid"`
	PPID int `json:"ppid"`
	// Outputs and OutputDirs are the files, and the directories of files,
	// that the page sends back to the host at exit.
	Outputs    []string `json:"outputs"`
	OutputDirs []string `json:"outputDirs"`
	// HostFiles are the files of the host that the page copies in first
	// (GET /host).
	HostFiles []hostFile `json:"hostFiles"`
}

// hostPath reports whether the page may write path on the host: one of the
// outputs, or a file below one of the output directories.
func (c *config) hostPath(path string) bool {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path {
		return false
	}
	if slices.Contains(c.Outputs, path) {
		return true
	}
	for _, d := range c.OutputDirs {
		if strings.HasPrefix(path, d+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// pageMux serves the page that runs the binary, under the strict
// Content-Security-Policy, and what it loads. What belongs to this run (the
// configuration, with the environment; the program; writing files on the
// host, reading files of the host) needs key, which the runner puts in the page's address.
func pageMux(binary, key string, cfg config, wasmExecJS []byte) *http.ServeMux {
	mux := http.NewServeMux()
	serveBytes(mux, "/", "text/html; charset=utf-8", pageHTML)
	serveBytes(mux, "/csp-watch.js", "text/javascript", strictcsp.WatchJS)
	serveBytes(mux, "/memfs.js", "text/javascript", memfsJS)
	serveBytes(mux, "/run.js", "text/javascript", runJS)
	serveBytes(mux, "/wasm_exec.js", "text/javascript", wasmExecJS)
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	keyed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("key") != key {
				http.Error(w, "wrong key", http.StatusForbidden)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /config.json", keyed(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(cfg)
	}))
	mux.HandleFunc("GET /program.wasm", keyed(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, binary)
	}))
	mux.HandleFunc("GET /host", keyed(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Query().Get("path")
		if !slices.ContainsFunc(cfg.HostFiles, func(f hostFile) bool { return f.Path == path }) {
			http.Error(w, "not a file given to the program: "+path, http.StatusForbidden)
			return
		}
		data, err := os.ReadFile(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(data)
	}))
	mux.HandleFunc("POST /file", keyed(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Query().Get("path")
		if !cfg.hostPath(path) {
			http.Error(w, "not a file the program writes for the host: "+path, http.StatusForbidden)
			return
		}
		data, err := io.ReadAll(r.Body)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(path), 0o777)
		}
		if err == nil {
			err = os.WriteFile(path, data, 0o666)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	return mux
}

func serveBytes(mux *http.ServeMux, path, contentType string, body []byte) {
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		if path == "/" && r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		if path == "/" {
			strictcsp.SetHeader(w.Header())
		}
		w.Write(body)
	})
}
