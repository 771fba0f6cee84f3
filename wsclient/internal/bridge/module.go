//go:build !js

package bridge

// Module returns the bridge module's binary. Every received message waits in
// a table (a queue of JavaScript values) until Go takes a batch: take packs
// text (UTF-8 encoded by encodeInto) and binary payloads into the scratch
// memory with one (kind, length) pair each, so that Go copies the whole batch
// with one CopyBytesToGo and creates no js.Value per message. The first
// message after Go last emptied the queue calls schedule, once.
func Module() []byte {
	m := &module{importModule: ImportModule, memImport: ImportMemory, memMinPages: ScratchPages, tableMin: 64}
	E, I := externref, i32
	sig := func(types ...byte) []byte { return types }

	// Imports: the browser's built-ins and Go's two callbacks.
	data := m.importFunc(ImportData, sig(E), sig(E))
	isBinary := m.importFunc(ImportIsBinary, sig(E), sig(I))
	strLen := m.importFunc(ImportStrLen, sig(E, E), sig(I))
	encodeInto := m.importFunc(ImportEncodeInto, sig(E, E), sig(E))
	get := m.importFunc(ImportGet, sig(E, E), sig(E))
	getI32 := m.importFunc(ImportGetI32, sig(E, E), sig(I))
	byteLength := m.importFunc(ImportByteLength, sig(E), sig(I))
	arrayOf := m.importFunc(ImportArrayOf, sig(E), sig(E))
	construct := m.importFunc(ImportConstruct, sig(E, E), sig(E))
	set := m.importFunc(ImportSet, sig(E, E, I), nil)
	subarray := m.importFunc(ImportSubarray, sig(E, I, I), sig(E))
	slice := m.importFunc(ImportSlice, sig(E, I, I), sig(E))
	decode := m.importFunc(ImportDecode, sig(E), sig(E))
	sendWS := m.importFunc(ImportSendWS, sig(E, E), nil)
	readyState := m.importFunc(ImportReadyState, sig(E), sig(I))
	read := m.importFunc(ImportRead, sig(E), sig(E))
	then := m.importFunc(ImportThen, sig(E, E, E), sig(E))
	write := m.importFunc(ImportWrite, sig(E, E), sig(E))
	schedule := m.importFunc(ImportSchedule, nil, nil)
	progress := m.importFunc(ImportProgress, nil, nil)

	empty := m.importGlobal(ImportEmpty, E)
	keyWritten := m.importGlobal(ImportKeyWritten, E)
	keyDone := m.importGlobal(ImportKeyDone, E)
	keyValue := m.importGlobal(ImportKeyValue, E)
	uint8Array := m.importGlobal(ImportUint8Array, E)
	view := m.importGlobal(ImportView, E)

	// State. The queue is table[head:tail].
	head, tail := m.defineGlobal(I), m.defineGlobal(I)
	queuedSize := m.defineGlobal(I) // bytes of binary + UTF-16 units of text waiting
	scheduled := m.defineGlobal(I)  // schedule was called and the queue has not been emptied since
	reader, onRead, onReadFail := m.defineGlobal(E), m.defineGlobal(E), m.defineGlobal(E)
	started, reading, limit, ended := m.defineGlobal(I), m.defineGlobal(I), m.defineGlobal(I), m.defineGlobal(I)
	onWritten, onWriteFail := m.defineGlobal(E), m.defineGlobal(E)
	completed, wantProgress := m.defineGlobal(I), m.defineGlobal(I)

	// sizeOf(data) → byteLength of an ArrayBuffer, length of a string.
	sizeOf := m.defineFunc("", false, sig(E), sig(I))
	sizeOf.locals = sig(I)
	sizeOf.body = new(code).
		get(0).call(isBinary).ifThen().get(0).call(byteLength).set(1).
		ifElse().get(0).gget(empty).call(strLen).set(1).end().
		get(1).b

	// push(data): append to the queue, compacting or growing the table.
	push := m.defineFunc("", false, sig(E), nil)
	push.body = new(code).
		gget(tail).tableSize().geU().ifThen().
		/**/ gget(head).i32(0).gtU().ifThen().
		/*  */ i32(0).gget(head).gget(tail).gget(head).sub().tableCopy(). // table[0:] = table[head:tail]
		/*  */ gget(tail).gget(head).sub().nullRef().gget(head).tableFill(). // clear what moved
		/*  */ gget(tail).gget(head).sub().gset(tail).
		/*  */ i32(0).gset(head).
		/**/ ifElse().
		/*  */ nullRef().tableSize().i32(64).add().tableGrow().drop().
		/**/ end().
		end().
		gget(tail).get(0).tableSet().
		incr(tail, 1).
		gget(queuedSize).get(0).call(sizeOf).add().gset(queuedSize).b

	// maybeSchedule(): tell Go once that messages are waiting.
	maybeSchedule := m.defineFunc("", false, nil, nil)
	maybeSchedule.body = new(code).
		gget(scheduled).eqz().ifThen().i32(1).gset(scheduled).call(schedule).end().b

	// settle(): once the queue is empty, start again at the table's start and
	// let the next message call schedule.
	settle := m.defineFunc("", false, nil, nil)
	settle.body = new(code).
		gget(head).gget(tail).geU().ifThen().
		i32(0).gset(head).i32(0).gset(tail).i32(0).gset(queuedSize).i32(0).gset(scheduled).
		end().b

	// readNext(): ask the stream's reader for the next message.
	readNext := m.defineFunc("", false, nil, nil)
	readNext.body = new(code).
		gget(reader).call(read).gget(onRead).gget(onReadFail).call(then).drop().b

	// chunk(len, text) → scratch[0:len] as a string (text) or a copied Uint8Array.
	chunk := m.defineFunc("", false, sig(I, I), sig(E))
	chunk.locals = sig(E)
	chunk.body = new(code).
		get(1).ifThen().gget(view).i32(0).get(0).call(subarray).call(decode).set(2).
		ifElse().gget(view).i32(0).get(0).call(slice).set(2).end().
		get(2).b

	// writeProgress(): a write completed.
	writeProgress := m.defineFunc("", false, nil, nil)
	writeProgress.body = new(code).
		incr(completed, 1).
		gget(wantProgress).ifThen().i32(0).gset(wantProgress).call(progress).end().b

	// Exports.
	// onmessage(event): queue its data. Every UrgentEvery messages that
	// wait, schedule is called again: Go then takes them before the browser
	// dispatches more, so a reader that keeps up never meets the bounds.
	onMessage := m.defineFunc(ExportOnMessage, true, sig(E), nil)
	onMessage.locals = sig(I)
	onMessage.body = new(code).
		get(0).call(data).call(push).call(maybeSchedule).
		gget(tail).gget(head).sub().tee(1).ifThen().
		get(1).i32(UrgentEvery).remU().eqz().ifThen().call(schedule).end().
		end().b

	m.defineFunc(ExportStartRead, true, sig(E, E, E, I), nil).body = new(code).
		get(0).gset(reader).get(1).gset(onRead).get(2).gset(onReadFail).get(3).gset(limit).
		i32(1).gset(started).i32(1).gset(reading).call(readNext).b

	m.defineFunc(ExportOnRead, true, sig(E), nil).body = new(code).
		get(0).gget(keyDone).call(getI32).ifThen().
		i32(1).gset(ended).i32(0).gset(reading).call(maybeSchedule).ret().
		end().
		get(0).gget(keyValue).call(get).call(push).
		gget(tail).gget(head).sub().gget(limit).ltU().ifThen().call(readNext).
		ifElse().i32(0).gset(reading).end().
		call(maybeSchedule).b

	m.defineFunc(ExportOnReadFail, true, sig(E), nil).body = new(code).
		i32(1).gset(ended).i32(0).gset(reading).call(maybeSchedule).b

	m.defineFunc(ExportSetLimit, true, sig(I), nil).body = new(code).
		get(0).gset(limit).
		gget(started).ifThen().gget(reading).eqz().ifThen().gget(ended).eqz().ifThen().
		gget(tail).gget(head).sub().gget(limit).ltU().ifThen().
		i32(1).gset(reading).call(readNext).
		end().end().end().end().b

	// take(max) → (end << TakeShift) | count, or TakeLarge.
	const pMax, lCount, lOff, lData, lLen, lUnits = 0, 1, 2, 3, 4, 5
	take := m.defineFunc(ExportTake, true, sig(I), sig(I))
	take.locals = sig(I, I, E, I, I)
	take.body = new(code).
		i32(MetaBytes).set(lOff).
		block().loop().
		/**/ get(lCount).get(pMax).geU().brIf(1).
		/**/ gget(head).gget(tail).geU().brIf(1).
		/**/ gget(head).tableGet().set(lData).
		/**/ get(lData).call(isBinary).ifThen().
		/*  */ get(lData).call(byteLength).set(lLen).
		/*  */ get(lOff).get(lLen).add().i32(ScratchBytes).gtU().brIf(2). // does not fit: stop
		/*  */ gget(view).gget(uint8Array).get(lData).call(arrayOf).call(construct).get(lOff).call(set).
		/*  */ get(lCount).i32(8).mul().i32(KindBinary).store(HeaderBytes).
		/*  */ gget(queuedSize).get(lLen).sub().gset(queuedSize).
		/**/ ifElse().
		/*  */ get(lData).gget(empty).call(strLen).set(lUnits).
		/*  */ get(lOff).get(lUnits).i32(3).mul().add().i32(ScratchBytes).gtU().brIf(2). // may not fit: stop
		/*  */ get(lData).gget(view).get(lOff).i32(ScratchBytes).call(subarray).call(encodeInto).
		/*  */ gget(keyWritten).call(getI32).set(lLen).
		/*  */ get(lCount).i32(8).mul().i32(KindText).store(HeaderBytes).
		/*  */ gget(queuedSize).get(lUnits).sub().gset(queuedSize).
		/**/ end().
		/**/ get(lCount).i32(8).mul().get(lLen).store(HeaderBytes+4).
		/**/ gget(head).nullRef().tableSet().
		/**/ incr(head, 1).
		/**/ get(lOff).get(lLen).add().set(lOff).
		/**/ get(lCount).i32(1).add().set(lCount).
		/**/ br(0).
		end().end().
		i32(0).gget(tail).gget(head).sub().store(0). // header: what still waits
		i32(0).gget(queuedSize).store(4).
		call(settle).
		get(lCount).eqz().ifThen(). // nothing taken: empty, or too large for the scratch memory
		gget(head).gget(tail).ltU().ifThen().i32(TakeLarge).ret().end().
		i32(0).ret().
		end().
		get(lOff).i32(1 << TakeShift).mul().get(lCount).add().b

	m.defineFunc(ExportPeek, true, nil, sig(E)).body = new(code).
		gget(head).tableGet().b

	m.defineFunc(ExportDrop, true, nil, nil).body = new(code).
		gget(head).gget(tail).ltU().ifThen().
		gget(queuedSize).gget(head).tableGet().call(sizeOf).sub().gset(queuedSize).
		gget(head).nullRef().tableSet().
		incr(head, 1).
		end().
		call(settle).b

	m.defineFunc(ExportQueued, true, nil, sig(I)).body = new(code).gget(tail).gget(head).sub().b
	m.defineFunc(ExportQueuedBytes, true, nil, sig(I)).body = new(code).gget(queuedSize).b
	m.defineFunc(ExportEnded, true, nil, sig(I)).body = new(code).gget(ended).b

	// send(ws, len, text) → the readyState seen; sends unless CONNECTING
	// (once closing has started the browser discards it, and counts it).
	send := m.defineFunc(ExportSend, true, sig(E, I, I), sig(I))
	send.locals = sig(I)
	send.body = new(code).
		get(0).call(readyState).tee(3).ifThen().get(0).get(1).get(2).call(chunk).call(sendWS).end().
		get(3).b

	m.defineFunc(ExportReadyState, true, sig(E), sig(I)).body = new(code).get(0).call(readyState).b

	m.defineFunc(ExportWrite, true, sig(E, I, I), nil).body = new(code).
		get(0).get(1).get(2).call(chunk).call(write).gget(onWritten).gget(onWriteFail).call(then).drop().b

	m.defineFunc(ExportOnWritten, true, sig(E), nil).body = new(code).call(writeProgress).b
	m.defineFunc(ExportOnWriteFail, true, sig(E), nil).body = new(code).call(writeProgress).b

	m.defineFunc(ExportSetCallbacks, true, sig(E, E), nil).body = new(code).
		get(0).gset(onWritten).get(1).gset(onWriteFail).b

	m.defineFunc(ExportCompleted, true, nil, sig(I)).body = new(code).gget(completed).b
	m.defineFunc(ExportAwaitWrite, true, nil, nil).body = new(code).i32(1).gset(wantProgress).b

	return m.encode()
}
