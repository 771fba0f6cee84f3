//go:build js && wasm

package harness

import (
	"context"
	"errors"
	"syscall/js"
	"time"
)

// pairedTimeout bounds a paired page's Go side.
const pairedTimeout = 10 * time.Minute

// servePaired exposes the workloads, one block at a time, to the page's
// driver (pages/paired.js) as window.goBench, the same shape as
// jsnative/bench.js's openNative:
//
//	goBench.open()                        opens /echo and a repeatable flood
//	goBench.pipelined(n), big(n), flood(n) a block: its milliseconds
//	goBench.rtt(n)                        a block: each round trip in µs
//	goBench.close()                       closes the connections
//	goBench.exit()                        ends the program (no Promise)
//
// Each returns a Promise; the block runs on a goroutine and measures
// itself, as the JavaScript blocks do. It then calls window.goBenchReady().
func servePaired(dial Dialer) {
	ctx, cancel := context.WithTimeout(context.Background(), pairedTimeout)
	defer cancel()
	p, err := readParams()
	if err != nil {
		js.Global().Call("benchFail", err.Error())
		return
	}
	var s *side
	exit := make(chan struct{})
	api := map[string]any{}
	var funcs []js.Func
	export := func(name string, block func(n int) (any, error)) {
		f := js.FuncOf(func(_ js.Value, args []js.Value) any {
			n := 0
			if len(args) > 0 {
				n = args[0].Int()
			}
			return promise(func() (any, error) {
				if s == nil && name != "open" {
					return nil, errors.New("goBench: open first")
				}
				return block(n)
			})
		})
		funcs = append(funcs, f)
		api[name] = f
	}
	ms := func(d time.Duration, err error) (any, error) { return float64(d.Nanoseconds()) / 1e6, err }
	export("open", func(int) (any, error) {
		var err error
		s, err = openSide(ctx, dial, p)
		return nil, err
	})
	export("pipelined", func(n int) (any, error) { return ms(s.pipelined(n)) })
	export("big", func(n int) (any, error) { return ms(s.big(n)) })
	export("flood", func(n int) (any, error) { return ms(s.flood(n)) })
	export("rtt", func(n int) (any, error) {
		us, err := s.rtt(n)
		out := make([]any, len(us))
		for i, u := range us {
			out[i] = u
		}
		return out, err
	})
	export("close", func(int) (any, error) { return nil, s.close() })
	exitFunc := js.FuncOf(func(js.Value, []js.Value) any {
		close(exit)
		return nil
	})
	funcs = append(funcs, exitFunc)
	api["exit"] = exitFunc
	js.Global().Set("goBench", js.ValueOf(api))
	js.Global().Call("goBenchReady")
	select {
	case <-exit:
	case <-ctx.Done():
	}
	js.Global().Delete("goBench")
	for _, f := range funcs {
		f.Release()
	}
}

// promise returns a JavaScript Promise settled with f's result, which runs
// on a new goroutine (an error rejects it with an Error).
func promise(f func() (any, error)) js.Value {
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			v, err := f()
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}
