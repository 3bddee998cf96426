// The Python side of the engine: a supervisor that runs inside the sandbox (bubblewrap), one per worker.
//
// Process tree inside one worker sandbox:
//   supervisor (pid 1 of the sandbox's pid namespace, never runs candidate code, not dumpable)
//     └─ code process (one per chunk: compiles the code; function tasks: imports it once)
//          └─ test process (one fork per test: fresh copy of the post-import state)
// Pid 1 of a pid namespace cannot be killed from inside it, and a non-dumpable process cannot be traced or have
// its file descriptors opened through /proc, so a candidate cannot reach the supervisor's channel to the parent.
// After every test the code process kills every other process in the sandbox (kill(-1) spares itself and
// pid 1); after every chunk the supervisor does the same and wipes the temp dir. Deadlines: the code process
// limits each test's own time (pidfd, /proc schedstat, SIGKILL: the clock minus the time spent waiting for a CPU;
// a wall-clock backstop for a test starved for good); the supervisor bounds each step of the code process (a candidate
// that corrupts its own code process cannot stall the row); the parent (Node) bounds the supervisor.
//
// Protocol (JSON lines). Parent -> supervisor: one job per line
//   {"id", "mode": "stdio"|"function"|"expected", "code", "tests": [{"input"}|{"call","expected"?}|{"expr"}],
//    "timeoutMs", "wallMs"?}: a test's own time (not waiting for a CPU), and the wall-clock backstop
// supervisor -> parent: {"ready": true, ...} once, then per job {"id","j","cell"} for every test and {"id","done"}.
// A cell is {"status": "ok"|"exception"|"timeout"|"memory"|"output_limit"|"crash", "stdout"?, "value"?,
// "expectedValue"?, "expectedError"?, "error"?, "cpuMs"?}. Verdicts are computed by the parent, never here.
/**
 * Modules the supervisor imports once for every code process (candidates often import them). Each one the code
 * process holds makes its fork, one per test, slower; threading (which queue imports) alone adds milliseconds.
 */
export const PRELOADED_MODULES = [
  'collections',
  'itertools',
  'functools',
  'heapq',
  'bisect',
  'string',
  'typing',
  'random',
  'copy',
  'operator',
  're',
];

/** The message of a test stopped at its limit (run_test below writes it): the CPU time it used, then the limit. */
export const CPU_TIMEOUT = /^timed out: (\d+) ms of CPU time used, the limit is (\d+) ms$/;

