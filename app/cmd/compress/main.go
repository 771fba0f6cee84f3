//go:build !wasm

// Command compress writes the precompressed copies the server sends to
// browsers: for each file argument, FILE.br (brotli, best quality) and
// FILE.gz (gzip, best level), next to it. make wasm runs it on web/app.wasm.
//
//	go run ./app/cmd/compress [-f] [-q quality] web/app.wasm
//
// -q sets the brotli quality, 0 to 11 (default 11, the smallest; 9 is ten
// times faster and about 12% larger). Copies that already decompress to
// FILE are kept, so that rebuilding an unchanged app.wasm costs nothing;
// -f compresses anyway.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/duplexgo/duplex/app/serve"
)

func main() {
	quality := flag.Int("q", serve.DefaultBrotliQuality, "brotli `quality`, 0 to 11")
	force := flag.Bool("f", false, "compress even when the copies are up to date")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: compress [-f] [-q quality] FILE...\n\nwrites FILE.br and FILE.gz next to each FILE\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	for _, path := range flag.Args() {
		if !*force && serve.UpToDate(path) {
			fmt.Printf("%s: .br and .gz are up to date\n", path)
			continue
		}
		start := time.Now()
		raw, br, gz, err := serve.Precompress(path, *quality)
		if err != nil {
			fmt.Fprintf(os.Stderr, "compress %s: %v\n", path, err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d bytes raw, %d brotli (%.1f%%), %d gzip (%.1f%%) in %v\n",
			path, raw, br, pct(br, raw), gz, pct(gz, raw), time.Since(start).Round(100*time.Millisecond))
	}
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}
