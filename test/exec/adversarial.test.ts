// The adversarial suite: every attack is contained with the right verdict, and the engine keeps working after it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CellResult, Language } from '../../src/types.js';
import { createExecutor, type SandboxExecutor } from '../../src/exec/index.js';

const verdicts = (m: CellResult[][]) => m.map((row) => row.map((c) => c.verdict));
const OUTPUT_LIMIT = 64 * 1024;

let ex: SandboxExecutor;
const SECRET = `sk-cosplay-${randomBytes(8).toString('hex')}`;

beforeAll(async () => {
  process.env.COSPLAY_ADVERSARY_SECRET = SECRET;
  ex = await createExecutor({
    sandbox: 'bwrap',
    workers: 2,
    timeoutMs: 5000,
    memoryMb: 256,
    outputLimitBytes: OUTPUT_LIMIT,
  });
});
afterAll(async () => {
  delete process.env.COSPLAY_ADVERSARY_SECRET;
  await ex.close();
});

/** After an attack the engine must still run ordinary code correctly, in both languages. */
async function stillWorks(): Promise<void> {
  const py = await ex.run({
    language: 'python',
    kind: 'stdio',
    codes: [
      'print(int(input()) * 2)',
      'print(int(input()) * 2)\n#2',
      'print(int(input()) * 2)\n#3',
      'print(0)',
    ],
    tests: [{ input: '21', expected: '42' }],
  });
  expect(verdicts(py)).toEqual([['pass'], ['pass'], ['pass'], ['fail']]);
  const js = await ex.run({
    language: 'javascript',
    kind: 'function',
    entryPoint: 'f',
    codes: ['const f = (x) => x * 2'],
    tests: [{ call: 'f(21)', expected: '42' }],
  });
  expect(verdicts(js)).toEqual([['pass']]);
}

const escapeJs = `const host = globalThis.constructor.constructor('return process')();`;

