//go:build js && wasm

package wsclient

import (
	"runtime"
	"sync"
	"syscall/js"
	"time"
)

// The hand-off decides when Go takes what waits in the connections' bridge
// queues. The first message after a hand-off calls schedule (through the
// bridge) once; Go then takes every waiting message of every connection at
// once, in slices, letting readers run between them.
//
// Entering Go is the expensive part. A js.FuncOf callback costs tens of
// microseconds (wasm_exec.js creates an event, Go converts its arguments and
// switches goroutines); a //go:wasmexport function costs well under one, and
// resuming the scheduler costs about ten. So, where wasm_exec.js lets us
// reach them, schedule is the exported wsclientSchedule and the wake-up is
// wasm_exec.js's own resume; elsewhere schedule is a js.FuncOf callback
// (correct, slower).
//
// When: a message after a quiet spell (nothing handed off for quietGap) is
// taken at once — in a microtask, right after the browser's event — so a
// lone message waits for nothing; in a burst, the wake-up waits burstDelay
// (a timer), so the messages of the burst go over together; and whenever
// 256 more are waiting, Go takes them at once (the bridge asks again). The
// spell is measured from the end of the last hand-off, after the readers it
// woke have run, not from its start.
var handoff = newHandoff()

func newHandoff() *handoffState { return &handoffState{conns: map[int32]drainer{}} }

// quietGap: see handoff. A lone message (a reply to a request, an event
// of a feed) comes after more than this; in a flood the next message comes
// sooner, and the wake-up then waits burstDelay so that more of the flood
// goes over at once. Measured (docs/BENCHMARKS.md): with wake-ups posted at
// once, a flood arriving every ~150 µs cost one wake-up per message or two.
const (
	quietGap   = 250 * time.Microsecond
	burstDelay = 1 // millisecond, setTimeout's unit
)

// drainer is a connection with a bridge queue.
type drainer interface {
	// drain takes every waiting message into the connection's core.
	drain()
	// onEvent handles one of the browser's other events for the connection.
	onEvent(kind int, ev js.Value)
}

type handoffState struct {
	mu         sync.Mutex // guards conns and nextID; the rest runs on the event loop's side
	conns      map[int32]drainer
	nextID     int32
	dirty      []drainer // connections with messages waiting, in the order they called schedule
	pending    bool      // a hand-off is on its way
	urgent     bool      // and it was asked to come at once
	lastEnd    time.Time
	schedules  int // times schedule was called: entries into Go for messages
	wakeCh     chan struct{}
	setup      sync.Once
	noExport   bool     // tests: always enter Go through js.FuncOf
	exported   bool     // schedule is the wasmexport and resume is wasm_exec.js's
	goExport   js.Value // wsclientSchedule, from wasm_exec.js's instance
	resume     js.Value // wasm_exec.js's _resume, bound
	callback   js.Func  // the js.FuncOf schedule, events and progress
	run        js.Func  // the timer's callback, without the wasmexport
	microtsk   js.Value // queueMicrotask
	timeout    js.Value // setTimeout
	post       js.Value // a MessageChannel's postMessage, bound
	hidden     bool     // the page is hidden (its timers are throttled)
	visibility js.Func  // keeps hidden up to date
}

// Kinds of events for onEvent (also the callback's second argument).
const (
	evKindSchedule = iota
	evKindProgress
	evKindOpen
	evKindError
	evKindClose
	evKindOpened
	evKindOpenFailed
	evKindClosed
	evKindClosedFailed
	evKindReady
)

// register gives d an id for the bridge's and the browser's callbacks.
func (h *handoffState) register(d drainer) int32 {
	h.setup.Do(h.init)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	h.conns[h.nextID] = d
	if cap(h.dirty) < 2*len(h.conns) {
		// schedule appends to dirty at most twice per connection between
		// hand-offs, and must not allocate.
		h.dirty = append(make([]drainer, 0, 4*len(h.conns)), h.dirty...)
	}
	liveFuncs.Add(1)
	return h.nextID
}

// unregister forgets id: callbacks still on their way find nothing.
func (h *handoffState) unregister(id int32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[id]; ok {
		delete(h.conns, id)
		liveFuncs.Add(-1)
	}
}

func (h *handoffState) lookup(id int32) drainer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[id]
}

