//go:build !wasm

// Package serve builds the http.Handler that serves duplex's app at "/":
// go-app's Handler, configured so that nothing loads from another host,
// with a build version derived from the files it serves, and wrapped so
// that app.wasm goes out precompressed (brotli or gzip, chosen by
// Accept-Encoding).
//
// The package is server-only (build constraint !wasm): app.wasm never links
// it.
package serve
