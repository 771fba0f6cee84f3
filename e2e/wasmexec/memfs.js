// A small in-memory file system in the shape of Node's fs, installed before
// wasm_exec.js so that Go's syscall/js file calls work in the page: testing
// runs Examples by sending stdout to a temporary file. Standard output and
// error go to the console with a marker that the runner recognises.
(() => {
  const enc = (code) => { const e = new Error(code); e.code = code; return e; };
  const constants = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128,
    O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };
  const files = new Map();          // path -> {data: Uint8Array, size: number, mtime: number}
  const fds = new Map();            // fd -> {path, pos, append}
  let nextFD = 10;
  const decoders = { 1: new TextDecoder("utf-8"), 2: new TextDecoder("utf-8") };
  const out = (fd, buf) => {
    const s = decoders[fd].decode(buf, { stream: true });
    if (s !== "") console.log((fd === 2 ? "\u0001e" : "\u0001o") + s);
    return buf.length;
  };
  const grow = (f, end) => {
    if (end > f.data.length) {
      const d = new Uint8Array(Math.max(end, f.data.length * 2, 256));
      d.set(f.data.subarray(0, f.size));
      f.data = d;
    }
  };
  const stat = (f) => ({
    dev: 0, ino: 0, mode: 0o100600, nlink: 1, uid: 0, gid: 0, rdev: 0,
    size: f.size, blksize: 4096, blocks: Math.ceil(f.size / 512),
    atimeMs: f.mtime, mtimeMs: f.mtime, ctimeMs: f.mtime,
    isDirectory: () => false,
  });
  const writeAt = (fd, buf, position) => {
    const h = fds.get(fd);
    if (!h) throw enc("EBADF");
    const f = files.get(h.path);
    let at = position ?? (h.append ? f.size : h.pos);
    grow(f, at + buf.length);
    f.data.set(buf, at);
    f.size = Math.max(f.size, at + buf.length);
    f.mtime = Date.now();
    if (position === null || position === undefined) h.pos = at + buf.length;
    return buf.length;
  };
  globalThis.fs = {
    constants,
    writeSync(fd, buf) {
      if (fd === 1 || fd === 2) return out(fd, buf);
      return writeAt(fd, buf, null);
    },
    write(fd, buf, offset, length, position, cb) {
      const chunk = buf.subarray(offset, offset + length);
      let n;
      try { n = (fd === 1 || fd === 2) ? out(fd, chunk) : writeAt(fd, chunk, position); }
      catch (e) { return cb(e); }
      cb(null, n);
    },
    open(path, flags, mode, cb) {
      const exists = files.has(path);
      if (exists && (flags & constants.O_CREAT) && (flags & constants.O_EXCL)) return cb(enc("EEXIST"));
      if (!exists && !(flags & constants.O_CREAT)) return cb(enc("ENOENT"));
      if (!exists || (flags & constants.O_TRUNC)) files.set(path, { data: new Uint8Array(0), size: 0, mtime: Date.now() });
      const fd = nextFD++;
      fds.set(fd, { path, pos: 0, append: !!(flags & constants.O_APPEND) });
      cb(null, fd);
    },
    read(fd, buffer, offset, length, position, cb) {
      const h = fds.get(fd);
      if (!h) return cb(enc("EBADF"));
      const f = files.get(h.path);
      const at = position ?? h.pos;
      const n = Math.max(0, Math.min(length, f.size - at));
      buffer.set(f.data.subarray(at, at + n), offset);
      if (position === null || position === undefined) h.pos = at + n;
      cb(null, n);
    },
    fstat(fd, cb) { const h = fds.get(fd); if (!h) return cb(enc("EBADF")); cb(null, stat(files.get(h.path))); },
    stat(path, cb) { const f = files.get(path); if (!f) return cb(enc("ENOENT")); cb(null, stat(f)); },
    lstat(path, cb) { this.stat(path, cb); },
    close(fd, cb) { if (!fds.delete(fd)) return cb(enc("EBADF")); cb(null); },
    unlink(path, cb) { if (!files.delete(path)) return cb(enc("ENOENT")); cb(null); },
    fsync(fd, cb) { cb(null); },
    chmod(path, mode, cb) { cb(enc("ENOSYS")); }, chown(path, uid, gid, cb) { cb(enc("ENOSYS")); },
    fchmod(fd, mode, cb) { cb(enc("ENOSYS")); }, fchown(fd, uid, gid, cb) { cb(enc("ENOSYS")); },
    lchown(path, uid, gid, cb) { cb(enc("ENOSYS")); }, link(path, link, cb) { cb(enc("ENOSYS")); },
    mkdir(path, perm, cb) { cb(enc("ENOSYS")); }, readdir(path, cb) { cb(enc("ENOSYS")); },
    readlink(path, cb) { cb(enc("ENOSYS")); }, rename(from, to, cb) { cb(enc("ENOSYS")); },
    rmdir(path, cb) { cb(enc("ENOSYS")); }, symlink(path, link, cb) { cb(enc("ENOSYS")); },
    truncate(path, length, cb) { cb(enc("ENOSYS")); }, ftruncate(fd, length, cb) { cb(enc("ENOSYS")); },
    utimes(path, atime, mtime, cb) { cb(enc("ENOSYS")); },
  };
})();
