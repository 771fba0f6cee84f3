# duplex — see README.md. The two commands a newcomer needs:
#   make run    build everything, serve the app on http://localhost:8000
#   make test   install Chromium and nats-server if missing, then vet and every test suite

SHELL := /bin/bash
GO    ?= go
ADDR  ?= :8000
PKG   := github.com/duplexgo/duplex

# Build outputs (git-ignored).
BIN        := bin
SERVER_BIN := $(BIN)/duplexd
WASMEXEC   := $(BIN)/wasmexec
APP_WASM   := web/app.wasm
BROTLI_QUALITY ?= 11
DEV_BROTLI_QUALITY ?= 6

# Packages whose code also builds for the browser.
WASM_PKGS := ./wsclient/... ./app/... ./server/chatproto

.PHONY: all build run wasm wasm-dev wasm-binary server wasmexec test chromium nats-server fmt-check vet \
	test-native test-wasm test-e2e bench clean

all: build

## build: the release build: the server binary and web/app.wasm with its
## copies compressed at the best brotli quality (about a minute on 2 cores)
build: server wasm

server:
	@echo "make: building the server (bin/duplexd)..."
	$(GO) build -o $(SERVER_BIN) ./server/cmd/duplexd

## wasm: web/app.wasm and its precompressed copies web/app.wasm.br and .gz,
## recompressed at BROTLI_QUALITY (default 11, the smallest) every time
wasm: wasm-binary
	@echo "make: compressing web/app.wasm at brotli quality $(BROTLI_QUALITY) (the release's; about a minute)..."
	$(GO) run ./app/cmd/compress -f -q $(BROTLI_QUALITY) $(APP_WASM)

## wasm-dev: web/app.wasm for make run: copies that are up to date are kept
## (whatever their quality); otherwise brotli quality DEV_BROTLI_QUALITY
## (default 6: a few seconds, about 16% larger than 11)
wasm-dev: wasm-binary
	@echo "make: compressing web/app.wasm (brotli quality $(DEV_BROTLI_QUALITY) unless up to date; make build uses $(BROTLI_QUALITY))..."
	$(GO) run ./app/cmd/compress -q $(DEV_BROTLI_QUALITY) $(APP_WASM)

wasm-binary:
	@echo "make: building web/app.wasm (the app, Go compiled to WebAssembly)..."
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(APP_WASM) ./app/cmd/appwasm

wasmexec:
	$(GO) build -o $(WASMEXEC) ./e2e/wasmexec

## run: build what changed and start the server with the app on
## http://localhost:8000 (app.wasm compressed fast: see wasm-dev)
run: server wasm-dev
	@echo "make: starting duplexd on $(ADDR); it logs the URL to open (Ctrl+C stops it)"
	$(SERVER_BIN) -addr $(ADDR) -web web

## test: everything CI runs
test: chromium nats-server fmt-check vet test-native test-wasm test-e2e

## chromium: install Debian's Chromium unless $CHROME or /usr/bin/chromium exists
chromium:
	@if [ -n "$$CHROME" ]; then \
		[ -x "$$CHROME" ] || { echo "CHROME=$$CHROME is not executable" >&2; exit 1; }; \
	elif [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Chromium from Debian's packages..."; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	fi
	@$${CHROME:-/usr/bin/chromium} --version

## nats-server: install Debian's nats-server (2.9, with JetStream) unless one
## is on PATH; the tests of the NATS chat broker start their own on a free port
nats-server:
	@if ! command -v nats-server >/dev/null; then \
		echo "Installing nats-server from Debian's packages..."; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq nats-server >/dev/null; \
	fi
	@nats-server --version

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet $(WASM_PKGS) ./e2e/bench/clients/... ./e2e/internal/cspecho/... ./e2e/wasmexec/testdata/cspprobe

## test-native: every package's native tests, with the race detector
test-native: nats-server
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v '^$(PKG)/e2e$$')

## test-wasm: wsclient's tests compiled to wasm, run inside headless Chromium
test-wasm: wasmexec
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(CURDIR)/$(WASMEXEC) $(WASM_PKGS)

## test-e2e: the real server and app driven through headless Chromium
test-e2e: nats-server
	$(GO) test -count=1 -timeout 20m ./e2e/

## bench: the benchmarks (not part of `make test`, about 15 minutes): the
## browser clients side by side in headless Chromium, wasm payload and
## start-up, the server against Node's ws, and one big chat room. Prints the tables and writes
## docs/BENCHMARKS.md, docs/bench/results.json and docs/bench/chart.svg.
## BENCH_ARGS passes flags to `bench run`, e.g. BENCH_ARGS="-phases server".
BENCH_BIN   := $(BIN)/bench
BENCH_SMALL := -trimpath -ldflags="-s -w"
BENCH_ARGS  ?=

bench: chromium
	@mkdir -p $(BENCH_BIN)
	@if [ -d app/cmd/appwasm ]; then $(MAKE) --no-print-directory wasm || echo "bench: app.wasm did not build: reported as not built"; \
	else echo "bench: app/cmd/appwasm does not exist yet: app.wasm reported as not built"; fi
	@if [ -d server/cmd/duplexd ]; then $(MAKE) --no-print-directory server || echo "bench: duplexd did not build"; fi
	GOOS=js GOARCH=wasm $(GO) vet ./e2e/bench/clients/...
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(BENCH_BIN)/wsclient.wasm ./e2e/bench/clients/wsclient
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(BENCH_BIN)/coderwasm.wasm ./e2e/bench/clients/coderwasm
	GOOS=js GOARCH=wasm $(GO) build $(BENCH_SMALL) -o $(BENCH_BIN)/sizes-bare.wasm ./e2e/bench/clients/sizes/bare
	GOOS=js GOARCH=wasm $(GO) build $(BENCH_SMALL) -o $(BENCH_BIN)/sizes-fmt.wasm ./e2e/bench/clients/sizes/fmt
	GOOS=js GOARCH=wasm $(GO) build $(BENCH_SMALL) -o $(BENCH_BIN)/wsclient-minimal.wasm ./wsclient/internal/minimal
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(BENCH_BIN)/wsclient-minimal-names.wasm ./wsclient/internal/minimal
	GOOS=js GOARCH=wasm $(GO) list -deps ./wsclient/internal/minimal > $(BENCH_BIN)/wsclient-minimal-names.deps
	GOOS=js GOARCH=wasm $(GO) build $(BENCH_SMALL) -o $(BENCH_BIN)/coder-minimal.wasm ./e2e/bench/clients/sizes/coderminimal
	$(GO) build -o $(BENCH_BIN)/benchserver ./e2e/bench/cmd/benchserver
	$(GO) build -o $(BENCH_BIN)/bench ./e2e/bench/cmd/bench
	cd e2e/bench/node && npm install --no-audit --no-fund --no-package-lock --loglevel=error
	$(BENCH_BIN)/bench run $(BENCH_ARGS)

clean:
	rm -rf $(BIN) $(APP_WASM) $(APP_WASM).gz $(APP_WASM).br
