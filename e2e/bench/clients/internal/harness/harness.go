//go:build js && wasm

// Package harness runs the browser benchmark workloads for a Go WebSocket
// client compiled to wasm. Each client program (wsclient, coderwasm) adapts
// its library to Conn and calls Main; the workloads, their parameters and
// the JSON they report are the same as those of jsnative/bench.js.
package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"syscall/js"
	"time"
)

// Conn is one connection of the client under test.
type Conn interface {
	// Send sends one message (text when text is true) without waiting for
	// it to be echoed.
	Send(ctx context.Context, text bool, p []byte) error
	// Read returns the next message's payload.
	Read(ctx context.Context) ([]byte, error)
	// Close closes the connection normally and waits for it to end.
	Close() error
}

// Dialer opens a connection to a ws:// URL, waiting until it is open.
type Dialer func(ctx context.Context, url string) (Conn, error)

// Result is what one page load reports (the same keys as jsnative/bench.js).
type Result struct {
	PipelinedRate float64   `json:"pipelined_rate"` // echoes per second
	RTTUs         []float64 `json:"rtt_us"`         // each round trip, microseconds
	BigMBps       float64   `json:"big_mbps"`       // 1 MiB echoes, MB/s one way
	FloodRate     float64   `json:"flood_rate"`     // messages per second received
}

type params struct {
	pipeN, pipeSize, rttN, rttWarm, rttSize, bigN, bigSize, floodN, floodSize int
}

func readParams() (params, error) {
	p := js.Global().Get("benchParams")
	var errs []error
	get := func(k string) int {
		n, err := strconv.Atoi(p.Get(k).String())
		if err != nil {
			errs = append(errs, fmt.Errorf("parameter %s: %w", k, err))
		}
		return n
	}
	ps := params{
		pipeN: get("pipe_n"), pipeSize: get("pipe_size"),
		rttN: get("rtt_n"), rttWarm: get("rtt_warm"), rttSize: get("rtt_size"),
		bigN: get("big_n"), bigSize: get("big_size"),
		floodN: get("flood_n"), floodSize: get("flood_size"),
	}
	return ps, errors.Join(errs...)
}

// Main runs the workloads with dial and reports the result to the page.
func Main(dial Dialer) {
	res, err := run(dial)
	if err != nil {
		js.Global().Call("benchFail", err.Error())
		return
	}
	b, _ := json.Marshal(res)
	js.Global().Call("benchDone", string(b))
}

func run(dial Dialer) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := readParams()
	if err != nil {
		return Result{}, err
	}
	loc := js.Global().Get("location")
	base := "ws://" + loc.Get("host").String()
	if loc.Get("protocol").String() == "https:" {
		base = "wss://" + loc.Get("host").String()
	}
	var res Result

	c, err := dial(ctx, base+"/echo")
	if err != nil {
		return res, fmt.Errorf("dial: %w", err)
	}
	small := bytes.Repeat([]byte("x"), p.pipeSize)
	if _, err := pipelined(ctx, c, 200, true, small); err != nil {
		return res, err
	}
	d, err := pipelined(ctx, c, p.pipeN, true, small)
	if err != nil {
		return res, err
	}
	res.PipelinedRate = float64(p.pipeN) / d.Seconds()

	tiny := bytes.Repeat([]byte("y"), p.rttSize)
	if _, err := roundTrips(ctx, c, p.rttWarm, tiny); err != nil {
		return res, err
	}
	if res.RTTUs, err = roundTrips(ctx, c, p.rttN, tiny); err != nil {
		return res, err
	}

	big := make([]byte, p.bigSize)
	for i := range big {
		big[i] = byte(i)
	}
	if _, err := pipelined(ctx, c, 2, false, big); err != nil {
		return res, err
	}
	if d, err = pipelined(ctx, c, p.bigN, false, big); err != nil {
		return res, err
	}
	res.BigMBps = float64(p.bigN*p.bigSize) / 1e6 / d.Seconds()
	if err := c.Close(); err != nil {
		return res, fmt.Errorf("close: %w", err)
	}

	f, err := dial(ctx, fmt.Sprintf("%s/bench/flood?n=%d&size=%d", base, p.floodN, p.floodSize))
	if err != nil {
		return res, fmt.Errorf("dial flood: %w", err)
	}
	if d, err = flood(ctx, f, p.floodN); err != nil {
		return res, err
	}
	res.FloodRate = float64(p.floodN) / d.Seconds()
	f.Close()
	return res, nil
}

// pipelined sends n copies of msg without waiting while a goroutine reads
// the n echoes; it returns the time from the first send to the last echo.
// As in JavaScript, the sends all happen before the page's event loop runs
// again: the Go program gives the event loop back only when it blocks.
func pipelined(ctx context.Context, c Conn, n int, text bool, msg []byte) (time.Duration, error) {
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		for range n {
			p, err := c.Read(ctx)
			if err != nil {
				done <- fmt.Errorf("pipelined read: %w", err)
				return
			}
			if len(p) != len(msg) {
				done <- fmt.Errorf("pipelined: echo of %d bytes, want %d", len(p), len(msg))
				return
			}
		}
		done <- nil
	}()
	for range n {
		if err := c.Send(ctx, text, msg); err != nil {
			return 0, fmt.Errorf("pipelined send: %w", err)
		}
	}
	err := <-done
	return time.Since(start), err
}

// roundTrips sends msg and reads its echo, n times in a row, and returns
// each round trip in microseconds.
func roundTrips(ctx context.Context, c Conn, n int, msg []byte) ([]float64, error) {
	out := make([]float64, 0, n)
	for range n {
		t0 := time.Now()
		if err := c.Send(ctx, true, msg); err != nil {
			return nil, fmt.Errorf("round trip send: %w", err)
		}
		if _, err := c.Read(ctx); err != nil {
			return nil, fmt.Errorf("round trip read: %w", err)
		}
		out = append(out, float64(time.Since(t0).Nanoseconds())/1e3)
	}
	return out, nil
}

// flood asks the server for n messages and reads them; it returns the time
// from the request to the last message.
func flood(ctx context.Context, c Conn, n int) (time.Duration, error) {
	start := time.Now()
	if err := c.Send(ctx, true, []byte("go")); err != nil {
		return 0, fmt.Errorf("flood request: %w", err)
	}
	for i := range n {
		if _, err := c.Read(ctx); err != nil {
			return 0, fmt.Errorf("flood read %d of %d: %w", i+1, n, err)
		}
	}
	return time.Since(start), nil
}
