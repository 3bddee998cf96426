// Engine semantics for both languages and both task kinds, in the bubblewrap sandbox (and a smoke run without).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CellResult, ExecRequest } from '../../src/types.js';
import { createExecutor, type SandboxExecutor } from '../../src/exec/index.js';
import { CPU_TIMEOUT } from '../../src/exec/harness-python.js';

const verdicts = (m: CellResult[][]) => m.map((row) => row.map((c) => c.verdict));

let ex: SandboxExecutor;
beforeAll(async () => {
  ex = await createExecutor({ sandbox: 'bwrap', workers: 2, timeoutMs: 3000, memoryMb: 256 });
});
afterAll(async () => {
  await ex.close();
});

describe('python stdio', () => {
  const base = { language: 'python', kind: 'stdio' } as const;

  it('judges outputs in the parent: pass, fail, and no expected value', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'a, b = map(int, input().split())\nprint(a + b)',
        'a, b = map(int, input().split())\nprint(a - b)',
      ],
      tests: [{ input: '1 2\n', expected: '3' }, { input: '5 5', expected: '10\n' }, { input: '7 1' }],
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'pass'],
      ['fail', 'fail', 'pass'],
    ]);
    expect(m[0][2].output).toBe('8\n');
    expect(m[1][2].output).toBe('6\n');
  });

  it('reads stdin every way and compares floats with tolerance', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'import sys\nprint(sum(map(int, sys.stdin.read().split())) / 3)',
        'print(sum(map(int, open(0).read().split())) / 3)',
        'import sys\nprint(sum(int(x) for line in sys.stdin.buffer for x in line.split()) / 3)',
      ],
      tests: [{ input: '1 0\n0\n', expected: '0.333333333' }],
    });
    expect(verdicts(m)).toEqual([['pass'], ['pass'], ['pass']]);
  });

  it('reads and writes UTF-8, line by line or in bulk, and keeps stderr out of the output', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'import sys\nname = input()\nprint("héllo", name, "✓")\nprint("note: é", file=sys.stderr)\nsys.stdout.write(sys.stdin.read().upper())',
        'import sys\ndata = sys.stdin.buffer.read().decode("utf-8")\nsys.stdout.buffer.write(data[::-1].encode("utf-8"))',
      ],
      tests: [{ input: 'wörld\nrest ß\n' }],
    });
    expect(verdicts(m)).toEqual([['pass'], ['pass']]);
    expect(m[0][0].output).toBe('héllo wörld ✓\nREST SS\n');
    expect(m[1][0].output).toBe('\nß tser\ndlröw');
  });

  it('takes ERR from the run, not from words in the output', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'print("Traceback: error exception")',
        'import sys\nprint("Traceback: error exception")\nsys.exit(0)',
        'print("ok")\nraise ValueError("boom")',
        'import sys\nprint("ok")\nsys.exit(3)',
        'def broken(:\n  pass',
      ],
      tests: [{ input: '', expected: 'Traceback: error exception' }, { input: '' }],
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass'],
      ['pass', 'pass'],
      ['error', 'error'],
      ['error', 'error'],
      ['error', 'error'],
    ]);
    expect(m[2][0].error).toMatch(/ValueError: boom/);
    expect(m[2][0].error).toMatch(/line 2/);
    expect(m[2][0].output).toBe('ok\n');
    expect(m[3][0].error).toMatch(/3/);
    expect(m[4][1].error).toMatch(/SyntaxError/);
  });

  it('gives every test a fresh process: files and globals do not leak between tests', async () => {
    const code = [
      'import os, builtins',
      'n = getattr(builtins, "counter", 0) + 1',
      'builtins.counter = n',
      'seen = os.path.exists("/tmp/mark")',
      'open("/tmp/mark", "w").write("x")',
      'print(n, seen)',
    ].join('\n');
    const m = await ex.run({
      ...base,
      codes: [code],
      tests: [{ input: '1' }, { input: '2' }, { input: '3' }],
    });
    expect(m[0].map((c) => c.output)).toEqual(['1 False\n', '1 False\n', '1 False\n']);
  });

  it('is deterministic: random is seeded the same in every test', async () => {
    const m = await ex.run({
      ...base,
      codes: ['import random\nprint(random.random(), random.randint(1, 10 ** 9))'],
      tests: [{ input: '1' }, { input: '2' }, { input: '3' }],
    });
    expect(new Set(m[0].map((c) => c.output)).size).toBe(1);
  });

  it('runs with PYTHONHASHSEED=0 (stable set order) and exit()', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'import os\nprint(os.environ.get("PYTHONHASHSEED"), list({"a", "b", "c", "d"}) == list({"d", "c", "b", "a"}))\nexit()',
      ],
      tests: [{ input: '', expected: '0 True' }],
    });
    expect(verdicts(m)).toEqual([['pass']]);
  });
});

