// Sandbox preparation (fail closed; on GitHub-hosted runners the set-up script with sudo, then the preflight
// again) and the guarantee that generated code never sees the job's credentials: a candidate that prints its
// whole environment, run through the executor the entry builds, shows none of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildModeContext, scrubSecrets } from '../../src/action/context.js';
import { readInputs } from '../../src/action/inputs.js';
import { findSetupScript, prepareSandbox, runSetupScript } from '../../src/action/sandbox.js';
import { checkSandbox, SandboxUnavailableError } from '../../src/exec/index.js';
import { createGitHubClient } from '../../src/github/index.js';
import type { ModeLog } from '../../src/modes/types.js';

const SECRETS: Record<string, string> = {
  'INPUT_GITHUB-TOKEN': 'ghs_inputtokenvalue0123456789',
  'INPUT_API-KEY': 'sk-inputapikey0123456789abcdef',
  GITHUB_TOKEN: 'ghs_envtokenvalue0123456789ab',
  OPENAI_API_KEY: 'sk-envapikey0123456789abcdefgh',
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-value-0123456789',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-value-012345',
  ACTIONS_RESULTS_URL: 'https://results.example/secret-path-012345',
  GITHUB_ENV: '/tmp/runner/file_commands/set_env_0123',
  GITHUB_OUTPUT: '/tmp/runner/file_commands/set_output_0123',
};

