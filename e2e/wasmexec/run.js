// Runs the Go program and reports to the runner through the console: "\u0001s"
// when the program starts, then its output (see memfs.js), then its exit code
// ("\u0001x" + code) after all of its output, after the files it wrote for
// the host (POST /file) and after every Content-Security-Policy violation so
// far (see csp-watch.js). Before it starts, the files the runner lists are
// copied in from the host (GET /host). The page's address carries the run's
// key, which the runner asks for on /config.json, /program.wasm, /host and
// /file.
(async () => {
  const key = encodeURIComponent(new URLSearchParams(location.search).get("key"));
  const fail = (what, e) => console.log("\u0001e" + "wasmexec: " + what + (e && e.stack ? e.stack : String(e)) + "\n");
  let code = 0;
  let cfg = null;
  try {
    cfg = await (await fetch("/config.json?key=" + key)).json();
    wasmexecFS.setup(cfg.dir, cfg.mkdirs || [], cfg.pid, cfg.ppid);
    await Promise.all((cfg.hostFiles || []).map(async (f) => {
      const r = await fetch("/host?key=" + key + "&path=" + encodeURIComponent(f.path));
      if (!r.ok) throw new Error(f.path + ": " + r.status + " " + (await r.text()).trim());
      wasmexecFS.put(f.path, new Uint8Array(await r.arrayBuffer()), f.mode, f.mtime);
    }));
    const go = new Go();
    go.argv = cfg.argv;
    go.env = cfg.env;
    go.exit = (c) => { code = c; };
    const { instance } = await WebAssembly.instantiateStreaming(fetch("/program.wasm?key=" + key), go.importObject);
    console.log("\u0001s");
    await go.run(instance);
  } catch (e) {
    fail("", e);
    code = code || 1;
  }
  try {
    const files = cfg ? wasmexecFS.collect(cfg.outputs || [], cfg.outputDirs || []) : [];
    for (const [path, data] of files) {
      const r = await fetch("/file?key=" + key + "&path=" + encodeURIComponent(path), { method: "POST", body: data });
      if (!r.ok) throw new Error(path + ": " + r.status + " " + (await r.text()).trim());
    }
  } catch (e) {
    fail("writing a file on the host: ", e);
    code = code || 1;
  }
  globalThis.cspWatch?.flush();
  console.log("\u0001x" + code);
})();
