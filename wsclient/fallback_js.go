//go:build js && wasm

package wsclient

import (
	"context"
	"syscall/js"
)

var (
	jsFetch           = js.Global().Get("fetch")
	jsAbortController = js.Global().Get("AbortController")
)

// fetchHTTP is the fallback's HTTP in the browser: fetch, with the answer
// of a receive read from response.body's reader as its chunks arrive.
type fetchHTTP struct{}

func newHTTPBackend() httpBackend { return fetchHTTP{} }

// request is one fetch and the promises it awaits, one at a time: the
// callbacks only hand the settled value to a channel (they never block:
// it holds the one result awaited), and the waiting is done by the
// goroutine that made the request.
type request struct {
	abort    js.Value // the request's AbortController
	settled  chan jsSettled
	ok, fail js.Func
	aborted  bool
}

type jsSettled struct {
	v   js.Value
	err error
}

func newRequest() *request {
	r := &request{abort: jsAbortController.New(), settled: make(chan jsSettled, 1)}
	r.ok = newFunc(func(v js.Value) { r.settled <- jsSettled{v: v} })
	r.fail = newFunc(func(v js.Value) { r.settled <- jsSettled{err: jsErrorOf(v)} })
	return r
}

// release frees the callbacks; no promise may be pending.
func (r *request) release() {
	releaseFunc(r.ok)
	releaseFunc(r.fail)
}

// await waits for p. When ctx is done first the request is aborted, and
// await still waits for p to settle (it does at once, rejected), so that
// no callback fires after release.
func (r *request) await(ctx context.Context, p js.Value) (js.Value, error) {
	p.Call("then", r.ok, r.fail)
	select {
	case s := <-r.settled:
		return s.v, s.err
	case <-ctx.Done():
	}
	if !r.aborted {
		r.aborted = true
		r.abort.Call("abort")
	}
	<-r.settled
	return js.Value{}, ctx.Err()
}

// fetch starts the request and waits for the answer's head.
func (r *request) fetch(ctx context.Context, url string, init map[string]any) (js.Value, error) {
	init["signal"] = r.abort.Get("signal")
	init["cache"] = "no-store"
	var p js.Value
	if err := jsCatch("fetch", func() { p = jsFetch.Invoke(url, init) }); err != nil {
		return js.Value{}, err
	}
	return r.await(ctx, p)
}

func (fetchHTTP) post(ctx context.Context, url string, body []byte) (int, []byte, error) {
	r := newRequest()
	defer r.release()
	init := map[string]any{"method": "POST"}
	if len(body) > 0 {
		init["body"] = bytesToJS(body) // a Uint8Array: no Content-Type, no preflight
	}
	resp, err := r.fetch(ctx, url, init)
	if err != nil {
		return 0, nil, err
	}
	status := resp.Get("status").Int()
	ab, err := r.await(ctx, resp.Call("arrayBuffer"))
	if err != nil {
		return status, nil, err
	}
	return status, bytesFromArrayBuffer(ab), nil
}

func (fetchHTTP) get(ctx context.Context, url string, chunk func([]byte)) (int, error) {
	r := newRequest()
	defer r.release()
	resp, err := r.fetch(ctx, url, map[string]any{})
	if err != nil {
		return 0, err
	}
	status := resp.Get("status").Int()
	if status != 200 {
		_, err := r.await(ctx, resp.Call("arrayBuffer"))
		return status, err
	}
	reader := resp.Get("body").Call("getReader")
	var buf []byte
	for {
		res, err := r.await(ctx, reader.Call("read"))
		if err != nil {
			return status, err
		}
		if res.Get("done").Bool() {
			return status, nil
		}
		v := res.Get("value")
		n := v.Length()
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		js.CopyBytesToGo(buf[:n], v)
		chunk(buf[:n])
	}
}
