//go:build js && wasm

package wsclient

import "syscall/js"

// netWatch turns the browser's online, offline and visibilitychange events
// into netEvents. Its handlers only queue (never block the event loop); a
// full queue drops the event, which the next one supersedes.
type netWatch struct {
	events chan netEvent
	funcs  []js.Func
	undo   []func()
}

func watchNetwork() *netWatch {
	w := &netWatch{events: make(chan netEvent, 8)}
	send := func(ev netEvent) {
		select {
		case w.events <- ev:
		default:
		}
	}
	global := js.Global()
	if global.Get("addEventListener").Type() == js.TypeFunction {
		w.listen(global, "online", func(js.Value) { send(netOnline) })
		w.listen(global, "offline", func(js.Value) { send(netOffline) })
	}
	if doc := global.Get("document"); doc.Type() == js.TypeObject {
		w.listen(doc, "visibilitychange", func(js.Value) {
			if doc.Get("visibilityState").String() == "visible" {
				send(netVisible)
			}
		})
	}
	return w
}

func (w *netWatch) listen(target js.Value, event string, fn func(js.Value)) {
	f := newFunc(fn)
	target.Call("addEventListener", event, f)
	w.funcs = append(w.funcs, f)
	w.undo = append(w.undo, func() { target.Call("removeEventListener", event, f) })
}

// online reports navigator.onLine (true where there is no navigator).
func (w *netWatch) online() bool {
	nav := js.Global().Get("navigator")
	if nav.Type() != js.TypeObject {
		return true
	}
	on := nav.Get("onLine")
	return on.Type() != js.TypeBoolean || on.Bool()
}

// stop removes the listeners and releases their js.Funcs.
func (w *netWatch) stop() {
	for _, u := range w.undo {
		u()
	}
	for _, f := range w.funcs {
		releaseFunc(f)
	}
	w.funcs, w.undo = nil, nil
}
