// Node's ws echo server for make bench: the same contract as duplex's /echo
// (every message back with its type, up to 16 MiB, no compression), on
// 127.0.0.1 only. Prints "listening on 127.0.0.1:PORT" once ready.
"use strict";
const { WebSocketServer } = require("ws");

const wss = new WebSocketServer({
  host: "127.0.0.1",
  port: Number(process.env.PORT || 0),
  maxPayload: 16 << 20,
  perMessageDeflate: false,
});
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => {});
});
wss.on("listening", () => {
  const a = wss.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
process.on("SIGTERM", () => process.exit(0));