export const PYTHON_SUPERVISOR = String.raw`
import os, sys, json, signal, resource, select, time, io, builtins, traceback, linecache, errno, math, shutil

CFG = json.loads(sys.argv[1])
SANDBOXED = bool(CFG.get('sandboxed'))
WORKDIR = CFG['workdir']
MEM = int(CFG['memoryMb']) * 1024 * 1024
OUTLIM = int(CFG['outputLimit'])
NPROC = int(CFG.get('nproc') or 0)
ERRCAP = 4000
SLACK = 1.5
if hasattr(sys, 'set_int_max_str_digits'):
    sys.set_int_max_str_digits(0)

def write_all(fd, data):
    while data:
        n = os.write(fd, data)
        data = data[n:]

def send(obj):
    write_all(1, (json.dumps(obj) + '\n').encode('utf-8', 'surrogatepass'))

def cap_tail(s, n=ERRCAP):
    s = str(s)
    return s if len(s) <= n else '...' + s[-n:]

# ------------------------------------------------------------------------------------------- serialisation
class TooBig(Exception):
    pass

def fl(x):
    if x != x:
        return 'nan'
    if x == float('inf'):
        return 'inf'
    if x == float('-inf'):
        return '-inf'
    return x

def ser(v, depth, seen, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise TooBig()
    if v is None:
        return ['n']
    t = type(v)
    if t is bool:
        return ['b', v]
    if t is int:
        return ['i', str(v)]
    if t is float:
        return ['f', fl(v)]
    if t is str:
        return ['s', v]
    if isinstance(v, bool):
        return ['b', bool(v)]
    if isinstance(v, int):
        return ['i', str(int(v))]
    if isinstance(v, float):
        return ['f', fl(float(v))]
    if isinstance(v, str):
        return ['s', str(v)]
    if isinstance(v, complex):
        return ['c', fl(v.real), fl(v.imag)]
    if isinstance(v, (bytes, bytearray, memoryview)):
        return ['y', bytes(v).hex()]
    if depth > 200:
        return ['x', 'depth']
    key = id(v)
    if key in seen:
        return ['x', 'cycle']
    seen.add(key)
    try:
        sub = lambda x: ser(x, depth + 1, seen, budget)
        if isinstance(v, list):
            return ['l', [sub(x) for x in v]]
        if isinstance(v, tuple):
            return ['t', [sub(x) for x in v]]
        if isinstance(v, dict):
            items = [[sub(k), sub(x)] for k, x in list(v.items())]
            items.sort(key=lambda p: canon(p[0]))
            return ['d', items]
        if isinstance(v, (set, frozenset)):
            els = [sub(x) for x in v]
            els.sort(key=canon)
            return ['S', els]
        import numbers, enum
        if isinstance(v, enum.Enum):
            return ['o', type(v).__name__, repr(v)]
        if isinstance(v, numbers.Integral):
            return ['i', str(int(v))]
        if isinstance(v, numbers.Real):
            return ['f', fl(float(v))]
        if type(v).__name__ == 'Decimal':
            return ['f', fl(float(v))]
        tolist = getattr(v, 'tolist', None)
        if callable(tolist) and type(v).__module__.startswith('numpy'):
            return sub(tolist())
        name = type(v).__name__
        if isinstance(v, range):
            return ['o', 'range', repr(v)]
        d = getattr(v, '__dict__', None)
        if isinstance(d, dict) and type(v).__repr__ is object.__repr__:
            return ['o', name, sub(d)]
        import re
        return ['o', name, re.sub(r' at 0x[0-9a-fA-F]+', '', repr(v))]
    finally:
        seen.discard(key)

def canon(t):
    return json.dumps(t, ensure_ascii=False, separators=(',', ':'))

def serialise(v):
    """The value's tagged tree as JSON text, or None when it exceeds the output limit."""
    try:
        text = canon(ser(v, 0, set(), [2000000]))
    except TooBig:
        return None
    return text if len(text) <= OUTLIM else None

# ------------------------------------------------------------------------------------------- errors
HARNESS_FILES = ('<string>', '<cosplay>')

def fmt_exc(e):
    try:
        te = traceback.TracebackException(type(e), e, e.__traceback__, capture_locals=False)
        te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename not in HARNESS_FILES])
        return cap_tail(''.join(te.format()).rstrip())
    except BaseException:
        try:
            return cap_tail('%s: %s' % (type(e).__name__, e))
        except BaseException:
            return 'exception'

def register_source(name, text):
    linecache.cache[name] = (len(text), None, text.splitlines(True), name)

# ------------------------------------------------------------------------------------------- cleanup
def kill_others(pgid=None):
    """Kill every process in the sandbox except pid 1 and the caller (kill(-1) semantics in a pid namespace).
    Without a sandbox only the given process group is killed: kill(-1) would hit the whole machine."""
    if SANDBOXED:
        for _ in range(3):
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                break
    elif pgid:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass

def wipe(d):
    try:
        names = os.listdir(d)
    except OSError:
        return
    def fix(func, path, exc):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            func(path)
        except OSError:
            pass
    for n in names:
        p = os.path.join(d, n)
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p, onerror=fix)
            else:
                os.unlink(p)
        except OSError:
            pass

def set_limits():
    def lim(res, soft, hard=None):
        hard = soft if hard is None else hard
        try:
            cur = resource.getrlimit(res)
            if cur[1] != resource.RLIM_INFINITY:
                hard = min(hard, cur[1])
                soft = min(soft, hard)
            resource.setrlimit(res, (soft, hard))
        except (ValueError, OSError):
            pass
    lim(resource.RLIMIT_AS, MEM)
    lim(resource.RLIMIT_FSIZE, 2 * OUTLIM + 65536)
    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_NOFILE, 256)
    if NPROC > 0:
        lim(resource.RLIMIT_NPROC, NPROC)

# ------------------------------------------------------------------------------------------- test process
def read_fd(fd, limit, tail=False):
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - limit) if tail else 0
        n = min(size - start, limit)
        chunks = []
        while n > 0:
            b = os.pread(fd, n, start)
            if not b:
                break
            chunks.append(b)
            start += len(b)
            n -= len(b)
        return b''.join(chunks), size
    except OSError:
        return b'', 0

def memfd(name, data=None):
    fd = os.memfd_create(name, 0)
    if data:
        write_all(fd, data)
        os.lseek(fd, 0, 0)
    return fd

def test_child(mode, G, codeobj, test, fds, timeout):
    """Runs in the forked test process: never returns."""
    code = 1
    payload = {'status': 'exception', 'error': 'the test did not finish'}
    res = fds['res']
    try:
        os.dup2(fds['in'], 0)
        os.dup2(fds['out'], 1)
        os.dup2(fds['err'], 2)
        for k in ('in', 'out', 'err', 'chan'):
            fd = fds.get(k)
            if fd is not None and fd > 2 and fd != res:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if not SANDBOXED:
            os.setpgid(0, 0)
        cpu = int(math.ceil(timeout)) + 1
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        except (ValueError, OSError):
            pass
        # The test keeps the code process's sys.stdin/stdout/stderr: they sit on fds 0, 1 and 2, which now hold the
        # test's stdin, its stdout (or /dev/null) and its stderr; nothing was ever read through them, their output
        # buffers were flushed before the fork, and PYTHONIOENCODING makes them UTF-8 (stderr with
        # backslashreplace and line buffering, as Python sets it up). Creating three new wrappers cost every test
        # about a tenth of its time.
        sys.argv = ['solution.py']
        if RSTATE is not None:
            try:
                sys.modules['random'].setstate(RSTATE)
            except BaseException:
                pass
        if mode == 'stdio':
            payload = {'status': 'ok'}
            code = 0
            try:
                exec(codeobj, {'__name__': '__main__', '__builtins__': builtins, '__file__': 'solution.py'})
            except SystemExit as e:
                c = e.code
                if c is None:
                    code = 0
                elif isinstance(c, int):
                    code = (int(c) & 0xff) if c else 0
                else:
                    try:
                        sys.stderr.write(str(c) + '\n')
                    except BaseException:
                        pass
                    code = 1
                if code != 0:
                    payload = {'status': 'exception', 'error': 'SystemExit: %s' % (c,)}
            except MemoryError:
                payload = {'status': 'memory', 'error': 'MemoryError'}
                code = 1
            except BaseException as e:
                payload = {'status': 'exception', 'error': fmt_exc(e)}
                code = 1
            try:
                if 'threading' in sys.modules:
                    sys.modules['threading']._shutdown()
            except BaseException:
                pass
            try:
                sys.stdout.flush()
            except BaseException as e:
                if code == 0:
                    payload = {'status': 'exception', 'error': fmt_exc(e)}
                    code = 1
        else:
            expr = test.get('expr') if mode == 'expected' else test.get('call')
            register_source('<test>', expr)
            try:
                v = eval(compile(expr, '<test>', 'eval', dont_inherit=True), G)
                if type(v).__name__ == 'coroutine':
                    import asyncio
                    v = asyncio.run(v)
            except MemoryError:
                payload = {'status': 'memory', 'error': 'MemoryError'}
            except BaseException as e:
                payload = {'status': 'exception', 'error': fmt_exc(e)}
            else:
                text = serialise(v)
                if text is None:
                    payload = {'status': 'output_limit', 'error': 'the returned value is larger than the output limit'}
                else:
                    payload = {'status': 'ok', 'value': text}
                    code = 0
                    exp = test.get('expected') if mode == 'function' else None
                    if exp is not None:
                        register_source('<expected>', exp)
                        try:
                            ev = eval(compile(exp, '<expected>', 'eval', dont_inherit=True), G)
                            etext = serialise(ev)
                            if etext is None:
                                payload['expectedError'] = 'the expected value is larger than the output limit'
                            else:
                                payload['expectedValue'] = etext
                        except BaseException as e:
                            payload['expectedError'] = fmt_exc(e)
            try:
                sys.stdout.flush()
            except BaseException:
                pass
    except MemoryError:
        payload = {'status': 'memory', 'error': 'MemoryError'}
        code = 1
    except BaseException as e:
        payload = {'status': 'exception', 'error': fmt_exc(e)}
        code = 1
    finally:
        try:
            data = json.dumps(payload).encode('utf-8', 'surrogatepass')
            os.lseek(res, 0, 0)
            write_all(res, data)
        except BaseException:
            pass
        os._exit(code)

def flooded(out_fd):
    try:
        return out_fd is not None and os.fstat(out_fd).st_size > OUTLIM
    except OSError:
        return False

def cpu_of(ru):
    return ru.ru_utime + ru.ru_stime

CLK_TCK = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100

def proc_cpu(pid):
    """CPU seconds a running process has used so far (/proc), or None when it cannot be read."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            fields = f.read().rsplit(b')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return None

def proc_waited(pid):
    """Seconds a process has spent runnable but waiting for a CPU (/proc/PID/schedstat), or None."""
    try:
        with open('/proc/%d/schedstat' % pid, 'rb') as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None

def wait_timeout(pid, timeout, wall, out_fd=None):
    """Waits for pid until its own time reaches timeout seconds: the time on the clock minus the time it spent
    waiting for a CPU (a busy machine does not use up a test's time; a test that sleeps or blocks uses it as on
    an idle machine). Without schedstat, its CPU time. A wall-clock backstop (wall) bounds a test starved for
    good. Kills it when late, or as soon as its stdout passes the output limit (checked every 50 ms). Returns
    (status, timed_out, CPU seconds the process used)."""
    pfd = None
    try:
        pfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pfd = None
    start = time.monotonic()
    hard = start + max(wall, timeout)
    check = start + timeout
    timed_out = False
    def late(now):
        # past the wall limit, or past the point where the test's own time may have reached the limit
        nonlocal check
        if now >= hard:
            return True
        if now < check:
            return False
        waited = proc_waited(pid)
        own = (now - start - waited) if waited is not None else proc_cpu(pid)
        if own is None or own >= timeout * 0.999:
            return True
        check = now + max(0.01, timeout - own)
        return False
    if pfd is not None:
        try:
            p = select.poll()
            p.register(pfd, select.POLLIN)
            while True:
                left = min(check, hard) - time.monotonic()
                if p.poll(max(0, int(min(left, 0.05) * 1000))):
                    break
                if flooded(out_fd):
                    break
                if late(time.monotonic()):
                    timed_out = True
                    break
            if timed_out or flooded(out_fd):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        finally:
            os.close(pfd)
        _, st, ru = os.wait4(pid, 0)
        return st, timed_out, cpu_of(ru)
    delay = 0.0002
    while True:
        r, st, ru = os.wait4(pid, os.WNOHANG)
        if r == pid:
            return st, False, cpu_of(ru)
        now = time.monotonic()
        if flooded(out_fd) or late(now):
            timed_out = not flooded(out_fd)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            _, st, ru = os.wait4(pid, 0)
            return st, timed_out, cpu_of(ru)
        time.sleep(min(delay, max(0, min(check, hard) - now)))
        delay = min(delay * 2, 0.005)

def run_test(mode, G, codeobj, test, timeout, wall, chan):
    fds = {'chan': chan}
    fds['in'] = memfd('stdin', test.get('input', '').encode('utf-8', 'surrogateescape')) if mode == 'stdio' else DEVNULL
    fds['out'] = memfd('stdout') if mode == 'stdio' else DEVNULL
    fds['err'] = memfd('stderr')
    fds['res'] = memfd('result')
    try:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        pid = None
        for attempt in range(100):
            try:
                pid = os.fork()
                break
            except BlockingIOError:
                kill_others()
                time.sleep(0.01)
        if pid is None:
            return {'status': 'crash', 'error': 'could not start the test process (too many processes)'}
        if pid == 0:
            test_child(mode, G, codeobj, test, fds, timeout)
            os._exit(1)
        st, timed_out, cpu = wait_timeout(pid, timeout, wall, fds['out'] if mode == 'stdio' else None)
        kill_others(pid)
        res, _ = read_fd(fds['res'], 4 * OUTLIM + 65536)
        err, _ = read_fd(fds['err'], 2000, tail=True)
        out, out_size = read_fd(fds['out'], OUTLIM + 1) if mode == 'stdio' else (b'', 0)
    finally:
        for k in ('in', 'out', 'err', 'res'):
            if fds[k] != DEVNULL:
                os.close(fds[k])
        wipe(WORKDIR)
    try:
        payload = json.loads(res.decode('utf-8', 'surrogatepass')) if res else {}
        if not isinstance(payload, dict):
            payload = {}
    except ValueError:
        payload = {}
    stderr_tail = err.decode('utf-8', 'replace').strip()
    cell = {'cpuMs': int(round(cpu * 1000))}
    if mode == 'stdio':
        cell['stdout'] = out[:OUTLIM].decode('utf-8', 'replace')
    signaled = os.WIFSIGNALED(st)
    sig = os.WTERMSIG(st) if signaled else 0
    exit_code = os.WEXITSTATUS(st) if os.WIFEXITED(st) else -1
    def with_stderr(msg):
        if stderr_tail and stderr_tail not in msg:
            return cap_tail(msg + '\n' + stderr_tail)
        return cap_tail(msg)
    if mode == 'stdio' and out_size > OUTLIM:
        cell.update(status='output_limit', error='the output exceeded %d bytes' % OUTLIM)
    elif (signaled and sig == signal.SIGXFSZ) or payload.get('status') == 'output_limit':
        cell.update(status='output_limit', error=payload.get('error') or 'a file exceeded the size limit')
    elif timed_out or (signaled and sig == signal.SIGXCPU):
        # the CPU time tells a code that needs more time (it ran all along) from one starved by a busy machine
        cell.update(status='timeout', error='timed out: %d ms of CPU time used, the limit is %d ms' % (round(cpu * 1000), round(timeout * 1000)))
    elif payload.get('status') == 'memory':
        cell.update(status='memory', error=with_stderr('MemoryError: the memory limit (%d MB) was exceeded' % (MEM >> 20)))
    elif signaled:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        cell.update(status='crash', error=with_stderr('the test process was killed by %s' % name))
    elif mode == 'stdio':
        if exit_code == 0:
            cell['status'] = 'ok'
        else:
            cell.update(status='exception', error=with_stderr(payload.get('error') or 'exit status %d' % exit_code))
    else:
        if payload.get('status') == 'ok' and exit_code == 0 and isinstance(payload.get('value'), str):
            cell['status'] = 'ok'
            cell['value'] = payload['value']
            for k in ('expectedValue', 'expectedError'):
                if isinstance(payload.get(k), str):
                    cell[k] = payload[k]
        else:
            msg = payload.get('error') if isinstance(payload.get('error'), str) else None
            cell.update(status='exception', error=with_stderr(msg or 'the test process exited with status %d' % exit_code))
    return cell

# ------------------------------------------------------------------------------------------- repository
def load_repo_module(repo, codeobj):
    """Imports the repository module repo['module'] through the normal import system, from the repository's
    import roots, with codeobj (the candidate's version of the file) in place of the file's own text. Every
    other module (siblings, the package, installed packages) is the real one. Returns the module's namespace."""
    import importlib, importlib.abc, importlib.util
    name = repo['module']
    path = repo['file']
    os.chdir(repo['root'])
    roots = list(repo.get('importRoots') or [])
    sys.path[:] = roots + [p for p in sys.path if p not in roots and p != '']
    sys.argv = [path]

    class CandidateLoader(importlib.abc.Loader):
        def create_module(self, spec):
            return None
        def exec_module(self, module):
            exec(codeobj, module.__dict__)

    class CandidateFinder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, target_path=None, target=None):
            if fullname != name:
                return None
            locations = [os.path.dirname(path)] if repo.get('isPackage') else None
            return importlib.util.spec_from_file_location(fullname, path, loader=CandidateLoader(),
                                                          submodule_search_locations=locations)

    sys.meta_path.insert(0, CandidateFinder())
    return importlib.import_module(name).__dict__

# ------------------------------------------------------------------------------------------- code process
def code_process(job, start, chan):
    try:
        signal.set_wakeup_fd(-1)
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for fd in WAKE:
        try:
            os.close(fd)
        except OSError:
            pass
    os.dup2(DEVNULL, 0)
    os.dup2(DEVNULL, 1)
    os.dup2(DEVNULL, 2)
    if not SANDBOXED:
        os.setpgid(0, 0)
    set_limits()
    os.chdir(WORKDIR)
    def report(obj):
        write_all(chan, (json.dumps(obj) + '\n').encode('utf-8', 'surrogatepass'))
    mode = job['mode']
    tests = job['tests']
    timeout = max(0.001, float(job['timeoutMs']) / 1000.0)
    wall = max(timeout, float(job.get('wallMs') or 0) / 1000.0)
    try:
        import random
        random.seed(0)
    except BaseException:
        pass
    G = None
    codeobj = None
    if mode == 'expected':
        G = {'__builtins__': builtins, '__name__': '__expected__', 'math': math}
    else:
        code = job.get('code') or ''
        repo = job.get('repo') if mode == 'function' else None
        filename = repo['file'] if repo else '<solution>'
        register_source(filename, code)
        try:
            codeobj = compile(code, filename, 'exec', dont_inherit=True)
        except MemoryError:
            report({'load': 'fail', 'cell': {'status': 'memory', 'error': 'MemoryError while compiling'}})
            return
        except BaseException as e:
            report({'load': 'fail', 'cell': {'status': 'exception', 'error': fmt_exc(e)}})
            return
        if mode == 'function':
            G = {'__builtins__': builtins, '__name__': 'solution', '__file__': 'solution.py'}
            sys.argv = ['solution.py']
            try:
                if repo:
                    G = load_repo_module(repo, codeobj)
                else:
                    exec(codeobj, G)
            except MemoryError:
                report({'load': 'fail', 'cell': {'status': 'memory', 'error': 'MemoryError while loading the code'}})
                return
            except BaseException as e:
                report({'load': 'fail', 'cell': {'status': 'exception', 'error': fmt_exc(e)}})
                return
            kill_others()
    # Python reseeds random in every forked child; restore the post-load state instead, so that every test
    # starts from the same (seeded) state and a cell's output does not depend on the run.
    global RSTATE
    try:
        RSTATE = sys.modules['random'].getstate()
    except BaseException:
        RSTATE = None
    report({'load': 'ok'})
    for j in range(start, len(tests)):
        cell = run_test(mode, G, codeobj, tests[j], timeout, wall, chan)
        report({'j': j, 'cell': cell})

# ------------------------------------------------------------------------------------------- supervisor
STATUSES = ('ok', 'exception', 'timeout', 'memory', 'output_limit', 'crash')

def clean_cell(c, mode):
    if not isinstance(c, dict) or c.get('status') not in STATUSES:
        return {'status': 'crash', 'error': 'the test harness sent a malformed result'}
    out = {'status': c['status']}
    if isinstance(c.get('cpuMs'), int):
        out['cpuMs'] = c['cpuMs']
    for k, n in (('stdout', OUTLIM), ('value', OUTLIM), ('expectedValue', OUTLIM), ('expectedError', ERRCAP), ('error', ERRCAP + 8)):
        v = c.get(k)
        if isinstance(v, str):
            out[k] = v[:n] if k != 'error' else cap_tail(v)
    return out

def reap():
    global CP_STATUS
    while True:
        try:
            pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == CP_PID:
            CP_STATUS = st

def drain_wake():
    try:
        while os.read(WAKE[0], 512):
            pass
    except OSError:
        pass

class Lines:
    def __init__(self, fd):
        self.fd = fd
        self.buf = b''
        self.eof = False
        self.poll = select.poll()
        self.poll.register(fd, select.POLLIN)
        self.poll.register(WAKE[0], select.POLLIN)
    def next(self, deadline):
        while True:
            i = self.buf.find(b'\n')
            if i >= 0:
                line = self.buf[:i]
                self.buf = self.buf[i + 1:]
                try:
                    m = json.loads(line.decode('utf-8', 'surrogatepass'))
                    return m if isinstance(m, dict) else {'bad': True}
                except ValueError:
                    return {'bad': True}
            if self.eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return 'late'
            for fd, ev in self.poll.poll(max(1, int(left * 1000))):
                if fd == WAKE[0]:
                    drain_wake()
                    reap()
                elif fd == self.fd:
                    data = os.read(self.fd, 1 << 20)
                    if not data:
                        self.eof = True
                    else:
                        self.buf += data
                        if len(self.buf) > 8 * OUTLIM + (1 << 20):
                            return {'bad': True}

def finish(pid):
    kill_others(pid)
    if SANDBOXED:
        # wait for the code process (our child, killed just above) to exit rather than polling for it with a
        # sleep, which cost every chunk a millisecond or more; the loop below then rarely has anything to do
        try:
            pfd = os.pidfd_open(pid)
            try:
                select.select([pfd], [], [], 2.0)
            finally:
                os.close(pfd)
        except (AttributeError, OSError, ValueError):
            pass
        t_end = time.monotonic() + 2.0
        while time.monotonic() < t_end:
            reap()
            try:
                os.kill(-1, 0)
            except OSError:
                break
            kill_others()
            time.sleep(0.001)
        reap()
    else:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    wipe(WORKDIR)

def run_job(job):
    global CP_PID, CP_STATUS
    jid = job['id']
    tests = job['tests']
    mode = job['mode']
    n = len(tests)
    timeout = max(0.001, float(job['timeoutMs']) / 1000.0)
    step = max(timeout, float(job.get('wallMs') or 0) / 1000.0) + SLACK
    nxt = 0
    # handBack: after a test that ran out of time, the tests left are handed back (the parent splits them over
    # its idle workers) instead of running here one after another
    handed = False
    def emit(j, cell):
        send({'id': jid, 'j': j, 'cell': cell})
    while nxt < n and not handed:
        r, w = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                code_process(job, nxt, w)
            except BaseException:
                pass
            os._exit(0)
        CP_PID, CP_STATUS = pid, None
        os.close(w)
        lines = Lines(r)
        loaded = False
        # loading the code gets the test limit of own time (as in wait_timeout), up to the backstop
        load_start = time.monotonic()
        deadline = load_start + timeout + SLACK
        while nxt < n:
            m = lines.next(deadline)
            if m == 'late' and not loaded:
                now = time.monotonic()
                waited = proc_waited(pid)
                own = now - load_start - waited if waited is not None else None
                if own is not None and own < timeout and now < load_start + step:
                    deadline = min(load_start + step, now + max(0.05, timeout + SLACK - own))
                    continue
            if m == 'late':
                if not loaded:
                    cell = {'status': 'timeout', 'error': 'loading the code did not finish within %d ms' % round(timeout * 1000)}
                    for j in range(nxt, n):
                        emit(j, cell)
                    nxt = n
                else:
                    emit(nxt, {'status': 'timeout', 'error': 'timed out after %d ms' % round(timeout * 1000)})
                    nxt += 1
                    handed = job.get('handBack') and nxt < n
                break
            if m is None:
                if not loaded:
                    cell = {'status': 'crash', 'error': 'the process loading the code died'}
                    for j in range(nxt, n):
                        emit(j, cell)
                    nxt = n
                else:
                    emit(nxt, {'status': 'crash', 'error': 'the test killed the process running it'})
                    nxt += 1
                break
            if 'load' in m and not loaded:
                if m['load'] == 'ok':
                    loaded = True
                    deadline = time.monotonic() + step
                    continue
                cell = clean_cell(m.get('cell'), mode)
                for j in range(nxt, n):
                    emit(j, cell)
                nxt = n
                break
            if loaded and m.get('j') == nxt and 'cell' in m:
                cell = clean_cell(m['cell'], mode)
                emit(nxt, cell)
                nxt += 1
                if cell['status'] == 'timeout' and job.get('handBack') and nxt < n:
                    handed = True
                    break
                deadline = time.monotonic() + step
                continue
            emit(nxt, {'status': 'crash', 'error': 'the test process broke the harness protocol'})
            nxt += 1
            break
        os.close(r)
        finish(pid)
        CP_PID = None
    if handed:
        send({'id': jid, 'done': True, 'rest': n - nxt})
    else:
        send({'id': jid, 'done': True})

def warm_up():
    """Runs the paths every test process takes once its test is done (serialising a value, formatting a
    candidate's traceback) a few times here, before any fork: what they load and initialise on first use is then
    shared by every test process instead of being redone in each one. Python's traceback imports ast (to place
    the carets under the failing part of a line) the first time it formats a frame with a source line: about
    2.5 ms in every test that raised, of about 5. The interpreter also specialises a function's bytecode in place
    after a few calls, which in a forked test would copy the pages of the code objects it writes to."""
    import ast
    name = '<cosplay-warm-up>'
    src = 'def warm(xs, k):\n    return xs[k] + len(xs) * 2\n'
    register_source(name, src)
    try:
        G = {'__builtins__': builtins}
        exec(compile(src, name, 'exec', dont_inherit=True), G)
        value = [1, -2.5, 'a', None, True, (3, 'b'), {'k': [1.0]}, {4, 5}, frozenset([6])]
        for _ in range(12):
            try:
                eval(compile('warm([1, 2, 3], 7)', '<test>', 'eval', dont_inherit=True), G)
            except BaseException as e:
                fmt_exc(e)
            json.dumps({'status': 'ok', 'value': serialise(value)}).encode('utf-8', 'surrogatepass')
    except BaseException:
        pass
    linecache.cache.pop(name, None)
    linecache.cache.pop('<test>', None)

def nondumpable():
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(4, 0, 0, 0, 0) == 0
    except BaseException:
        return False

def main():
    global DEVNULL, WAKE, CP_PID, CP_STATUS
    if SANDBOXED and os.getpid() != 1:
        sys.stderr.write('cosplay supervisor: not pid 1 of a sandbox\n')
        sys.exit(3)
    drop = CFG.get('dropTo')
    if drop:
        os.setgroups([])
        os.setgid(int(drop[1]))
        os.setuid(int(drop[0]))
    protected = nondumpable()
    if sys.flags.no_site:
        # started lean (-S, see workers.ts): site-packages without running .pth files, and exit()/quit()
        for p in CFG.get('sitePaths') or []:
            if p not in sys.path:
                sys.path.append(p)
        try:
            import _sitebuiltins
            builtins.exit = _sitebuiltins.Quitter('exit', 'Ctrl-D (i.e. EOF)')
            builtins.quit = _sitebuiltins.Quitter('quit', 'Ctrl-D (i.e. EOF)')
        except BaseException:
            pass
    # modules candidates often import, loaded once (PRELOADED_MODULES)
    for m in ${JSON.stringify(PRELOADED_MODULES)}:
        try:
            __import__(m)
        except BaseException:
            pass
    warm_up()
    import gc
    gc.collect()
    if hasattr(gc, 'freeze'):
        gc.freeze()  # forked children then do not touch (copy) these objects' pages when they collect
    DEVNULL = os.open('/dev/null', os.O_RDWR)
    WAKE = os.pipe()
    os.set_blocking(WAKE[0], False)
    os.set_blocking(WAKE[1], False)
    signal.signal(signal.SIGCHLD, lambda s, f: None)
    signal.set_wakeup_fd(WAKE[1])
    CP_PID = None
    CP_STATUS = None
    send({'ready': True, 'pid': os.getpid(), 'uid': os.getuid(), 'python': sys.version.split()[0], 'protected': protected})
    buf = b''
    while True:
        i = buf.find(b'\n')
        if i < 0:
            try:
                data = os.read(0, 1 << 20)
            except InterruptedError:
                continue
            if not data:
                return
            buf += data
            continue
        line = buf[:i]
        buf = buf[i + 1:]
        reap()
        job = json.loads(line.decode('utf-8', 'surrogatepass'))
        run_job(job)

DEVNULL = None
RSTATE = None
WAKE = ()
CP_PID = None
CP_STATUS = None
main()
`;
