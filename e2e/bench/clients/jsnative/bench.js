// The browser's own WebSocket (or WebSocketStream), driven directly from
// JavaScript: the baseline the Go clients are compared with. It runs the
// same workloads, with the same parameters, as clients/internal/harness
// does for the wasm clients, and reports the same JSON (see harness.Result).
//
// Every workload uses each message as an application would, as the Go
// clients must: it takes the data, checks its length and reads its first
// character or byte (binary data wrapped in a Uint8Array). With touch
// "none" it touches nothing — it counts message events without reading
// event.data — which no application does: that variant is a limit, not a
// contender.
"use strict";

// use reads a message as an application would and returns its length.
let sink = 0;
const use = (d) => {
  if (typeof d === "string") {
    sink = (sink + d.charCodeAt(0)) | 0;
    return d.length;
  }
  const b = d instanceof ArrayBuffer ? new Uint8Array(d) : d;
  sink = (sink + b[0]) | 0;
  return b.length;
};

const sizeOf = (d) => (typeof d === "string" ? d.length : d.byteLength);

// A socket is { send(msg), listen(fn), listenBare(fn), close() }: listen
// makes fn receive each message's data; listenBare calls fn for each
// message without reading its data (WebSocket only).

const openWebSocket = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => resolve({
    send: (m) => ws.send(m),
    listen: (fn) => { ws.onmessage = (e) => fn(e.data); },
    listenBare: (fn) => { ws.onmessage = fn; },
    close: () => new Promise((done) => {
      if (ws.readyState === WebSocket.CLOSED) return done();
      ws.onclose = () => done();
      ws.close(1000, "");
    }),
  });
  ws.onerror = () => reject(new Error("websocket error: " + url));
});

// openStream opens a WebSocketStream (Chromium 124+): one read loop hands
// each message to the listener; writes are not awaited (the stream queues
// them), as WebSocket's send() does not wait either.
const openStream = async (url) => {
  if (typeof WebSocketStream !== "function") throw new Error("this browser has no WebSocketStream");
  const wss = new WebSocketStream(url);
  const { readable, writable } = await wss.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  let listener = () => {};
  const ignore = () => {};
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      listener(value);
    }
  })().catch(ignore);
  return {
    send: (m) => { writer.write(m).catch(ignore); },
    listen: (fn) => { listener = fn; },
    listenBare: () => { throw new Error("WebSocketStream has no bare variant"); },
    close: async () => {
      try { wss.close({ closeCode: 1000, reason: "" }); } catch (e) { /* already closed */ }
      await wss.closed.catch(ignore);
    },
  };
};

// listen sets fn to receive each message: with touch, after checking that
// its length is want; without, as soon as it arrives.
const listen = (s, touch, want, fn, reject) => {
  if (!touch) return s.listenBare(fn);
  s.listen((d) => {
    if (use(d) !== want) return reject(new Error(`message of ${sizeOf(d)} bytes, want ${want}`));
    fn();
  });
};

// pipelined sends n copies of msg without waiting, then waits for n echoes.
// It returns the elapsed milliseconds.
const pipelined = (s, touch, n, msg) => new Promise((resolve, reject) => {
  if (n === 0) return resolve(0);
  let got = 0;
  const t0 = performance.now();
  listen(s, touch, sizeOf(msg), () => {
    if (++got === n) resolve(performance.now() - t0);
  }, reject);
  for (let i = 0; i < n; i++) s.send(msg);
});

// roundTrips sends msg and waits for its echo, n times in a row; it returns
// each round trip in microseconds.
const roundTrips = (s, touch, n, msg) => new Promise((resolve, reject) => {
  if (n === 0) return resolve([]);
  const out = [];
  let t0 = 0;
  listen(s, touch, sizeOf(msg), () => {
    out.push((performance.now() - t0) * 1000);
    if (out.length === n) return resolve(out);
    t0 = performance.now();
    s.send(msg);
  }, reject);
  t0 = performance.now();
  s.send(msg);
});

// flood asks the flood endpoint for n messages of size bytes and counts
// them; it returns the milliseconds from the request to the last message.
const flood = (s, touch, n, size) => new Promise((resolve, reject) => {
  if (n === 0) return resolve(0);
  let got = 0;
  let t0 = 0;
  listen(s, touch, size, () => {
    if (++got === n) resolve(performance.now() - t0);
  }, reject);
  t0 = performance.now();
  s.send(String(n));
});

// openNative opens a native client's two connections (/echo and a
// repeatable /bench/flood) and returns its workloads, one block at a time:
// the same shape as the Go side of clients/internal/harness (goBench).
// api is "websocket" or "stream"; touch false is the limit variant.
globalThis.openNative = async (api, touch, p) => {
  const open = api === "stream" ? openStream : openWebSocket;
  const base = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
  const size = Number(p.pipe_size), rttSize = Number(p.rtt_size);
  const bigSize = Number(p.big_size), floodSize = Number(p.flood_size);
  const ws = await open(base + "/echo");
  const fws = await open(`${base}/bench/flood?n=1&size=${floodSize}&repeat=1`);
  const small = "x".repeat(size);
  const tiny = "y".repeat(rttSize);
  const big = new Uint8Array(bigSize);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  return {
    pipelined: (n) => pipelined(ws, touch, n, small),
    rtt: (n) => roundTrips(ws, touch, n, tiny),
    big: (n) => pipelined(ws, touch, n, big),
    flood: (n) => flood(fws, touch, n, floodSize),
    close: async () => { await ws.close(); await fws.close(); },
  };
};

// runNative runs the page-level workloads (see harness.run for the Go
// clients' identical sequence) and returns harness.Result's JSON object.
globalThis.runNative = async (p) => {
  const side = await openNative(p.api || "websocket", p.touch !== "none", p);
  const n = Number(p.pipe_n), bigN = Number(p.big_n), floodN = Number(p.flood_n);
  await side.pipelined(200);
  const pipeMs = await side.pipelined(n);
  await side.rtt(Number(p.rtt_warm));
  const rtt = await side.rtt(Number(p.rtt_n));
  await side.big(2);
  const bigMs = await side.big(bigN);
  const floodMs = await side.flood(floodN);
  await side.close();
  return {
    pipelined_rate: n / (pipeMs / 1000),
    rtt_us: rtt,
    big_mbps: (bigN * Number(p.big_size)) / 1e6 / (bigMs / 1000),
    flood_rate: floodN / (floodMs / 1000),
    sink,
  };
};