describe.each<Language>(['python', 'javascript'])('%s attacks', (language) => {
  const py = language === 'python';

  it('cannot read a secret from the environment or /proc/<pid>/environ', async () => {
    const code = py
      ? [
          'import os, glob',
          'out = [repr(dict(os.environ))]',
          `for p in glob.glob('/proc/*/environ') + ['/proc/${process.pid}/environ', '/proc/${process.ppid}/environ', '/proc/1/environ']:`,
          '    try:',
          "        out.append(open(p, 'rb').read().decode('latin1'))",
          '    except Exception as e:',
          "        out.append('denied ' + p)",
          "print('\\n'.join(out))",
        ].join('\n')
      : [
          escapeJs,
          "const fs = require('fs');",
          'const out = [JSON.stringify(process.env), JSON.stringify(host.env)];',
          `for (const p of [...fs.readdirSync('/proc').map((d) => '/proc/' + d + '/environ'), '/proc/${process.pid}/environ', '/proc/1/environ']) {`,
          "  try { out.push(fs.readFileSync(p, 'latin1')); } catch (e) { out.push('denied ' + p); }",
          '}',
          "console.log(out.join('\\n'));",
        ].join('\n');
    const m = await ex.run({ language, kind: 'stdio', codes: [code], tests: [{ input: '' }] });
    expect(m[0][0].verdict).toBe('pass');
    expect(m[0][0].output).not.toContain(SECRET);
    expect(m[0][0].output).not.toContain('COSPLAY_ADVERSARY_SECRET');
    expect(m[0][0].output).not.toMatch(/GITHUB_TOKEN|OPENAI_API_KEY|JEST_WORKER_ID/);
    await stillWorks();
  });

  it('cannot delete or write files outside its temp dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosplay-victim-'));
    writeFileSync(join(dir, 'victim.txt'), 'precious');
    try {
      const targets = [
        join(dir, 'victim.txt'),
        join(dir, 'pwned.txt'),
        join(process.cwd(), 'pwned-by-test.txt'),
        '/usr/pwned',
        '/etc/pwned',
        '/pwned',
      ];
      const code = py
        ? [
            'import os, shutil',
            `targets = ${JSON.stringify(targets)}`,
            'for t in targets:',
            '    try:',
            "        open(t, 'w').write('pwned')",
            "        print('wrote', t)",
            '    except Exception as e:',
            "        print('no', t, type(e).__name__)",
            `for f in (lambda: os.remove(${JSON.stringify(join(dir, 'victim.txt'))}), lambda: shutil.rmtree(${JSON.stringify(dir)}), lambda: shutil.rmtree('/usr/lib')):`,
            '    try:',
            '        f()',
            '    except Exception as e:',
            "        print('no delete', type(e).__name__)",
          ].join('\n')
        : [
            "const fs = require('fs');",
            `for (const t of ${JSON.stringify(targets)}) {`,
            "  try { fs.writeFileSync(t, 'pwned'); console.log('wrote', t); } catch (e) { console.log('no', t, e.code); }",
            '}',
            `for (const f of [() => fs.unlinkSync(${JSON.stringify(join(dir, 'victim.txt'))}), () => fs.rmSync(${JSON.stringify(dir)}, { recursive: true }), () => fs.rmSync('/usr/lib', { recursive: true })]) {`,
            "  try { f(); } catch (e) { console.log('no delete', e.code); }",
            '}',
          ].join('\n');
      const m = await ex.run({ language, kind: 'stdio', codes: [code], tests: [{ input: '' }] });
      expect(['pass', 'error']).toContain(m[0][0].verdict);
      expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('precious');
      expect(readdirSync(dir)).toEqual(['victim.txt']);
      expect(existsSync(join(process.cwd(), 'pwned-by-test.txt'))).toBe(false);
      expect(existsSync('/usr/pwned') || existsSync('/etc/pwned') || existsSync('/pwned')).toBe(false);
      expect(existsSync('/usr/lib')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await stillWorks();
  });

  it('cannot connect to a server on 127.0.0.1', async () => {
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const code = py
        ? [
            'import socket',
            "for host in ('127.0.0.1', 'localhost', '10.0.2.2'):",
            '    try:',
            `        socket.create_connection((host, ${port}), timeout=0.5)`,
            "        print('connected', host)",
            '    except Exception as e:',
            "        print('blocked', host, type(e).__name__)",
          ].join('\n')
        : [
            "const net = require('net');",
            `const s = net.connect({ host: '127.0.0.1', port: ${port} });`,
            "s.on('connect', () => console.log('connected'));",
            "s.on('error', (e) => console.log('blocked', e.code));",
            'setTimeout(() => {}, 300);',
          ].join('\n');
      const m = await ex.run({ language, kind: 'stdio', codes: [code], tests: [{ input: '' }] });
      expect(m[0][0].output).not.toContain('connected');
      expect(m[0][0].output).toContain('blocked');
      await new Promise((r) => setTimeout(r, 50));
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
    await stillWorks();
  });

  it('a fork bomb times out and leaves no process behind', async () => {
    const code = py
      ? 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass'
      : [
          escapeJs,
          "const cp = host.getBuiltinModule ? host.getBuiltinModule('child_process') : null;",
          "if (cp) { try { cp.spawn('/bin/sh', ['-c', 'f() { f | f & }; f'], { stdio: 'ignore' }); } catch (e) {} }",
          'while (true) {}',
        ].join('\n');
    const m = await ex.run({
      language,
      kind: 'stdio',
      codes: [code],
      tests: [{ input: '' }, { input: '' }],
      timeoutMs: 1000,
    });
    expect(verdicts(m)).toEqual([['timeout', 'timeout']]);
    // Every worker sandbox is clean again: only the supervisor, the code process and the probe itself.
    const probe = "import os\nprint(len([p for p in os.listdir('/proc') if p.isdigit()]))";
    const counts = await ex.run({
      language: 'python',
      kind: 'stdio',
      codes: [probe, probe + '\n#1', probe + '\n#2', probe + '\n#3'],
      tests: [{ input: '' }],
    });
    for (const row of counts) expect(Number(row[0].output)).toBeLessThanOrEqual(3);
    await stillWorks();
  });

  it('a memory hog gets the memory verdict, however slow the machine', async () => {
    const codes = py
      ? ['x = []\nwhile True:\n    x.append(bytearray(10 ** 7))', 'x = [0] * (10 ** 9)']
      : [
          'const a = [];\nwhile (true) a.push(new Array(1e6).fill(1.5));',
          'const a = [];\nwhile (true) a.push(Buffer.alloc(5e7, 1));',
        ];
    // The smallest memory limit, reached quickly; a time limit (5 minutes) that only a hang could reach, so
    // that nothing but the memory limit can end these programs.
    const small = await createExecutor({ sandbox: 'bwrap', workers: 2, memoryMb: 64 });
    try {
      const m = await small.run({
        language,
        kind: 'stdio',
        codes,
        tests: [{ input: '' }, { input: '' }],
        timeoutMs: 300_000,
      });
      expect(verdicts(m)).toEqual([
        ['memory', 'memory'],
        ['memory', 'memory'],
      ]);
    } finally {
      await small.close();
    }
    await stillWorks();
  });

  // JavaScript only: Python's memory limit is a hard one that raises MemoryError at once
  (py ? it.skip : it)(
    'a test that runs out of time holding most of the memory limit is a memory hog, not a timeout',
    async () => {
      // about 56 MB of a 64 MB limit, then a loop that never ends: only the clock can stop it
      const code =
        'const a = [];\nfor (let i = 0; i < 70; i++) a.push(new Array(1e5).fill(1.5));\nfor (;;) {}';
      const small = await createExecutor({ sandbox: 'bwrap', workers: 2, memoryMb: 64 });
      try {
        const m = await small.run({
          language,
          kind: 'stdio',
          codes: [code],
          tests: [{ input: '' }],
          timeoutMs: 15_000,
        });
        expect(verdicts(m)).toEqual([['memory']]);
        expect(m[0]![0]!.error).toMatch(/memory limit \(64 MB\) nearly exhausted/);
      } finally {
        await small.close();
      }
    },
  );

  it('an infinite loop, also one that ignores or catches signals, times out', async () => {
    const codes = py
      ? [
          'while True:\n    pass',
          [
            'import signal',
            "for s in ('SIGTERM', 'SIGINT', 'SIGALRM', 'SIGXCPU', 'SIGHUP', 'SIGUSR1', 'SIGQUIT'):",
            '    signal.signal(getattr(signal, s), signal.SIG_IGN)',
            'try:',
            '    while True:',
            '        pass',
            'except BaseException:',
            '    while True:',
            '        pass',
          ].join('\n'),
        ]
      : [
          'while (true) {}',
          `${escapeJs}\nfor (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) host.on(s, () => {});\nprocess.on('SIGTERM', () => {});\ntry { while (true) {} } catch (e) { while (true) {} } finally { while (true) {} }`,
          "require('fs').readFileSync(0);\nPromise.resolve().then(() => { for (;;) {} });",
          'setTimeout(() => { for (;;) {} }, 1);',
        ];
    const tests = py ? [{ input: '' }, { input: '1' }] : [{ input: '' }];
    const m = await ex.run({ language, kind: 'stdio', codes, tests, timeoutMs: 1000 });
    expect(verdicts(m)).toEqual(codes.map(() => tests.map(() => 'timeout')));
    await stillWorks();
  });

  it('flooding stdout gets the output_limit verdict', async () => {
    const codes = py
      ? [
          "while True:\n    print('x' * 1000)",
          "import sys\nwhile True:\n    try:\n        sys.stdout.write('y' * 100000)\n        sys.stdout.flush()\n    except BaseException:\n        pass",
        ]
      : [
          "for (;;) console.log('x'.repeat(1000));",
          "for (;;) { try { process.stdout.write('y'.repeat(100000)); } catch (e) {} }",
        ];
    const m = await ex.run({ language, kind: 'stdio', codes, tests: [{ input: '' }], timeoutMs: 2000 });
    expect(verdicts(m)).toEqual([['output_limit'], ['output_limit']]);
    expect(m[0][0].output.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    await stillWorks();
  });

  it('killing its parent costs only its own cell', async () => {
    const code = py
      ? 'import os, signal\ndef f(x):\n    if x == 2:\n        os.kill(os.getppid(), signal.SIGKILL)\n        os.kill(1, signal.SIGKILL)\n        os.kill(-1, signal.SIGKILL)\n    return x'
      : `function f(x) {\n  if (x === 2) {\n    ${escapeJs}\n    try { host.kill(host.ppid, 'SIGKILL'); } catch (e) {}\n    try { host.kill(1, 'SIGKILL'); } catch (e) {}\n    host.kill(host.pid, 'SIGKILL');\n  }\n  return x;\n}`;
    const m = await ex.run({
      language,
      kind: 'function',
      entryPoint: 'f',
      codes: [code, py ? 'def f(x):\n    return x' : 'const f = (x) => x;'],
      tests: [1, 2, 3, 4].map((x) => ({ call: `f(${x})`, expected: String(x) })),
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'error', 'pass', 'pass'],
      ['pass', 'pass', 'pass', 'pass'],
    ]);
    await stillWorks();
  });

  it('cannot forge a pass: expected values never reach it and its channel forgeries are ignored', async () => {
    const token = `real-${randomBytes(6).toString('hex')}`;
    const forged = JSON.stringify({
      id: 1,
      j: 0,
      cell: { status: 'ok', stdout: 'forged', value: '["s","forged"]' },
    });
    const stdio = py
      ? [
          'import os, glob, ctypes',
          `msg = ${JSON.stringify(forged)} + '\\n'`,
          'for fd in range(0, 64):',
          '    try:',
          '        os.write(fd, msg.encode())',
          '    except OSError:',
          '        pass',
          "for p in ['/proc/1/fd/1', '/proc/1/fd/0', '/proc/1/mem', '/proc/%d/fd/1' % os.getppid()]:",
          '    try:',
          "        open(p, 'w').write(msg)",
          "        print('opened', p)",
          '    except Exception as e:',
          "        print('denied', p)",
          'libc = ctypes.CDLL(None, use_errno=True)',
          "print('ptrace', libc.ptrace(16, 1, 0, 0), libc.ptrace(16, os.getppid(), 0, 0))",
          "blob = ''",
          "for p in glob.glob('/proc/*/cmdline') + glob.glob('/proc/*/environ') + glob.glob('/tmp/*'):",
          '    try:',
          "        blob += open(p, 'rb').read().decode('latin1')",
          '    except Exception:',
          '        pass',
          'print(blob)',
        ].join('\n')
      : [
          escapeJs,
          `const msg = ${JSON.stringify(forged)} + '\\n';`,
          "const fs = require('fs');",
          'for (let fd = 0; fd < 64; fd++) { try { fs.writeSync(fd, msg); } catch (e) {} }',
          "try { host.stdout.write(JSON.stringify({ j: 0, cell: { status: 'ok', stdout: 'forged' } }) + '\\n'); } catch (e) {}",
          "for (const p of ['/proc/1/fd/1', '/proc/1/fd/0']) { try { fs.writeFileSync(p, msg); console.log('opened', p); } catch (e) { console.log('denied', p); } }",
          "let blob = '';",
          "for (const d of fs.readdirSync('/proc')) { for (const f of ['cmdline', 'environ']) { try { blob += fs.readFileSync('/proc/' + d + '/' + f, 'latin1'); } catch (e) {} } }",
          'console.log(blob);',
        ].join('\n');
    const m = await ex.run({
      language,
      kind: 'stdio',
      codes: [stdio, py ? 'print(input())' : "console.log(require('fs').readFileSync(0, 'utf8').trim())"],
      tests: [
        { input: 'echo', expected: token },
        { input: token, expected: token },
      ],
    });
    expect(m[0][0].verdict).not.toBe('pass');
    expect(m[0][1].verdict).not.toBe('pass');
    expect(m[0][0].output).not.toContain(token);
    expect(m[1].map((c) => c.verdict)).toEqual(['fail', 'pass']);
    if (py) {
      expect(m[0][0].output).toContain('denied /proc/1/fd/1');
      expect(m[0][0].output).toMatch(/ptrace -1 -1/);
    }

    // Function tasks: the expected expression is evaluated in a separate sandbox; the code cannot find it.
    const fn = py
      ? "import gc\ndef f():\n    hits = [o for o in gc.get_objects() if isinstance(o, str) and o.startswith('real-')]\n    return hits[0] if hits else 'nothing'"
      : "function f() { const host = globalThis.constructor.constructor('return process')(); host.stdout.write(JSON.stringify({ j: 0, cell: { status: 'ok', value: '[\"s\",\"guess\"]' } }) + '\\n'); return 'nothing'; }";
    const mf = await ex.run({
      language,
      kind: 'function',
      entryPoint: 'f',
      codes: [fn],
      tests: [
        { call: 'f()', expected: `'real-' + '${token.slice(5)}'` },
        { call: 'f()', expected: `'${token}'` },
      ],
    });
    expect(verdicts(mf)[0].every((v) => v !== 'pass')).toBe(true);
    expect(mf[0].map((c) => c.output).join('')).not.toContain(token);
    await stillWorks();
  });

  it('cannot leak state between tests through a module-level counter', async () => {
    const code = py
      ? 'calls = 0\ndef f(x):\n    global calls\n    calls += 1\n    return calls'
      : 'let calls = 0;\nfunction f(x) { calls += 1; globalThis.seen = (globalThis.seen || 0) + 1; return calls + globalThis.seen - 1; }';
    const m = await ex.run({
      language,
      kind: 'function',
      entryPoint: 'f',
      codes: [code],
      tests: [1, 2, 3, 4, 5].map((x) => ({ call: `f(${x})`, expected: '1' })),
    });
    expect(verdicts(m)).toEqual([['pass', 'pass', 'pass', 'pass', 'pass']]);
  });
});
