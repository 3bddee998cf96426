// Stack frames out of failure texts: Python tracebacks (`File "x.py", line 3, in f`), pytest's long format
// (`x.py:3: in f`, `x.py:3: ValueError`) and JavaScript stacks (`at f (/abs/x.js:3:9)`, `file://` URLs).
// Frames are returned innermost first.

export interface Frame {
  file: string;
  line: number;
  column?: number;
  /** The function name when the format gives it. */
  func?: string;
}

const PY_NATIVE = /^\s*File "([^"]+)", line (\d+)(?:, in ([^\s]+))?/;
const PY_PYTEST = /^([^\s:>][^:\n]*?\.py):(\d+):(?: (?:in (\S+))?.*)?$/;
const JS_FRAME =
  /^\s*at (?:(.*?) \()?(?:file:\/\/)?((?:\/|[A-Za-z]:[\\/]|\.{0,2}[\w@.-]*[\\/])?[^\s():]*?\.(?:m|c)?[jt]sx?):(\d+):(\d+)\)?\s*$/;

function decode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export function parseFrames(text: string): Frame[] {
  const py: Frame[] = [];
  const js: Frame[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let m = PY_NATIVE.exec(raw);
    if (m) {
      py.push({ file: m[1]!, line: Number(m[2]), ...(m[3] ? { func: m[3] } : {}) });
      continue;
    }
    m = PY_PYTEST.exec(raw);
    if (m) {
      const f: Frame = { file: m[1]!, line: Number(m[2]), ...(m[3] ? { func: m[3] } : {}) };
      const last = py[py.length - 1];
      // pytest repeats the innermost location after the exception (`x.py:3: ValueError`).
      if (!last || last.file !== f.file || last.line !== f.line) py.push(f);
      continue;
    }
    m = JS_FRAME.exec(raw);
    if (m) {
      if (/^node:|^internal\//.test(m[2]!)) continue;
      js.push({
        file: decode(m[2]!),
        line: Number(m[3]),
        column: Number(m[4]),
        ...(m[1] ? { func: m[1] } : {}),
      });
    }
  }
  // Python lists the outermost frame first, JavaScript the innermost.
  return [...py.reverse(), ...js];
}
