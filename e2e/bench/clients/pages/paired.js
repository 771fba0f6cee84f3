// The paired measurement's driver: inside one page, blocks of the native
// client (jsnative/bench.js's openNative) and of the Go client
// (window.goBench, see clients/internal/harness/paired.go) alternate. For
// each workload: one warm-up block on each side, then p.pairs pairs of
// blocks; the Go block comes first in every other pair, and p.first ("js"
// or "go") says which side starts the first pair. A workload whose block
// size is 0 is skipped.
//
// It returns { workload: [{ first, js: block, go: block }, …], … } where a
// block is { ms } (pipelined, big, flood) or { rtt_us: [...] } (rtt).
"use strict";

globalThis.runPaired = async (p, goBench) => {
  const sides = { js: await openNative(p.api || "websocket", true, p), go: goBench };
  await goBench.open();
  const block = async (side, workload, n) => {
    const v = await sides[side][workload](n);
    return Array.isArray(v) ? { rtt_us: v } : { ms: v };
  };
  const sizes = { pipelined: "pipe_n", rtt: "rtt_n", big: "big_n", flood: "flood_n" };
  const pairs = Number(p.pairs);
  const out = {};
  for (const [workload, key] of Object.entries(sizes)) {
    const n = Number(p[key]);
    if (!(n > 0)) continue;
    const warm = workload === "rtt" && Number(p.rtt_warm) > 0 ? Number(p.rtt_warm) : n;
    await block("js", workload, warm);
    await block("go", workload, warm);
    const rows = [];
    for (let k = 0; k < pairs; k++) {
      const goFirst = (k % 2 === 0) === (p.first === "go");
      const order = goFirst ? ["go", "js"] : ["js", "go"];
      const row = { first: order[0] };
      for (const side of order) row[side] = await block(side, workload, n);
      rows.push(row);
    }
    out[workload] = rows;
  }
  await sides.js.close();
  await goBench.close();
  goBench.exit();
  return out;
};
