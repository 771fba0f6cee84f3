// An in-memory file system in the shape of Node's fs, and a process with a
// working directory, installed before wasm_exec.js so that Go's file calls
// work in the page: testing runs Examples through a temporary file, t.TempDir
// makes directories, and coverage writes and reads back a directory of
// counters before it writes its profile. It starts with copies of the files
// that the runner gives (the package's directory and its testdata:
// wasmexecFS.put). The runner names the files that must reach the host (the
// cover profile, ...): run.js sends them at exit (wasmexecFS.collect).
//
// Standard output and error go to the console, byte for byte, as they are
// written: a marker ("\u0001o" or "\u0001e") and one character per byte
// (U+0000 to U+00FF), which the runner turns back into the bytes.
(() => {
  const fail = (code) => { const e = new Error(code); e.code = code; return e; };
  const constants = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128,
    O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };
  const S_IFDIR = 0o040000, S_IFREG = 0o100000;
  let cwd = "/";

  // Absolute, clean paths: "." and ".." resolved, no trailing slash.
  const resolve = (...parts) => {
    let p = parts.reduce((acc, s) => (s.startsWith("/") ? s : acc + "/" + s), cwd);
    const out = [];
    for (const s of p.split("/")) {
      if (s === "" || s === ".") continue;
      if (s === "..") out.pop(); else out.push(s);
    }
    return "/" + out.join("/");
  };
  const parent = (p) => (p === "/" ? "/" : p.slice(0, p.lastIndexOf("/")) || "/");
  const base = (p) => p.slice(p.lastIndexOf("/") + 1);
  const within = (p, dir) => p === dir || p.startsWith(dir === "/" ? "/" : dir + "/");

  // path -> node; a node is {dir: true, mode, mtime} or {data, size, mode, mtime}.
  const nodes = new Map([["/", { dir: true, mode: 0o755, mtime: Date.now() }]]);
  const fds = new Map(); // fd -> {node, path, pos, append}
  let nextFD = 10;

  const lookupDir = (p) => {
    const d = nodes.get(parent(p));
    if (!d) throw fail("ENOENT");
    if (!d.dir) throw fail("ENOTDIR");
  };
  const mkdirAll = (p) => {
    p = resolve(p);
    if (nodes.has(p)) return;
    mkdirAll(parent(p));
    nodes.set(p, { dir: true, mode: 0o755, mtime: Date.now() });
  };
  const children = (p) => {
    const names = [];
    for (const q of nodes.keys()) {
      if (q !== "/" && q !== p && parent(q) === p) names.push(base(q));
    }
    return names.sort();
  };

  const grow = (f, end) => {
    if (end > f.data.length) {
      const d = new Uint8Array(Math.max(end, f.data.length * 2, 256));
      d.set(f.data.subarray(0, f.size));
      f.data = d;
    }
  };
  const setSize = (f, size) => {
    grow(f, size);
    if (size < f.size) f.data.fill(0, size, f.size);
    f.size = size;
    f.mtime = Date.now();
  };
  const stat = (n) => ({
    dev: 0, ino: 0, mode: (n.dir ? S_IFDIR : S_IFREG) | n.mode, nlink: 1, uid: 0, gid: 0, rdev: 0,
    size: n.dir ? 4096 : n.size, blksize: 4096, blocks: n.dir ? 8 : Math.ceil(n.size / 512),
    atimeMs: n.mtime, mtimeMs: n.mtime, ctimeMs: n.mtime,
    isDirectory: () => !!n.dir,
  });
  const handle = (fd) => {
    const h = fds.get(fd);
    if (!h) throw fail("EBADF");
    return h;
  };

  // Console output: one character per byte, in pieces small enough for apply.
  const out = (fd, buf) => {
    let s = fd === 2 ? "\u0001e" : "\u0001o";
    for (let i = 0; i < buf.length; i += 8192) {
      s += String.fromCharCode.apply(null, buf.subarray(i, i + 8192));
    }
    if (buf.length > 0) console.log(s);
    return buf.length;
  };
  const writeAt = (fd, buf, position) => {
    const h = handle(fd);
    if (h.node.dir) throw fail("EISDIR");
    const f = h.node;
    const at = position ?? (h.append ? f.size : h.pos);
    grow(f, at + buf.length);
    f.data.set(buf, at);
    f.size = Math.max(f.size, at + buf.length);
    f.mtime = Date.now();
    if (position === null || position === undefined) h.pos = at + buf.length;
    return buf.length;
  };
  const write = (fd, buf, position) => ((fd === 1 || fd === 2) ? out(fd, buf) : writeAt(fd, buf, position));

  // Each call answers through its callback, at once, as Node's would later.
  const calls = {
    open(path, flags, mode) {
      const p = resolve(path);
      let n = nodes.get(p);
      if (n && (flags & constants.O_CREAT) && (flags & constants.O_EXCL)) throw fail("EEXIST");
      if (!n) {
        if (!(flags & constants.O_CREAT)) throw fail("ENOENT");
        lookupDir(p);
        n = { data: new Uint8Array(0), size: 0, mode: mode & 0o777, mtime: Date.now() };
        nodes.set(p, n);
      }
      if (n.dir && (flags & 3) !== constants.O_RDONLY) throw fail("EISDIR");
      if (!n.dir && (flags & constants.O_DIRECTORY)) throw fail("ENOTDIR");
      if (!n.dir && (flags & constants.O_TRUNC)) setSize(n, 0);
      const fd = nextFD++;
      fds.set(fd, { node: n, path: p, pos: 0, append: !!(flags & constants.O_APPEND) });
      return fd;
    },
    read(fd, buffer, offset, length, position) {
      const h = handle(fd);
      if (h.node.dir) throw fail("EISDIR");
      const f = h.node;
      const at = position ?? h.pos;
      const n = Math.max(0, Math.min(length, f.size - at));
      buffer.set(f.data.subarray(at, at + n), offset);
      if (position === null || position === undefined) h.pos = at + n;
      return n;
    },
    write(fd, buf, offset, length, position) { return write(fd, buf.subarray(offset, offset + length), position); },
    fstat(fd) { return stat(handle(fd).node); },
    stat(path) { const n = nodes.get(resolve(path)); if (!n) throw fail("ENOENT"); return stat(n); },
    lstat(path) { return calls.stat(path); },
    close(fd) { if (!fds.delete(fd)) throw fail("EBADF"); },
    fsync(fd) { handle(fd); },
    mkdir(path, perm) {
      const p = resolve(path);
      if (nodes.has(p)) throw fail("EEXIST");
      lookupDir(p);
      nodes.set(p, { dir: true, mode: perm & 0o777, mtime: Date.now() });
    },
    readdir(path) {
      const p = resolve(path);
      const n = nodes.get(p);
      if (!n) throw fail("ENOENT");
      if (!n.dir) throw fail("ENOTDIR");
      return children(p);
    },
    rmdir(path) {
      const p = resolve(path);
      const n = nodes.get(p);
      if (!n) throw fail("ENOENT");
      if (!n.dir) throw fail("ENOTDIR");
      if (children(p).length > 0) throw fail("ENOTEMPTY");
      if (p !== "/") nodes.delete(p);
    },
    unlink(path) {
      const p = resolve(path);
      const n = nodes.get(p);
      if (!n) throw fail("ENOENT");
      if (n.dir) throw fail("EISDIR");
      nodes.delete(p);
    },
    rename(from, to) {
      const f = resolve(from), t = resolve(to);
      const n = nodes.get(f);
      if (!n) throw fail("ENOENT");
      lookupDir(t);
      if (f === t) return;
      if (n.dir && within(t, f)) throw fail("EINVAL");
      const old = nodes.get(t);
      if (old && old.dir && (!n.dir || children(t).length > 0)) throw fail(n.dir ? "ENOTEMPTY" : "EISDIR");
      if (old && !old.dir && n.dir) throw fail("ENOTDIR");
      for (const [q, m] of [...nodes]) {
        if (within(q, f)) { nodes.delete(q); nodes.set(t + q.slice(f.length), m); }
      }
    },
    truncate(path, length) {
      const n = nodes.get(resolve(path));
      if (!n) throw fail("ENOENT");
      if (n.dir) throw fail("EISDIR");
      setSize(n, length);
    },
    ftruncate(fd, length) {
      const h = handle(fd);
      if (h.node.dir) throw fail("EISDIR");
      setSize(h.node, length);
    },
    chmod(path, mode) { const n = nodes.get(resolve(path)); if (!n) throw fail("ENOENT"); n.mode = mode & 0o777; },
    fchmod(fd, mode) { handle(fd).node.mode = mode & 0o777; },
    utimes(path, atime, mtime) { const n = nodes.get(resolve(path)); if (!n) throw fail("ENOENT"); n.mtime = mtime * 1000; },
  };
  const fs = { constants };
  for (const [name, call] of Object.entries(calls)) {
    fs[name] = (...args) => {
      const cb = args.pop();
      let v;
      try { v = call(...args); } catch (e) { return cb(e); }
      cb(null, v);
    };
  }
  for (const name of ["chown", "fchown", "lchown", "link", "readlink", "symlink"]) {
    fs[name] = (...args) => args.pop()(fail("ENOSYS"));
  }
  // The Go runtime writes its own output (a panic's) through writeSync.
  fs.writeSync = (fd, buf) => write(fd, buf, null);
  globalThis.fs = fs;

  globalThis.process = {
    getuid() { return -1; }, getgid() { return -1; }, geteuid() { return -1; }, getegid() { return -1; },
    getgroups() { throw fail("ENOSYS"); },
    pid: 1, ppid: 0, // the runner's, from setup: the coverage counters' file names need one
    umask() { throw fail("ENOSYS"); },
    cwd() { return cwd; },
    chdir(path) {
      const p = resolve(path);
      const n = nodes.get(p);
      if (!n) throw fail("ENOENT");
      if (!n.dir) throw fail("ENOTDIR");
      cwd = p;
    },
  };
  globalThis.path = { resolve };

  globalThis.wasmexecFS = {
    // setup sets the working directory and the process IDs, and makes the
    // directories the program expects to find (its temporary directory,
    // where its outputs go).
    setup(dir, dirs, pid, ppid) {
      process.pid = pid;
      process.ppid = ppid;
      mkdirAll(dir);
      cwd = resolve(dir);
      for (const d of dirs) mkdirAll(d);
    },
    // put adds a file of the host, with its bytes, mode and mtime in ms.
    put(path, data, mode, mtime) {
      const p = resolve(path);
      mkdirAll(parent(p));
      nodes.set(p, { data, size: data.length, mode, mtime });
    },
    // collect returns [path, bytes] for each of the files and for every file
    // below each of the directories, as they are now.
    collect(files, dirs) {
      const found = [];
      for (const [p, n] of nodes) {
        if (n.dir) continue;
        if (files.some((f) => resolve(f) === p) || dirs.some((d) => within(p, resolve(d)))) {
          found.push([p, n.data.slice(0, n.size)]);
        }
      }
      return found;
    },
  };
})();