// init makes the callbacks every connection shares.
func (h *handoffState) init() {
	g := js.Global()
	h.microtsk = g.Get("queueMicrotask")
	h.timeout = g.Get("setTimeout")
	h.callback = js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) < 2 {
			return nil
		}
		id, kind := int32(args[0].Int()), args[1].Int()
		var ev js.Value
		if len(args) > 2 {
			ev = args[2]
		}
		if kind == evKindSchedule {
			h.schedule(id)
			return nil
		}
		if d := h.lookup(id); d != nil {
			d.onEvent(kind, ev)
		}
		return nil
	})
	h.run = js.FuncOf(func(js.Value, []js.Value) any { h.handOff(); return nil })
	// A hidden page's timers are throttled (to once a second, or a minute):
	// there a burst's wake-up is a MessageChannel task instead.
	ch := g.Get("MessageChannel").New()
	port1, port2 := ch.Get("port1"), ch.Get("port2")
	h.post = port2.Get("postMessage").Call("bind", port2, nil)
	port1.Set("onmessage", h.run.Value)
	if doc := g.Get("document"); doc.Type() == js.TypeObject {
		h.hidden = doc.Get("hidden").Truthy()
		h.visibility = js.FuncOf(func(js.Value, []js.Value) any {
			h.hidden = doc.Get("hidden").Truthy()
			return nil
		})
		doc.Call("addEventListener", "visibilitychange", h.visibility)
	}
	if inst, ok := findGoInstance(); ok && !h.noExport {
		h.exported = true
		h.goExport = inst.Get("_inst").Get("exports").Get("wsclientSchedule")
		h.resume = inst.Get("_resume").Call("bind", inst)
		h.wakeCh = make(chan struct{}, 1)
		port1.Set("onmessage", h.resume)
		go func() {
			for range h.wakeCh {
				h.handOff()
			}
		}()
	}
}

// scheduleFunc is the bridge's schedule import for connection id.
func (h *handoffState) scheduleFunc(id int32) js.Value {
	if h.exported {
		return h.goExport.Call("bind", nil, id)
	}
	return h.callback.Call("bind", nil, id, evKindSchedule)
}

// eventFunc is a browser event listener for connection id.
func (h *handoffState) eventFunc(id int32, kind int) js.Value {
	return h.callback.Call("bind", nil, id, kind)
}

// progressFunc is the bridge's progress import for connection id.
func (h *handoffState) progressFunc(id int32) js.Value { return h.eventFunc(id, evKindProgress) }

// wsclientSchedule is the bridge's schedule, exported so that the browser
// enters Go without a js.FuncOf callback. It runs on the JavaScript event
// loop and must not block.
//
//go:wasmexport wsclientSchedule
func wsclientSchedule(id int32) { handoff.schedule(id) }

// schedule: connection id has messages waiting.
func (h *handoffState) schedule(id int32) {
	h.schedules++
	d := h.lookup(id)
	if d == nil {
		return
	}
	// Inside the exported function only bookkeeping runs: no allocation, no
	// goroutine switch (it runs on the stack of the goroutine paused while
	// Go waits for events; switching there corrupts it).
	quiet := !h.pending && time.Since(h.lastEnd) > quietGap
	listed := false
	for _, e := range h.dirty {
		listed = listed || e == d
	}
	if !listed {
		h.dirty = append(h.dirty, d) // within the capacity register made
	}
	if h.pending {
		// Messages keep arriving before the hand-off: take them after this
		// one, before the browser dispatches more.
		if !h.urgent {
			h.urgent = true
			if h.exported {
				h.microtsk.Invoke(h.resume)
			} else {
				h.handOff()
			}
		}
		return
	}
	h.pending = true
	switch {
	case h.exported:
		wake(h.wakeCh)
		switch {
		case quiet:
			h.microtsk.Invoke(h.resume) // right after this event
		case h.hidden:
			h.post.Invoke() // a hidden page's timers are throttled: a task
		default:
			h.timeout.Invoke(h.resume, burstDelay) // let the burst gather
		}
	case quiet:
		h.handOff() // inside the callback: readers run before it returns
	case h.hidden:
		h.post.Invoke()
	default:
		h.timeout.Invoke(h.run, burstDelay)
	}
}

// handOff drains every connection that scheduled, then lets the readers it
// woke run before marking the end of the hand-off.
func (h *handoffState) handOff() {
	for i := 0; i < len(h.dirty); i++ {
		h.dirty[i].drain()
		h.dirty[i] = nil
	}
	h.dirty = h.dirty[:0]
	runtime.Gosched()
	h.lastEnd = time.Now()
	h.pending, h.urgent = false, false
}

// findGoInstance finds wasm_exec.js's Go object that runs this program, to
// call its exports and its resume directly. wasm_exec.js keeps it out of
// reach, but js.FuncOf calls its _makeFuncWrapper method: for one call, the
// method is replaced by a Go function that sees its receiver. Nothing is
// evaluated; without a wasm_exec.js of that shape, ok is false and wsclient
// enters Go through js.FuncOf callbacks instead.
func findGoInstance() (inst js.Value, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	class := js.Global().Get("Go")
	if class.Type() != js.TypeFunction {
		return js.Value{}, false
	}
	proto := class.Get("prototype")
	orig := proto.Get("_makeFuncWrapper")
	if orig.Type() != js.TypeFunction || proto.Get("_resume").Type() != js.TypeFunction {
		return js.Value{}, false
	}
	var found js.Value
	spy := js.FuncOf(func(this js.Value, args []js.Value) any {
		found = this
		return orig.Call("call", this, args[0])
	})
	proto.Set("_makeFuncWrapper", spy.Value)
	probe := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	proto.Set("_makeFuncWrapper", orig)
	probe.Release()
	spy.Release()
	if found.Type() != js.TypeObject {
		return js.Value{}, false
	}
	exp := found.Get("_inst")
	if exp.Type() != js.TypeObject || exp.Get("exports").Get("wsclientSchedule").Type() != js.TypeFunction {
		return js.Value{}, false
	}
	return found, true
}