describe('python function', () => {
  const base = { language: 'python', kind: 'function', entryPoint: 'f' } as const;

  it('compares return values structurally with the expected expression', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'def f(xs):\n    return sorted(set(xs))',
        'def f(xs):\n    return tuple(sorted(set(xs)))',
        'def f(xs):\n    return (x for x in sorted(set(xs)))',
        'def f(xs):\n    return [float(x) + 1e-9 for x in sorted(set(xs))]',
      ],
      tests: [
        { call: 'f([3, 1, 3])', expected: '[1, 3]' },
        { call: 'f([])', expected: '[]' },
        { call: 'f([2])' },
      ],
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'pass'],
      ['fail', 'fail', 'pass'],
      ['fail', 'fail', 'pass'],
      ['pass', 'pass', 'pass'],
    ]);
    expect(JSON.parse(m[0][0].output)).toEqual([
      'l',
      [
        ['i', '1'],
        ['i', '3'],
      ],
    ]);
  });

  it('isolates tests from each other: a module-level counter restarts every test', async () => {
    const m = await ex.run({
      ...base,
      codes: ['count = 0\ndef f(x):\n    global count\n    count += 1\n    return count'],
      tests: [
        { call: 'f(1)', expected: '1' },
        { call: 'f(2)', expected: '1' },
        { call: 'f(3)', expected: '1' },
      ],
    });
    expect(verdicts(m)).toEqual([['pass', 'pass', 'pass']]);
  });

  it('gives an error in every cell when the code fails to compile or import, with the error text', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'def f(x) return x',
        'import no_such_module_xyz\ndef f(x):\n    return x',
        'def g(x):\n    return x',
      ],
      tests: [{ call: 'f(1)', expected: '1' }, { call: 'f(2)' }],
    });
    expect(verdicts(m)).toEqual([
      ['error', 'error'],
      ['error', 'error'],
      ['error', 'error'],
    ]);
    expect(m[0][0].error).toMatch(/SyntaxError/);
    expect(m[1][1].error).toMatch(/ModuleNotFoundError/);
    expect(m[2][0].error).toMatch(/NameError/);
  });

  it("lets a test print (UTF-8, to nowhere) and keeps what it wrote to stderr for a crash's message", async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'import sys\ndef f(x):\n    print("héllo ✓", x)\n    sys.stdout.write("no newline")\n    return x + 1',
        'import os, sys\ndef f(x):\n    print("about to abort: é", file=sys.stderr)\n    os.abort()',
        'import sys\ndef f(x):\n    return sys.stdin.read() + str(x)',
      ],
      tests: [{ call: 'f(1)', expected: '2' }],
    });
    expect(verdicts(m)).toEqual([['pass'], ['error'], ['fail']]);
    expect(m[1][0].error).toMatch(/killed by SIGABRT\nabout to abort: é/);
    expect(m[2][0].output).toBe(JSON.stringify(['s', '1']));
  });

  it("reports a test's error exactly as a fresh interpreter formats it (carets included)", async () => {
    // The supervisor formats a traceback once before any fork (src/exec/harness-python.ts `warm_up`): what a
    // test process prints must not depend on that, nor on the tests before it.
    const code =
      'def f(xs, k):\n    return xs[k] + len(xs) * 2\n\ndef g(d):\n    return d["a"]["b"] / d["z"]\n';
    const calls = ['f([1, 2], 5)', 'g({"a": {"b": 1}, "z": 0})', 'f(None, 0)'];
    const m = await ex.run({ ...base, codes: [code], tests: calls.map((call) => ({ call })) });
    const fresh = (call: string) =>
      execFileSync(
        'python3',
        [
          '-c',
          [
            'import linecache, sys, traceback',
            'src = sys.argv[1]',
            "linecache.cache['<solution>'] = (len(src), None, src.splitlines(True), '<solution>')",
            "G = {}; exec(compile(src, '<solution>', 'exec'), G)",
            "linecache.cache['<test>'] = (1, None, [sys.argv[2]], '<test>')",
            'try:',
            "    eval(compile(sys.argv[2], '<test>', 'eval'), G)",
            'except BaseException as e:',
            '    te = traceback.TracebackException(type(e), e, e.__traceback__)',
            "    te.stack = traceback.StackSummary.from_list([s for s in te.stack if s.filename != '<string>'])",
            "    sys.stdout.write(''.join(te.format()).rstrip())",
          ].join('\n'),
          code,
          call,
        ],
        { encoding: 'utf8' },
      );
    expect(verdicts(m)).toEqual([['error', 'error', 'error']]);
    calls.forEach((call, j) => expect(m[0][j].error).toBe(fresh(call)));
    expect(m[0][0].error).toMatch(/IndexError: list index out of range$/);
    expect(m[0][1].error).toMatch(/ZeroDivisionError/);
  });
  it("does not run the code's __main__ block, awaits coroutines, and evaluates expected values that need the code", async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'def f(x):\n    return x * 2\n\nif __name__ == "__main__":\n    print(f(int(input())))',
        'def f(x):\n    return x * 3',
        'import asyncio\nasync def f(x):\n    await asyncio.sleep(0)\n    return x * 2',
      ],
      tests: [
        { call: 'f(2)', expected: '4' },
        { call: 'f(3)', expected: 'f(1) + 4' },
        { call: 'f(1)', expected: 'f(' },
      ],
    });
    // f(1) + 4 needs the code's f; for the async code it is a coroutine plus an int, an error as in Python.
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'error'],
      ['fail', 'fail', 'error'],
      ['pass', 'error', 'error'],
    ]);
    expect(m[0][2].error).toMatch(/expected value/);
  });

  it('rejects objects that claim equality with everything', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        'class Anything:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\n\ndef f(x):\n    return Anything()',
      ],
      tests: [
        { call: 'f(1)', expected: '42' },
        { call: 'f(2)', expected: '[1, 2]' },
      ],
    });
    expect(verdicts(m)).toEqual([['fail', 'fail']]);
  });

  it('maps duplicate codes and tests back to every position', async () => {
    const codes = ['def f(x):\n    return x + 1', 'def f(x):\n    return x', 'def f(x):\n    return x + 1'];
    const m = await ex.run({
      ...base,
      codes,
      tests: [
        { call: 'f(1)', expected: '2' },
        { call: 'f(1)', expected: '2' },
        { call: 'f(1)', expected: '1' },
      ],
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'fail'],
      ['fail', 'fail', 'pass'],
      ['pass', 'pass', 'fail'],
    ]);
  });
});

