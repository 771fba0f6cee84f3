// Runs the Go test binary and reports its exit code to the runner through
// the console ("\u0001x" + code), after all of its output and after every
// Content-Security-Policy violation so far (see csp-watch.js).
(async () => {
  let code = 0;
  try {
    const cfg = await (await fetch("/config.json")).json();
    const go = new Go();
    go.argv = cfg.argv;
    go.env = cfg.env;
    go.exit = (c) => { code = c; };
    const { instance } = await WebAssembly.instantiateStreaming(fetch("/test.wasm"), go.importObject);
    await go.run(instance);
  } catch (e) {
    console.log("\u0001e" + "wasmexec: " + (e && e.stack ? e.stack : String(e)) + "\n");
    code = code || 1;
  }
  globalThis.cspWatch?.flush();
  console.log("\u0001x" + code);
})();
