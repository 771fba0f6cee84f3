// Package clients holds the benchmark clients that run in the browser: the
// native JavaScript client and the pages that load every client. The wasm
// clients are the programs in its subdirectories (wsclient, coderwasm, and
// the payload programs under sizes/); cmd/benchserver serves them all.
package clients

import "embed"

// Assets holds pages/run.html, pages/paired.js and jsnative/bench.js.
//
//go:embed pages/*.html pages/*.js jsnative/*.js
var Assets embed.FS