describe('python time limits and shared calls', () => {
  const base = { language: 'python', kind: 'function', entryPoint: 'f' } as const;

  it('runs a call once for every expected value it is judged against', async () => {
    const memo = await createExecutor({ sandbox: 'bwrap', workers: 2, memo: true });
    try {
      const tests = [
        { call: 'f(1)', expected: '2' },
        { call: 'f(1)', expected: '3' },
        { call: 'f(2)', expected: '3' },
      ];
      const m = await memo.run({ ...base, codes: ['def f(x):\n    return x + 1'], tests });
      expect(verdicts(m)).toEqual([['pass', 'fail', 'pass']]);
      expect(memo.stats!()).toEqual({ executed: 2, cached: 1, stored: 0, handedBack: 0 });
      // a later request that judges the same call against another value runs nothing
      const again = await memo.run({
        ...base,
        codes: ['def f(x):\n    return x + 1'],
        tests: [{ call: 'f(2)', expected: '4' }],
      });
      expect(verdicts(again)).toEqual([['fail']]);
      expect(memo.stats!().executed).toBe(2);
    } finally {
      await memo.close();
    }
  });

  it('does not count the time a test waits for a CPU: a test slowed by six busy processes passes', async () => {
    // the test starts six processes that spin, then needs 0.5 s of CPU time itself: on two cores that takes
    // well over its 1 s limit on the clock, but it waited for the CPU most of that time
    const hog = [
      'import os, time',
      'def f(x):',
      '    for _ in range(3):',
      '        if os.fork() == 0:',
      '            while True:',
      '                pass',
      '    while time.process_time() < 0.6:',
      '        pass',
      '    return x',
    ].join('\n');
    const m = await ex.run({
      ...base,
      codes: [hog, 'def f(x):\n    while True:\n        pass'],
      tests: [{ call: 'f(1)', expected: '1' }],
      timeoutMs: 1000,
    });
    expect(verdicts(m)).toEqual([['pass'], ['timeout']]);
    // the message the store and the code-fixing prompt read (CPU_TIMEOUT): the CPU time used, then the limit
    expect(CPU_TIMEOUT.exec(m[1][0].error ?? '')?.[2]).toBe('1000');
  });

  it('runs standalone code in a lean process: no site, no threading, yet site-packages and exit() work', async () => {
    const host = JSON.parse(
      execFileSync(
        'python3',
        [
          '-c',
          'import site, os, json; print(json.dumps([p for p in site.getsitepackages() if os.path.isdir(p)]))',
        ],
        {
          encoding: 'utf8',
        },
      ),
    ) as string[];
    const m = await ex.run({
      language: 'python',
      kind: 'function',
      entryPoint: 'f',
      codes: [
        'import sys\ndef f():\n    return [sys.flags.no_site, "threading" in sys.modules, sys.path, callable(exit)]',
      ],
      tests: [
        { call: 'f()[:2]', expected: '[1, False]' },
        { call: 'f()[3]', expected: 'True' },
        { call: 'f()[2]' },
      ],
    });
    expect(verdicts(m)).toEqual([['pass', 'pass', 'pass']]);
    for (const dir of host) expect(m[0][2].output).toContain(JSON.stringify(dir));
  });

  it('hands the tests left after a timeout back to the pool: the rest is split over the workers, verdicts unchanged', async () => {
    // f loops for x < 2. The row is planned as chunks [0, 1, 2] and [3, 4]; 0 times out and its chunk hands
    // back [1, 2], which runs as [1] and [2] side by side. Every verdict stays in its place; a chunk of one test
    // has nothing to hand back.
    const split = await createExecutor({ sandbox: 'bwrap', workers: 2, memo: true, memoryMb: 256 });
    try {
      const m = await split.run({
        ...base,
        codes: ['def f(x):\n    while x < 2:\n        pass\n    return x * 10'],
        tests: [0, 1, 2, 3, 4].map((x) => ({ call: `f(${x})`, expected: String(x * 10) })),
        timeoutMs: 300,
      });
      expect(verdicts(m)).toEqual([['timeout', 'timeout', 'pass', 'pass', 'pass']]);
      expect(split.stats!()).toMatchObject({ executed: 5, handedBack: 1 });
      const lone = await split.run({
        ...base,
        codes: ['def f(x):\n    while True:\n        pass'],
        tests: [{ call: 'f(1)', expected: '1' }],
        timeoutMs: 300,
      });
      expect(verdicts(lone)).toEqual([['timeout']]);
      expect(split.stats!().handedBack).toBe(1);
    } finally {
      await split.close();
    }
  });

  it('gives loading the code the same limit: a module that never finishes loading times out', async () => {
    const m = await ex.run({
      ...base,
      codes: ['while True:\n    pass\ndef f(x):\n    return x'],
      tests: [
        { call: 'f(1)', expected: '1' },
        { call: 'f(2)', expected: '2' },
      ],
      timeoutMs: 500,
    });
    expect(verdicts(m)).toEqual([['timeout', 'timeout']]);
    expect(m[0][0].error).toBe('loading the code did not finish within 500 ms');
  });

  it('counts the time a test sleeps: it is stopped at its limit, with little CPU time used', async () => {
    const m = await ex.run({
      ...base,
      codes: ['import time\ndef f(x):\n    time.sleep(60)\n    return x'],
      tests: [{ call: 'f(1)', expected: '1' }],
      timeoutMs: 300,
    });
    expect(verdicts(m)).toEqual([['timeout']]);
    expect(Number(/(\d+) ms of CPU time used/.exec(m[0][0].error ?? '')![1])).toBeLessThan(300);
  });
});

