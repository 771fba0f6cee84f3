// Node's ws echo server for make bench: the same contract as duplex's /echo
// (every message back with its type, up to 16 MiB, no compression), on
// 127.0.0.1 only. Prints "listening on 127.0.0.1:PORT" once ready.
//
// PING_MS > 0 turns on the heartbeat of ws's documentation, as duplex's
// server pings: every PING_MS milliseconds each connection that has not
// answered the previous ping is terminated, and the others are pinged.
"use strict";
const { WebSocketServer } = require("ws");

const pingMs = Number(process.env.PING_MS || 0);

const wss = new WebSocketServer({
  host: "127.0.0.1",
  port: Number(process.env.PORT || 0),
  maxPayload: 16 << 20,
  perMessageDeflate: false,
});

function heartbeat() {
  this.isAlive = true;
}

wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => {});
  if (pingMs > 0) {
    ws.isAlive = true;
    ws.on("pong", heartbeat);
  }
});

if (pingMs > 0) {
  const interval = setInterval(() => {
    for (const ws of wss.clients) {
      if (ws.isAlive === false) {
        ws.terminate();
        continue;
      }
      ws.isAlive = false;
      ws.ping();
    }
  }, pingMs);
  wss.on("close", () => clearInterval(interval));
}

wss.on("listening", () => {
  const a = wss.address();
  console.log(`listening on ${a.address}:${a.port}${pingMs > 0 ? ` (ping every ${pingMs} ms)` : ""}`);
});
process.on("SIGTERM", () => process.exit(0));
