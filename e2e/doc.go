// Package e2e holds duplex's end-to-end tests: they build the real server
// binary and app.wasm, start the server on 127.0.0.1, and drive the app in
// headless Chromium through its DOM, as a user would (go test ./e2e/, or
// make test-e2e).
//
// The tests need Chromium (/usr/bin/chromium, or $CHROME; make chromium
// installs it). DUPLEX_E2E_DUPLEXD names a prebuilt server binary to use
// instead of building ./server/cmd/duplexd. Each run saves a screenshot of
// each page to docs/screenshots.
package e2e
