// The browser's own WebSocket, driven directly from JavaScript: the
// physical limit the Go clients are compared with. It runs the same four
// workloads, with the same parameters, as clients/internal/harness does for
// the wasm clients, and reports the same JSON (see harness.Result).
"use strict";

const openSocket = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => resolve(ws);
  ws.onerror = () => reject(new Error("websocket error: " + url));
});

const closeSocket = (ws) => new Promise((resolve) => {
  if (ws.readyState === WebSocket.CLOSED) return resolve();
  ws.onclose = () => resolve();
  ws.close(1000, "");
});

const sizeOf = (d) => (typeof d === "string" ? d.length : d.byteLength);

// pipelined sends n copies of msg without waiting, then waits for n echoes.
// It returns the elapsed milliseconds.
const pipelined = (ws, n, msg) => new Promise((resolve, reject) => {
  let got = 0;
  const want = sizeOf(msg);
  const t0 = performance.now();
  ws.onmessage = (e) => {
    if (sizeOf(e.data) !== want) reject(new Error("echo of the wrong size"));
    if (++got === n) resolve(performance.now() - t0);
  };
  for (let i = 0; i < n; i++) ws.send(msg);
});

// roundTrips sends msg and waits for its echo, n times in a row; it returns
// each round trip in microseconds.
const roundTrips = (ws, n, msg) => new Promise((resolve) => {
  const out = [];
  let t0 = 0;
  ws.onmessage = () => {
    out.push((performance.now() - t0) * 1000);
    if (out.length === n) return resolve(out);
    t0 = performance.now();
    ws.send(msg);
  };
  t0 = performance.now();
  ws.send(msg);
});

// flood asks the server for n messages and counts them; it returns the
// milliseconds from the request to the last message.
const flood = (ws, n) => new Promise((resolve) => {
  let got = 0;
  let t0 = 0;
  ws.onmessage = () => {
    if (++got === n) resolve(performance.now() - t0);
  };
  t0 = performance.now();
  ws.send("go");
});

globalThis.runNative = async (p) => {
  const n = Number(p.pipe_n), size = Number(p.pipe_size);
  const rttN = Number(p.rtt_n), rttWarm = Number(p.rtt_warm), rttSize = Number(p.rtt_size);
  const bigN = Number(p.big_n), bigSize = Number(p.big_size);
  const floodN = Number(p.flood_n), floodSize = Number(p.flood_size);
  const base = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;

  const ws = await openSocket(base + "/echo");
  const small = "x".repeat(size);
  await pipelined(ws, 200, small);
  const pipeMs = await pipelined(ws, n, small);

  const tiny = "y".repeat(rttSize);
  await roundTrips(ws, rttWarm, tiny);
  const rtt = await roundTrips(ws, rttN, tiny);

  const big = new Uint8Array(bigSize);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  await pipelined(ws, 2, big);
  const bigMs = await pipelined(ws, bigN, big);
  await closeSocket(ws);

  const fws = await openSocket(`${base}/bench/flood?n=${floodN}&size=${floodSize}`);
  const floodMs = await flood(fws, floodN);
  await closeSocket(fws);

  return {
    pipelined_rate: n / (pipeMs / 1000),
    rtt_us: rtt,
    big_mbps: (bigN * bigSize) / 1e6 / (bigMs / 1000),
    flood_rate: floodN / (floodMs / 1000),
  };
};
