// Runs cspecho.wasm, then reports every Content-Security-Policy violation so
// far (see csp-watch.js) and says "cspecho: done" on the console.
(async () => {
  try {
    const go = new Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch("/cspecho.wasm"), go.importObject);
    await go.run(instance);
  } catch (e) {
    document.getElementById("result").textContent = JSON.stringify({ error: String(e && e.stack ? e.stack : e) });
  }
  globalThis.cspWatch?.flush();
  console.log("cspecho: done");
})();
