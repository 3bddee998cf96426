// Fail closed: without a working bubblewrap the engine refuses to run (with fix instructions) unless the caller
// chose sandbox 'none' explicitly.
import { afterEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/types.js';
import { checkSandbox, createExecutor, SandboxUnavailableError } from '../../src/exec/index.js';
import { resetSandboxProbes } from '../../src/exec/sandbox.js';

const saved = process.env.COSPLAY_BWRAP;
afterEach(() => {
  if (saved === undefined) delete process.env.COSPLAY_BWRAP;
  else process.env.COSPLAY_BWRAP = saved;
  resetSandboxProbes();
});

function fakeBwrap(body: string): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cosplay-fake-bwrap-'));
  const path = join(dir, 'bwrap');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('fail closed', () => {
  it('works here: bubblewrap is installed and passes the preflight', async () => {
    resetSandboxProbes();
    expect(await checkSandbox()).toEqual({ ok: true });
  });

  it('refuses to run when bubblewrap is missing, and says how to fix it', async () => {
    process.env.COSPLAY_BWRAP = '/nonexistent/bwrap';
    resetSandboxProbes();
    const check = await checkSandbox();
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.reason).toMatch(/not installed/);
      expect(check.fix).toMatch(/apt-get install -y bubblewrap/);
      expect(check.fix).toMatch(/sandbox none/);
    }
    const err = await createExecutor({ sandbox: 'bwrap' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxUnavailableError);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/bubblewrap/);
  });

  it('refuses to run when bubblewrap cannot create namespaces (AppArmor), with the fix', async () => {
    const fake = fakeBwrap(
      'if [ "$1" = "--version" ]; then echo "bubblewrap 0.9.0"; exit 0; fi\n' +
        'echo "bwrap: setting up uid map: Permission denied" >&2\nexit 1',
    );
    try {
      process.env.COSPLAY_BWRAP = fake.path;
      resetSandboxProbes();
      const check = await checkSandbox();
      expect(check.ok).toBe(false);
      if (!check.ok) {
        expect(check.reason).toMatch(/uid map: Permission denied/);
        expect(check.fix).toMatch(/AppArmor/);
        expect(check.fix).toMatch(/setup-sandbox\.sh/);
        expect(check.fix).toMatch(/apparmor_restrict_unprivileged_userns/);
      }
      await expect(createExecutor({ sandbox: 'bwrap' })).rejects.toBeInstanceOf(SandboxUnavailableError);
    } finally {
      fake.cleanup();
    }
  });

  it('never falls back silently: the sandbox must be chosen explicitly', async () => {
    await expect(createExecutor({} as never)).rejects.toBeInstanceOf(UserError);
    await expect(createExecutor({ sandbox: 'off' } as never)).rejects.toThrow(/explicitly/);
  });

  it('says what to install when the Python interpreter is missing', async () => {
    const ex = await createExecutor({ sandbox: 'bwrap', workers: 1, python: '/nonexistent/python3' });
    try {
      const err = await ex
        .run({ language: 'python', kind: 'stdio', codes: ['print(1)'], tests: [{ input: '' }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/Python 3\.8/);
    } finally {
      await ex.close();
    }
  });

  it("runs unsandboxed only when told 'none', even without bubblewrap", async () => {
    process.env.COSPLAY_BWRAP = '/nonexistent/bwrap';
    resetSandboxProbes();
    const ex = await createExecutor({ sandbox: 'none', workers: 1 });
    try {
      const m = await ex.run({
        language: 'python',
        kind: 'stdio',
        codes: ['print(6 * 7)'],
        tests: [{ input: '', expected: '42' }],
      });
      expect(m[0][0].verdict).toBe('pass');
    } finally {
      await ex.close();
    }
  });
});
