// The JavaScript side of the engine: a harness that runs inside a single-use sandbox (bubblewrap) for one chunk
// (one code x some tests) and then exits.
//
// Node cannot fork, so the per-test fresh state is a fresh `vm` context per test: the code's script is compiled
// once and run again in every new context, so module-level state (counters, caches, globals) never survives
// from one test to the next. A vm context is not a security boundary, which is why the process is single-use:
// a candidate that escapes its context reaches only its own chunk, inside the sandbox, and its cells cannot
// touch other codes' cells. The context's microtasks run at the end of every evaluation
// (microtaskMode: 'afterEvaluate') and every piece of candidate code (the script, stdin events, timer
// callbacks, promise continuations, serialising the result) runs inside an evaluation with a timeout, so an
// infinite loop anywhere is interrupted without losing the process. Anything else (a heap blow-up, a loop in
// native code) is caught by the parent's watchdog, which kills the sandbox and re-runs the remaining tests.
//
// Math.random is seeded identically in every context (like random.seed(0) in Python), so that a cell's output
// does not depend on which worker ran it: outputs are cached and compared across codes.
//
// Protocol: the job (one JSON object) on stdin; JSON lines on stdout: {"load":"ok"} | {"load":"fail","cell"},
// then {"j","cell"} per test. Cells as in the Python harness; verdicts are computed by the parent.
/**
 * The tagged value tree of a JavaScript value (the twin of the Python harness's `ser`), shared by both JavaScript
 * harnesses. Needs OUTLIM in scope.
 */
export const JS_SERIALISE = String.raw`
// ------------------------------------------------------------------------------------------- serialisation
class TooBig extends Error {}
const toStr = Object.prototype.toString;
const keyOf = (t) => JSON.stringify(t);
function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

function ser(v, depth, seen, budget) {
  if (--budget.n < 0) throw new TooBig();
  if (v === null) return ['n'];
  if (v === undefined) return ['u'];
  switch (typeof v) {
    case 'boolean': return ['b', v];
    case 'number':
      if (Number.isNaN(v)) return ['f', 'nan'];
      if (!Number.isFinite(v)) return ['f', v > 0 ? 'inf' : '-inf'];
      if (Number.isInteger(v)) return ['i', BigInt(v).toString()];
      return ['f', v];
    case 'bigint': return ['i', v.toString()];
    case 'string': return ['s', v];
    case 'symbol': return ['o', 'symbol', String(v)];
    case 'function': return ['o', 'function', String(v.name || 'anonymous')];
  }
  if (depth > 200) return ['x', 'depth'];
  if (seen.has(v)) return ['x', 'cycle'];
  seen.add(v);
  try {
    const sub = (x) => ser(x, depth + 1, seen, budget);
    const tag = toStr.call(v);
    if (Array.isArray(v)) {
      const out = [];
      for (let i = 0; i < v.length; i++) out.push(sub(v[i]));
      return ['l', out];
    }
    if (ArrayBuffer.isView(v) && tag !== '[object DataView]') {
      const out = [];
      for (let i = 0; i < v.length; i++) out.push(sub(v[i]));
      return ['l', out];
    }
    if (tag === '[object Map]') {
      const items = [];
      for (const [k, x] of Map.prototype.entries.call(v)) items.push([sub(k), sub(x)]);
      items.sort((a, b) => cmp(keyOf(a[0]), keyOf(b[0])));
      return ['d', items];
    }
    if (tag === '[object Set]') {
      const els = [];
      for (const x of Set.prototype.values.call(v)) els.push(sub(x));
      els.sort((a, b) => cmp(keyOf(a), keyOf(b)));
      return ['S', els];
    }
    if (tag === '[object Date]') {
      const t = Date.prototype.getTime.call(v);
      return ['o', 'Date', Number.isNaN(t) ? 'Invalid Date' : Date.prototype.toISOString.call(v)];
    }
    if (tag === '[object RegExp]') return ['o', 'RegExp', RegExp.prototype.toString.call(v)];
    if (tag === '[object Error]') return ['o', String(v.name || 'Error'), String(v.message)];
    if (tag === '[object Promise]') return ['o', 'Promise', 'Promise'];
    if (tag === '[object Number]') return sub(Number.prototype.valueOf.call(v));
    if (tag === '[object String]') return sub(String.prototype.valueOf.call(v));
    if (tag === '[object Boolean]') return sub(Boolean.prototype.valueOf.call(v));
    const proto = Object.getPrototypeOf(v);
    let name = 'Object';
    if (proto !== null) {
      const c = proto.constructor;
      name = (typeof c === 'function' && c.name) || 'Object';
    }
    const items = Object.keys(v).sort().map((k) => [['s', k], sub(v[k])]);
    return name === 'Object' ? ['d', items] : ['o', name, ['d', items]];
  } finally {
    seen.delete(v);
  }
}

function serialise(v) {
  let text;
  try {
    text = JSON.stringify(ser(v, 0, new Set(), { n: 2000000 }));
  } catch (e) {
    if (e instanceof TooBig) return null;
    throw e;
  }
  return text.length <= OUTLIM ? text : null;
}
`;