describe('javascript stdio', () => {
  const base = { language: 'javascript', kind: 'stdio' } as const;

  it('supports the usual ways of reading stdin', async () => {
    const codes = [
      `const s = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(s[0] + s[1]);`,
      `const fs = require('fs');\nconst s = fs.readFileSync('/dev/stdin').toString().split(/\\s+/).map(Number);\nprocess.stdout.write(String(s[0] + s[1]) + '\\n');`,
      `const rl = require('readline').createInterface({ input: process.stdin });\nconst ls = [];\nrl.on('line', (l) => ls.push(l));\nrl.on('close', () => { const [a, b] = ls.join(' ').split(' ').map(Number); console.log(a + b); });`,
      `let d = '';\nprocess.stdin.setEncoding('utf8');\nprocess.stdin.on('data', (c) => (d += c));\nprocess.stdin.on('end', () => { const [a, b] = d.split(/\\s+/).map(Number); console.log(a + b); });`,
      `import readline from 'readline';\nasync function main() {\n  const rl = readline.createInterface({ input: process.stdin });\n  let t = 0;\n  for await (const line of rl) for (const x of line.split(' ')) t += Number(x);\n  console.log(t);\n}\nmain();`,
      `const [a, b] = require('fs').readFileSync(0, 'utf8').split(/\\s+/).map(Number);\nsetTimeout(() => console.log(a + b), 5);`,
      `import { setTimeout as sleep } from 'timers/promises';\nconst [a, b] = require('fs').readFileSync(0, 'utf8').split(/\\s+/).map(Number);\nawait sleep(5);\nconsole.log(a + b);`,
      `const util = require('util');\nconst wait = util.promisify(setTimeout);\nwait(3).then(() => { const [a, b] = require('fs').readFileSync(0, 'utf8').split(/\\s+/).map(Number); console.log(a + b); });`,
    ];
    const m = await ex.run({
      ...base,
      codes,
      tests: [
        { input: '1 2\n', expected: '3' },
        { input: '40\n2', expected: '42' },
      ],
    });
    expect(verdicts(m)).toEqual(codes.map(() => ['pass', 'pass']));
  });

  it('maps exits and exceptions to verdicts and keeps the output', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        `console.log('error'); process.exit(0); console.log('not reached');`,
        `console.log('partial'); process.exit(2);`,
        `console.log('partial'); throw new TypeError('bad thing');`,
        `function (`,
      ],
      tests: [{ input: '', expected: 'error' }],
    });
    expect(verdicts(m)).toEqual([['pass'], ['error'], ['error'], ['error']]);
    expect(m[1][0].output).toBe('partial\n');
    expect(m[2][0].error).toMatch(/TypeError: bad thing/);
    expect(m[3][0].error).toMatch(/SyntaxError/);
  });

  it('is deterministic: Math.random is seeded the same in every test', async () => {
    const m = await ex.run({
      ...base,
      codes: ['console.log(Math.random(), Math.random())'],
      tests: [{ input: '1' }, { input: '2' }, { input: '3' }],
    });
    expect(new Set(m[0].map((c) => c.output)).size).toBe(1);
  });

  it('gives every test a fresh context: globals and module state do not leak', async () => {
    const m = await ex.run({
      ...base,
      codes: [
        `globalThis.n = (globalThis.n || 0) + 1;\nvar k = (typeof k === 'number' ? k : 0) + 1;\nconsole.log(n, k);`,
      ],
      tests: [{ input: '' }, { input: 'x' }, { input: 'y' }],
    });
    expect(m[0].map((c) => c.output)).toEqual(['1 1\n', '1 1\n', '1 1\n']);
  });
});