function logger() {
  const lines: string[] = [];
  const log: ModeLog = {
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { log, lines };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-sandbox-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('prepareSandbox', () => {
  const failing = {
    ok: false as const,
    reason: 'bubblewrap cannot create its sandbox (setting up uid map: Permission denied)',
    fix: 'Load the AppArmor profile.',
  };

  it('sandbox none runs nothing and warns', async () => {
    const { log, lines } = logger();
    let checked = 0;
    await prepareSandbox('none', { log, check: async () => (checked++, failing) });
    expect(checked).toBe(0);
    expect(lines.join('\n')).toMatch(/WITHOUT isolation/);
  });

  it('a working sandbox needs no set-up', async () => {
    const { log } = logger();
    let setups = 0;
    await prepareSandbox('bwrap', {
      log,
      env: {},
      check: async () => ({ ok: true }),
      setup: async () => (setups++, { exitCode: 0, output: '' }),
    });
    expect(setups).toBe(0);
  });

  it('off GitHub-hosted runners it fails closed with instructions and changes nothing', async () => {
    const { log } = logger();
    let setups = 0;
    const p = prepareSandbox('bwrap', {
      log,
      env: { GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'self-hosted' },
      check: async () => failing,
      setup: async () => (setups++, { exitCode: 0, output: '' }),
    });
    await expect(p).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(p).rejects.toThrow(
      /Permission denied[\s\S]*AppArmor profile[\s\S]*sudo bash scripts\/setup-sandbox.sh/,
    );
    expect(setups).toBe(0);
  });

  it('on a GitHub-hosted runner it runs the set-up script, then checks again', async () => {
    const { log, lines } = logger();
    const results = [failing, { ok: true as const }];
    const scripts: string[] = [];
    await prepareSandbox('bwrap', {
      log,
      env: { GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'github-hosted' },
      check: async () => results.shift()!,
      setup: async (s) => (
        scripts.push(s),
        {
          exitCode: 0,
          output:
            'setup-sandbox: ok: bubblewrap 0.9.0 works for user runner (AppArmor profile cosplay-bwrap)\n',
        }
      ),
      script: '/action/scripts/setup-sandbox.sh',
    });
    expect(scripts).toEqual(['/action/scripts/setup-sandbox.sh']);
    expect(lines.join('\n')).toContain('AppArmor profile cosplay-bwrap');
  });

  it("a set-up that does not help ends with the script's last words", async () => {
    const { log } = logger();
    await expect(
      prepareSandbox('bwrap', {
        log,
        env: { GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'github-hosted' },
        check: async () => failing,
        setup: async () => ({
          exitCode: 1,
          output: 'setup-sandbox: bubblewrap cannot create its sandbox here',
        }),
        script: '/action/scripts/setup-sandbox.sh',
      }),
    ).rejects.toThrow(
      /also after scripts\/setup-sandbox.sh \(exit 1: setup-sandbox: bubblewrap cannot create its sandbox here\)/,
    );
  });

  it("finds the action's own set-up script", () => {
    const script = findSetupScript();
    expect(script).not.toBeNull();
    expect(script!.endsWith(path.join('scripts', 'setup-sandbox.sh'))).toBe(true);
  });

  it('the set-up script inherits no credential', async () => {
    const script = path.join(tmp, 'print-env.sh');
    writeFileSync(script, '#!/usr/bin/env bash\nenv\n');
    chmodSync(script, 0o755);
    const env = { ...process.env, ...SECRETS };
    const r = await runSetupScript(script, env);
    if (r.exitCode !== 0 && /sudo/.test(r.output)) return; // not root and no passwordless sudo: nothing to check here
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('PATH=');
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(r.output).not.toContain(name);
      expect(r.output).not.toContain(value);
    }
  });
});

describe('secrets never reach generated code', () => {
  it('scrubSecrets removes credentials and keeps what @actions/core needs', () => {
    const env: NodeJS.ProcessEnv = {
      ...SECRETS,
      PATH: '/usr/bin',
      ACTIONS_STEP_DEBUG: 'true',
      SOME_COPY: 'ghs_inputtokenvalue0123456789',
      GITHUB_STEP_SUMMARY: '/tmp/summary',
    };
    const removed = scrubSecrets(['ghs_inputtokenvalue0123456789'], env);
    expect(Object.keys(env).sort()).toEqual([
      'ACTIONS_STEP_DEBUG',
      'GITHUB_ENV',
      'GITHUB_OUTPUT',
      'GITHUB_STEP_SUMMARY',
      'PATH',
    ]);
    expect(removed).toContain('SOME_COPY');
  });

  it.each(['none', 'bwrap'] as const)(
    'a candidate printing its environment (sandbox %s) sees none of them',
    async (sandbox) => {
      if (sandbox === 'bwrap' && !(await checkSandbox()).ok) return; // covered by the exec suite where bwrap works
      const saved = { ...process.env };
      Object.assign(process.env, SECRETS);
      try {
        const env = { ...process.env };
        const inputs = {
          ...readInputs({
            getInput: (n) => (n === 'github-token' ? SECRETS['INPUT_GITHUB-TOKEN']! : ''),
            env,
            mask: false,
          }),
          sandbox,
        };
        const { log } = logger();
        const ctx = buildModeContext({
          inputs,
          event: { name: 'issues', payload: {} },
          actor: 'alice',
          repo: { owner: 'octo', repo: 'demo' },
          gh: createGitHubClient({ token: 't', baseUrl: 'http://127.0.0.1:9', throttle: false }),
          env,
          log,
          executorOptions: { workers: 1 },
        });
        const executor = await ctx.createExecutor();
        try {
          const [py] = await executor.run({
            language: 'python',
            kind: 'stdio',
            codes: ['import os\nprint(repr(dict(os.environ)))\nprint(os.getcwd())\n'],
            tests: [{ input: '' }],
            timeoutMs: 20_000,
          });
          const [js] = await executor.run({
            language: 'javascript',
            kind: 'stdio',
            codes: ['process.stdout.write(JSON.stringify(process.env) + "\\n" + process.cwd())'],
            tests: [{ input: '' }],
            timeoutMs: 20_000,
          });
          for (const cell of [py![0]!, js![0]!]) {
            expect(cell.verdict).toBe('pass');
            expect(cell.output.length).toBeGreaterThan(0);
            for (const [name, value] of Object.entries(SECRETS)) {
              expect(cell.output).not.toContain(name);
              expect(cell.output).not.toContain(value);
            }
            expect(cell.output).not.toMatch(/ACTIONS_|GITHUB_|INPUT_/);
            expect(cell.output).not.toContain(process.cwd());
          }
        } finally {
          await executor.close();
        }
      } finally {
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
      }
    },
  );
});