export const JS_HARNESS = String.raw`
'use strict';
const vm = require('vm');
const fs = require('fs');
const util = require('util');
const EventEmitter = require('events');
const { builtinModules } = require('module');
const CFG = JSON.parse(process.argv[1]);
const OUTLIM = CFG.outputLimit;
const WORKDIR = CFG.workdir;
const ERRCAP = 4000;

if (CFG.dropTo) {
  process.setgroups([]);
  process.setgid(CFG.dropTo[1]);
  process.setuid(CFG.dropTo[0]);
}
try { process.chdir(WORKDIR); } catch (e) {}

function emit(obj) {
  const s = JSON.stringify(obj) + '\n';
  let buf = Buffer.from(s, 'utf8');
  while (buf.length > 0) {
    const n = fs.writeSync(1, buf);
    buf = buf.subarray(n);
  }
}

function capTail(s, n) {
  n = n || ERRCAP;
  s = String(s);
  return s.length <= n ? s : '...' + s.slice(s.length - n);
}

class ExitSignal {
  constructor(code) { this.code = code; }
}

/** A description when the process holds at least 80 % of the memory limit (heap plus buffers), else null. */
function memoryHog() {
  if (!CFG.memoryMb) return null;
  try {
    const heap = require('v8').getHeapStatistics().used_heap_size;
    const buffers = process.memoryUsage().arrayBuffers;
    const limit = CFG.memoryMb * 1024 * 1024;
    if (heap + buffers < 0.8 * limit) return null;
    const mb = (n) => Math.round(n / 1048576);
    return 'memory limit (' + CFG.memoryMb + ' MB) nearly exhausted: ' + mb(heap) + ' MB of heap and ' + mb(buffers) +
      ' MB of buffers in use when the time (' + CFG.timeoutMs + ' ms) ran out';
  } catch (_) {
    return null;
  }
}

function isTimeout(e) {
  return !!e && typeof e === 'object' && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

function isMemory(e) {
  if (!e || typeof e !== 'object') return false;
  const m = String(e.message || '');
  return e.name === 'RangeError' && /allocation failed|Failed to allocate memory|Invalid array length|Invalid typed array length|Invalid string length|out of memory|Array buffer allocation/i.test(m);
}

function fmtErr(e) {
  try {
    if (e instanceof ExitSignal) return 'process.exit(' + e.code + ')';
    if (e && typeof e === 'object' && typeof e.stack === 'string') {
      const lines = e.stack.split('\n');
      const head = [];
      const frames = [];
      for (const l of lines) {
        if (/^\s+at /.test(l)) {
          if (/(solution|test|expected)\.js/.test(l)) frames.push(l);
        } else if (frames.length === 0) head.push(l);
      }
      return capTail(head.concat(frames).join('\n'));
    }
    if (e && typeof e === 'object' && e.message) return capTail(String(e.name || 'Error') + ': ' + e.message);
    return capTail('Uncaught ' + util.inspect(e));
  } catch (x) {
    return 'exception';
  }
}

${JS_SERIALISE}
// ------------------------------------------------------------------------------------------- per-test world
const PRELUDE = new vm.Script(
  '(function (host) {\n' +
  '  "use strict";\n' +
  '  const P = Promise;\n' +
  '  const g = globalThis;\n' +
  '  g.global = g;\n' +
  '  const qm = (fn) => { P.resolve().then(() => fn()); };\n' +
  '  let seed = 0x2545f491;\n' +
  '  Math.random = function random() {\n' +
  '    seed = (seed + 0x6d2b79f5) | 0;\n' +
  '    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);\n' +
  '    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;\n' +
  '    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;\n' +
  '  };\n' +
  '  g.queueMicrotask = qm;\n' +
  '  return {\n' +
  '    queueMicrotask: qm,\n' +
  '    iter(next) {\n' +
  '      const it = { next: () => P.resolve(next()), return: () => P.resolve({ done: true, value: undefined }) };\n' +
  '      it[Symbol.asyncIterator] = () => it;\n' +
  '      return it;\n' +
  '    },\n' +
  '    settle(v) {\n' +
  '      if (v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function")\n' +
  '        P.resolve(v).then((x) => host.done(true, x), (e) => host.done(false, e));\n' +
  '      else host.done(true, v);\n' +
  '    },\n' +
  '  };\n' +
  '})', { filename: 'cosplay-prelude.js' });
const CALL = new vm.Script('__cosplay_call()', { filename: 'cosplay.js' });
const BLOCKED = new Set(['child_process', 'cluster', 'worker_threads', 'inspector', 'repl', 'trace_events']);

let current = null;

function timeoutError() {
  const e = new Error('Script execution timed out.');
  e.code = 'ERR_SCRIPT_EXECUTION_TIMEOUT';
  return e;
}

function protectedCall(st, f) {
  const left = st.deadline - Date.now();
  if (left <= 0) throw timeoutError();
  st.pending = f;
  return CALL.runInContext(st.ctx, { timeout: Math.max(1, Math.ceil(left)) });
}

function recordAsync(st, e) {
  if (st.dead) return;
  if (e instanceof ExitSignal) return;
  if (isTimeout(e)) st.timedOut = true;
  else if (isMemory(e)) st.memory = st.memory || e;
  else if (!st.asyncError) st.asyncError = e;
}

function makeWorld(mode, input, deadline) {
  const st = {
    out: [], outBytes: 0, err: [], errBytes: 0, overflow: false, exited: null, timers: new Map(), nextTimer: 1,
    asyncError: null, timedOut: false, memory: null, dead: false, deadline, pending: null, ctx: null, api: null,
    input: Buffer.from(input || '', 'utf8'), inputPos: 0, delivered: false, settled: null,
  };
  const write = (which, chunk, enc) => {
    if (st.overflow || st.exited !== null || st.dead) return true;
    let s;
    if (typeof chunk === 'string') s = chunk;
    else if (ArrayBuffer.isView(chunk)) s = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof enc === 'string' ? enc : 'utf8');
    else s = String(chunk);
    if (which === 1) {
      st.outBytes += Buffer.byteLength(s, 'utf8');
      if (st.outBytes > OUTLIM) {
        st.overflow = true;
        throw new ExitSignal(1);
      }
      st.out.push(s);
    } else if (st.errBytes < 65536) {
      st.errBytes += s.length;
      st.err.push(s);
    }
    return true;
  };
  const mkStream = (which) => {
    const s = new EventEmitter();
    s.write = (chunk, enc, cb) => {
      write(which, chunk, enc);
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') st.api.queueMicrotask(() => done(null));
      return true;
    };
    s.end = (chunk, enc, cb) => { if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') write(which, chunk, enc); };
    s.fd = which;
    s.isTTY = false;
    s.writable = true;
    s.columns = 80;
    s.cork = () => {};
    s.uncork = () => {};
    return s;
  };
  const stdout = mkStream(1);
  const stderr = mkStream(2);

  // stdin: delivered synchronously, inside an evaluation, after the main script ran.
  const stdin = new EventEmitter();
  let encoding = null;
  let readDone = false;
  stdin.fd = 0;
  stdin.isTTY = false;
  stdin.readable = true;
  stdin.setEncoding = (enc) => { encoding = enc || 'utf8'; return stdin; };
  stdin.resume = () => { stdin.flowing = true; return stdin; };
  stdin.pause = () => stdin;
  stdin.unref = () => stdin;
  stdin.ref = () => stdin;
  stdin.setRawMode = () => stdin;
  stdin.read = () => {
    if (readDone) return null;
    readDone = true;
    st.inputPos = st.input.length;
    return encoding ? st.input.toString(encoding) : Buffer.from(st.input);
  };
  // Async iterators are made inside the context so that for-await runs on the context's microtask queue.
  stdin[Symbol.asyncIterator] = () =>
    st.api.iter(() => {
      if (readDone) return { done: true, value: undefined };
      readDone = true;
      st.inputPos = st.input.length;
      return { done: false, value: encoding ? st.input.toString(encoding) : Buffer.from(st.input) };
    });
  const interfaces = [];
  const lines = () => {
    const text = st.input.toString('utf8');
    const ls = text.split(/\r?\n/);
    if (ls.length > 0 && ls[ls.length - 1] === '') ls.pop();
    return ls;
  };
  const createInterface = (opts, output) => {
    const o = opts && typeof opts === 'object' && 'input' in opts ? opts : { input: opts, output };
    const rl = new EventEmitter();
    const queue = o.input === stdin ? lines() : [];
    let closed = false;
    const waiting = [];
    rl.terminal = false;
    rl.line = '';
    rl.close = () => {
      if (closed) return;
      closed = true;
      rl.emit('close');
    };
    rl.pause = () => rl;
    rl.resume = () => rl;
    rl.setPrompt = () => {};
    rl.prompt = () => {};
    rl.write = () => {};
    rl.question = (q, a, b) => {
      const cb = typeof a === 'function' ? a : b;
      if (o.output && typeof o.output.write === 'function') o.output.write(String(q));
      if (queue.length > 0) {
        const line = queue.shift();
        if (typeof cb === 'function') st.api.queueMicrotask(() => cb(line));
      }
    };
    let iterating = false;
    rl[Symbol.asyncIterator] = () => {
      iterating = true;
      return st.api.iter(() => {
        if (!closed && queue.length > 0) return { done: false, value: queue.shift() };
        rl.close();
        return { done: true, value: undefined };
      });
    };
    rl._deliver = () => {
      if (iterating) return;
      while (!closed && queue.length > 0) rl.emit('line', queue.shift());
      rl.close();
    };
    interfaces.push(rl);
    if (st.delivered) st.api.queueMicrotask(() => rl._deliver());
    return rl;
  };
  const readlineShim = Object.assign(Object.create(require('readline')), { createInterface });
  const isStdinPath = (p) => p === 0 || p === '/dev/stdin' || p === '/proc/self/fd/0';
  const isOutPath = (p) => (p === 1 || p === '/dev/stdout' ? 1 : p === 2 || p === '/dev/stderr' ? 2 : 0);
  const fsShim = Object.assign(Object.create(fs), {
    readFileSync(p, opts) {
      if (isStdinPath(p)) {
        const enc = typeof opts === 'string' ? opts : opts && opts.encoding;
        st.inputPos = st.input.length;
        return enc ? st.input.toString(enc) : Buffer.from(st.input);
      }
      return fs.readFileSync(p, opts);
    },
    readSync(fd, buffer, a, b, c) {
      if (fd !== 0) return fs.readSync(fd, buffer, a, b, c);
      let offset = 0;
      let length = buffer.byteLength;
      if (a !== null && typeof a === 'object') { offset = a.offset || 0; length = a.length === undefined ? buffer.byteLength - offset : a.length; }
      else { if (typeof a === 'number') offset = a; if (typeof b === 'number') length = b; else length = buffer.byteLength - offset; }
      const n = Math.max(0, Math.min(length, st.input.length - st.inputPos));
      const view = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, n);
      view.set(st.input.subarray(st.inputPos, st.inputPos + n));
      st.inputPos += n;
      return n;
    },
    writeSync(fd, data, a, b) {
      const w = isOutPath(fd);
      if (!w) return fs.writeSync(fd, data, a, b);
      write(w, data, typeof a === 'string' ? a : undefined);
      return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    },
    writeFileSync(p, data, opts) {
      const w = isOutPath(p);
      if (!w) return fs.writeFileSync(p, data, opts);
      write(w, data, typeof opts === 'string' ? opts : opts && opts.encoding);
    },
  });
  const module = { exports: {} };
  const proc = new EventEmitter();
  Object.assign(proc, {
    argv: ['node', WORKDIR + '/solution.js'], argv0: 'node', execArgv: [], execPath: process.execPath, env: {},
    platform: process.platform, arch: process.arch, version: process.version, versions: process.versions,
    release: process.release, pid: 2, ppid: 1, title: 'node', exitCode: undefined, stdin, stdout, stderr,
    exit(code) {
      if (st.exited === null) st.exited = code === undefined || code === null ? (proc.exitCode || 0) : Number(code) || 0;
      throw new ExitSignal(st.exited);
    },
    nextTick(fn, ...args) { st.api.queueMicrotask(() => fn(...args)); },
    hrtime: process.hrtime, uptime: process.uptime, cpuUsage: process.cpuUsage,
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    cwd: () => WORKDIR, chdir() {}, umask: () => 0o22, emitWarning() {}, openStdin: () => stdin.resume(),
  });
  const req = (name) => {
    name = String(name);
    const base = name.startsWith('node:') ? name.slice(5) : name;
    if (base === 'fs') return fsShim;
    if (base === 'readline') return readlineShim;
    if (base === 'process') return proc;
    if (base === 'timers') return timersShim;
    if (base === 'timers/promises') return timersPromises;
    if (BLOCKED.has(base)) throw new Error("the module '" + name + "' is not available in the sandbox");
    if (builtinModules.includes(base)) return require(base);
    const e = new Error("Cannot find module '" + name + "'");
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  };
  const addTimer = (fn, ms, args, kind) => {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const id = st.nextTimer++;
    const run = () => {
      if (st.dead) return;
      if (kind !== 'interval') st.timers.delete(id);
      try {
        protectedCall(st, () => fn(...args));
      } catch (e) {
        recordAsync(st, e);
      }
    };
    const delay = Math.max(0, Math.min(Number(ms) || 0, 2147483647));
    const h = kind === 'immediate' ? setImmediate(run) : kind === 'interval' ? setInterval(run, Math.max(1, delay)) : setTimeout(run, delay);
    const t = { h, kind, ref: true };
    st.timers.set(id, t);
    const handle = {
      unref() { t.ref = false; return handle; },
      ref() { t.ref = true; return handle; },
      hasRef() { return t.ref; },
      refresh() { return handle; },
      [Symbol.toPrimitive]() { return id; },
    };
    return handle;
  };
  const clearTimer = (handle) => {
    const id = handle !== null && typeof handle === 'object' ? Number(handle) : handle;
    const t = st.timers.get(id);
    if (!t) return;
    st.timers.delete(id);
    if (t.kind === 'immediate') clearImmediate(t.h);
    else if (t.kind === 'interval') clearInterval(t.h);
    else clearTimeout(t.h);
  };
  const sleepFor = (ms, value) => new Promise((resolve) => addTimer(resolve, ms, [value], 'timeout'));
  const immediateP = (value) => new Promise((resolve) => addTimer(resolve, 0, [value], 'immediate'));
  const timersPromises = { setTimeout: sleepFor, setImmediate: immediateP, scheduler: { wait: (ms) => sleepFor(ms) } };
  const timersShim = {
    setTimeout: (fn, ms, ...a) => addTimer(fn, ms, a, 'timeout'),
    setInterval: (fn, ms, ...a) => addTimer(fn, ms, a, 'interval'),
    setImmediate: (fn, ...a) => addTimer(fn, 0, a, 'immediate'),
    clearTimeout: clearTimer, clearInterval: clearTimer, clearImmediate: clearTimer, promises: timersPromises,
  };
  timersShim.setTimeout[util.promisify.custom] = sleepFor;
  timersShim.setImmediate[util.promisify.custom] = immediateP;
  const con = new console.Console({ stdout, stderr, colorMode: false });
  const sandbox = {
    console: con, process: proc, require: req, module, exports: module.exports,
    __filename: WORKDIR + '/solution.js', __dirname: WORKDIR,
    setTimeout: timersShim.setTimeout, setInterval: timersShim.setInterval, setImmediate: timersShim.setImmediate,
    clearTimeout: clearTimer, clearInterval: clearTimer, clearImmediate: clearTimer,
    Buffer, TextEncoder, TextDecoder, URL, URLSearchParams, atob, btoa, performance,
    structuredClone: typeof structuredClone === 'function' ? structuredClone : undefined,
  };
  Object.defineProperty(sandbox, '__cosplay_call', {
    value: () => { const f = st.pending; st.pending = null; return f(); },
    enumerable: false,
  });
  st.ctx = vm.createContext(sandbox, { microtaskMode: 'afterEvaluate' });
  st.api = PRELUDE.runInContext(st.ctx)({
    done(ok, v) { if (!st.settled) st.settled = { ok, v }; },
  });
  st.sandbox = sandbox;
  st.deliver = () => {
    if (st.delivered) return;
    st.delivered = true;
    for (const rl of interfaces.slice()) rl._deliver();
    const hasData = stdin.listenerCount('data') > 0 || stdin.flowing;
    if (hasData && !readDone) {
      readDone = true;
      st.inputPos = st.input.length;
      if (st.input.length > 0) stdin.emit('data', encoding ? st.input.toString(encoding) : Buffer.from(st.input));
    }
    if (stdin.listenerCount('readable') > 0) stdin.emit('readable');
    stdin.emit('end');
    stdin.emit('close');
  };
  return st;
}

function killWorld(st) {
  st.dead = true;
  for (const t of st.timers.values()) {
    if (t.kind === 'immediate') clearImmediate(t.h);
    else if (t.kind === 'interval') clearInterval(t.h);
    else clearTimeout(t.h);
  }
  st.timers.clear();
}

function wipe() {
  let names = [];
  try { names = fs.readdirSync(WORKDIR); } catch (e) { return; }
  for (const n of names) {
    try { fs.rmSync(WORKDIR + '/' + n, { recursive: true, force: true }); } catch (e) {}
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Pumps the context (timers, host callbacks, promise continuations) until nothing that keeps a program alive
// is pending, the program exited or failed, until() holds, or the deadline passes. A vm timeout costs a
// thread per evaluation (about 1 ms), so the common case (no timers) uses untimed pumps: they only run
// continuations of host callbacks, and a loop there is still caught by the parent's watchdog.
function pending(st) {
  for (const t of st.timers.values()) if (t.ref) return true;
  return false;
}
function pump(st) {
  try {
    st.pending = () => undefined;
    CALL.runInContext(st.ctx);
    return true;
  } catch (e) {
    recordAsync(st, e);
    return false;
  }
}
function stopped(st) {
  return st.exited !== null || st.overflow || !!st.asyncError || st.timedOut || !!st.memory;
}
async function idle(st, until) {
  let quiet = 0;
  for (;;) {
    if (stopped(st) || (until && until())) return;
    if (Date.now() >= st.deadline) {
      st.timedOut = true;
      return;
    }
    if (!pending(st)) {
      if (++quiet > 8) return;
      await new Promise((r) => setImmediate(r));
      pump(st);
      continue;
    }
    quiet = 0;
    await sleep(Math.max(0, Math.min(2, st.deadline - Date.now())));
  }
}

function outcome(st, cell, e) {
  if (st.overflow) return Object.assign(cell, { status: 'output_limit', error: 'the output exceeded ' + OUTLIM + ' bytes' });
  if (e instanceof ExitSignal || (e === undefined && st.exited !== null)) {
    const code = st.exited || 0;
    if (code === 0) return Object.assign(cell, { status: 'ok' });
    return Object.assign(cell, { status: 'exception', error: withStderr(st, 'process.exit(' + code + ')') });
  }
  if (isTimeout(e) || st.timedOut) {
    // A heap blow-up slows down as it nears the limit (the collector runs again and again), so on a busy
    // machine the clock can run out before the memory does: a test that ran out of time holding most of the
    // memory limit is a memory hog, whatever the machine's speed.
    const hog = memoryHog();
    if (hog) return Object.assign(cell, { status: 'memory', error: hog });
    return Object.assign(cell, { status: 'timeout', error: 'timed out after ' + CFG.timeoutMs + ' ms' });
  }
  if (isMemory(e) || st.memory) return Object.assign(cell, { status: 'memory', error: fmtErr(e || st.memory) });
  const err = e !== undefined ? e : st.asyncError;
  if (err) return Object.assign(cell, { status: 'exception', error: withStderr(st, fmtErr(err)) });
  return null;
}

function withStderr(st, msg) {
  const tail = st.err.join('').trim();
  return capTail(tail && !msg.includes(tail) ? msg + '\n' + capTail(tail, 1500) : msg);
}

async function runStdio(script, test, timeoutMs) {
  const st = makeWorld('stdio', test.input, Date.now() + timeoutMs);
  current = st;
  const cell = { status: 'ok' };
  try {
    let thrown;
    try {
      // One timed evaluation: the program, then its stdin events (listeners run inside it).
      protectedCall(st, () => {
        script.runInContext(st.ctx);
        st.deliver();
      });
    } catch (e) {
      thrown = e;
    }
    if (thrown === undefined) await idle(st);
    else if (thrown instanceof ExitSignal) thrown = undefined;
    const done = outcome(st, cell, thrown);
    cell.stdout = st.out.join('');
    if (done) return done;
    if (typeof st.sandbox.process.exitCode === 'number' && st.sandbox.process.exitCode !== 0)
      return Object.assign(cell, { status: 'exception', error: withStderr(st, 'exit code ' + st.sandbox.process.exitCode) });
    return cell;
  } finally {
    killWorld(st);
    current = null;
  }
}

// An expression of a test (a call or an expected value). Parenthesised so that object literals are values.
function compileExpr(source, filename) {
  const trimmed = String(source).replace(/[\s;]+$/, '');
  try {
    return new vm.Script('(' + trimmed + '\n)', { filename });
  } catch (e) {
    return new vm.Script(String(source), { filename });
  }
}

// Waits for a value handed to settle() (promises are awaited inside the context).
async function settled(st) {
  if (!st.settled) await idle(st, () => !!st.settled);
  if (!st.settled) {
    if (st.timedOut || Date.now() >= st.deadline) throw timeoutError();
    if (st.asyncError) throw st.asyncError;
    if (st.exited !== null) throw new ExitSignal(st.exited);
    throw new Error('the returned promise never settled');
  }
  if (!st.settled.ok) throw st.settled.v;
  return st.settled.v;
}

async function runFunction(script, test, timeoutMs, mode, entryPoint) {
  const st = makeWorld('function', '', Date.now() + timeoutMs);
  current = st;
  const cell = { status: 'ok' };
  const failed = (e) => {
    if (e instanceof ExitSignal && !st.overflow)
      return Object.assign(cell, { status: 'exception', error: withStderr(st, 'the code called process.exit(' + e.code + ')') });
    return outcome(st, cell, e) || Object.assign(cell, { status: 'exception', error: fmtErr(e) });
  };
  try {
    const callScript = compileExpr(mode === 'expected' ? test.expr : test.call, 'test.js');
    let text;
    try {
      // One timed evaluation in the common case: load the code, call, settle and serialise a plain value.
      text = protectedCall(st, () => {
        if (script) {
          script.runInContext(st.ctx);
          if (entryPoint) bindEntry(st, entryPoint);
        }
        st.settled = null;
        st.api.settle(callScript.runInContext(st.ctx));
        return st.settled && st.settled.ok ? serialise(st.settled.v) : undefined;
      });
      if (text === undefined) {
        const value = await settled(st);
        text = protectedCall(st, () => serialise(value));
      }
    } catch (e) {
      return failed(e);
    }
    if (st.overflow) return failed(new ExitSignal(1));
    if (text === null) return Object.assign(cell, { status: 'output_limit', error: 'the returned value is larger than the output limit' });
    cell.value = text;
    if (mode === 'function' && typeof test.expected === 'string') {
      try {
        const expScript = compileExpr(test.expected, 'expected.js');
        st.settled = null;
        protectedCall(st, () => st.api.settle(expScript.runInContext(st.ctx)));
        const ev = await settled(st);
        const et = protectedCall(st, () => serialise(ev));
        if (et === null) cell.expectedError = 'the expected value is larger than the output limit';
        else cell.expectedValue = et;
      } catch (e) {
        cell.expectedError = fmtErr(e);
      }
    }
    return cell;
  } finally {
    killWorld(st);
    current = null;
  }
}

function bindEntry(st, name) {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return;
  const kind = vm.runInContext('typeof ' + name, st.ctx);
  if (kind !== 'undefined') return;
  const m = st.sandbox.module.exports;
  let f;
  if (m !== null && (typeof m === 'object' || typeof m === 'function')) {
    if (typeof m[name] === 'function') f = m[name];
    else if (m.default && typeof m.default[name] === 'function') f = m.default[name];
    else if (typeof m === 'function') f = m;
    else if (typeof m.default === 'function') f = m.default;
  }
  if (f === undefined && st.sandbox.exports !== m && st.sandbox.exports && typeof st.sandbox.exports[name] === 'function')
    f = st.sandbox.exports[name];
  if (f !== undefined) st.sandbox[name] = f;
}

process.on('uncaughtException', (e) => { if (current) recordAsync(current, e); });
process.on('unhandledRejection', (e) => { if (current) recordAsync(current, e); });

async function main() {
  const job = JSON.parse(fs.readFileSync(0, 'utf8'));
  CFG.timeoutMs = job.timeoutMs;
  let script = null;
  if (job.mode !== 'expected') {
    try {
      try {
        script = new vm.Script(job.code, { filename: 'solution.js' });
      } catch (e) {
        // Top-level await (module style) in a program: run its body as an async function.
        if (job.mode !== 'stdio' || !/await is only valid/.test(String(e && e.message))) throw e;
        script = new vm.Script('(async () => {\n' + job.code + '\n})().catch((e) => { throw e; });', { filename: 'solution.js' });
      }
    } catch (e) {
      emit({ load: 'fail', cell: { status: 'exception', error: fmtErr(e) } });
      return;
    }
  }
  emit({ load: 'ok' });
  for (let j = 0; j < job.tests.length; j++) {
    let cell;
    try {
      cell = job.mode === 'stdio'
        ? await runStdio(script, job.tests[j], job.timeoutMs)
        : await runFunction(script, job.tests[j], job.timeoutMs, job.mode, job.entryPoint);
    } catch (e) {
      cell = { status: 'crash', error: 'harness: ' + fmtErr(e) };
    }
    wipe();
    emit({ j, cell });
  }
}

main().then(
  () => process.exit(0),
  (e) => { process.stderr.write('cosplay harness: ' + (e && e.stack || e) + '\n'); process.exit(70); },
);
`;