describe('javascript function', () => {
  const base = { language: 'javascript', kind: 'function', entryPoint: 'add' } as const;

  it('accepts every common shape of candidate code', async () => {
    const codes = [
      'function add(a, b) { return a + b; }',
      'const add = (a, b) => a + b;',
      'module.exports = function (a, b) { return a + b; };',
      'module.exports = { add: (a, b) => a + b };',
      'exports.add = function add(a, b) { return a + b; };',
      'export function add(a, b) { return a + b; }',
      'export default function add(a, b) { return a + b; }',
      'export const add = (a, b) => a + b;',
      'async function add(a, b) { await null; return a + b; }',
      "import { strict as assert } from 'assert';\nexport default (a, b) => { assert.ok(true); return a + b; };",
    ];
    const m = await ex.run({
      ...base,
      codes,
      tests: [
        { call: 'add(1, 2)', expected: '3' },
        { call: 'add(2, 2)', expected: '5' },
      ],
    });
    expect(verdicts(m)).toEqual(codes.map(() => ['pass', 'fail']));
  });

  it('compares structures: objects, arrays, maps, sets, floats', async () => {
    const m = await ex.run({
      language: 'javascript',
      kind: 'function',
      entryPoint: 'f',
      codes: [
        'function f() { return { b: [1, 2.0000000001], a: new Set([2, 1]), m: new Map([["k", null]]) }; }',
      ],
      tests: [
        { call: 'f()', expected: '{a: new Set([1, 2]), b: [1, 2], m: new Map([["k", null]])}' },
        { call: 'f()', expected: '{a: new Set([1, 2]), b: [1, 3], m: new Map([["k", null]])}' },
        { call: 'f().b.length', expected: '2' },
      ],
    });
    expect(verdicts(m)).toEqual([['pass', 'fail', 'pass']]);
  });

  it('isolates tests: a module-level counter restarts every test', async () => {
    const m = await ex.run({
      language: 'javascript',
      kind: 'function',
      entryPoint: 'next',
      codes: ['let count = 0;\nfunction next() { count += 1; return count; }\nmodule.exports = { next };'],
      tests: [
        { call: 'next()', expected: '1' },
        { call: 'next() + next()', expected: '3' },
        { call: 'next()', expected: '1' },
      ],
    });
    expect(verdicts(m)).toEqual([['pass', 'pass', 'pass']]);
  });

  it('gives an error in every cell for a syntax error or a missing entry point', async () => {
    const m = await ex.run({
      ...base,
      codes: ['function add(a, b) { return a + ; }', 'function plus(a, b) { return a + b; }'],
      tests: [{ call: 'add(1, 2)', expected: '3' }, { call: 'add(0, 0)' }],
    });
    expect(verdicts(m)).toEqual([
      ['error', 'error'],
      ['error', 'error'],
    ]);
    expect(m[0][0].error).toMatch(/SyntaxError/);
    expect(m[1][0].error).toMatch(/add is not defined/);
  });
});

describe('without a sandbox (explicit)', () => {
  it('runs both languages and kinds', async () => {
    const none = await createExecutor({ sandbox: 'none', workers: 2, timeoutMs: 3000 });
    try {
      const reqs: ExecRequest[] = [
        {
          language: 'python',
          kind: 'stdio',
          codes: ['print(int(input()) + 1)'],
          tests: [{ input: '1', expected: '2' }],
        },
        {
          language: 'python',
          kind: 'function',
          codes: ['def f(x): return x + 1'],
          tests: [{ call: 'f(1)', expected: '2' }],
        },
        {
          language: 'javascript',
          kind: 'stdio',
          codes: ['console.log(Number(require("fs").readFileSync(0, "utf8")) + 1)'],
          tests: [{ input: '1', expected: '2' }],
        },
        {
          language: 'javascript',
          kind: 'function',
          entryPoint: 'f',
          codes: ['const f = (x) => x + 1'],
          tests: [{ call: 'f(1)', expected: '2' }],
        },
      ];
      for (const r of reqs) expect(verdicts(await none.run(r))).toEqual([['pass']]);
    } finally {
      await none.close();
    }
  });
});

describe('requests', () => {
  it('rejects malformed requests with a UserError that names the problem', async () => {
    await expect(
      ex.run({ language: 'ruby', kind: 'stdio', codes: [], tests: [] } as unknown as ExecRequest),
    ).rejects.toThrow(/language/);
    await expect(
      ex.run({
        language: 'python',
        kind: 'function',
        codes: ['x'],
        tests: [{ input: '1' }],
      } as unknown as ExecRequest),
    ).rejects.toThrow(/call/);
    await expect(
      ex.run({ language: 'python', kind: 'stdio', codes: ['x'], tests: [{ call: 'f()' }] } as ExecRequest),
    ).rejects.toThrow(/input/);
  });

  it('refuses to run after close()', async () => {
    const e = await createExecutor({ sandbox: 'bwrap', workers: 1 });
    await e.close();
    await expect(
      e.run({ language: 'python', kind: 'stdio', codes: ['print(1)'], tests: [{ input: '' }] }),
    ).rejects.toThrow(/closed/);
  });

  it('returns empty rows for an empty matrix', async () => {
    expect(await ex.run({ language: 'python', kind: 'stdio', codes: [], tests: [{ input: '' }] })).toEqual(
      [],
    );
    expect(await ex.run({ language: 'python', kind: 'stdio', codes: ['print(1)'], tests: [] })).toEqual([[]]);
  });
});
