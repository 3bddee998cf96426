// The test command's runs: the report is found (in $COSPLAY_REPORT_DIR or written in the workspace during the
// run), the environment is an allow-list, and in the sandbox .git/config and credential files are hidden and
// the workspace's .git is read-only.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSuite, suiteEnv } from '../../../src/modes/repair/suite.js';
import { repoFromFixture, sandboxForTests, type TempRepo } from '../world.js';

let repo: TempRepo;
let sandbox: 'bwrap' | 'none';
beforeAll(async () => {
  sandbox = await sandboxForTests();
  repo = repoFromFixture('py-stats');
  // A stale report from an earlier run must not be read.
  writeFileSync(
    path.join(repo.work, 'old-report.xml'),
    '<testsuites><testcase classname="old" name="stale"><failure message="x"/></testcase></testsuites>',
  );
  const old = new Date(Date.now() - 3600_000);
  const { utimesSync } = await import('node:fs');
  utimesSync(path.join(repo.work, 'old-report.xml'), old, old);
});
afterAll(() => repo.cleanup());

describe('runSuite', () => {
  it('runs pytest and reads the JUnit report from $COSPLAY_REPORT_DIR', async () => {
    const run = await runSuite({
      command: 'python3 -m pytest -q -p no:cacheprovider --junitxml="$COSPLAY_REPORT_DIR/junit.xml"',
      workspace: repo.work,
      sandbox,
    });
    expect(run.exitCode).toBe(1);
    expect(run.timedOut).toBe(false);
    expect(run.formats).toEqual(['junit']);
    const failed = run.cases.filter((c) => c.status === 'failed').map((c) => c.id);
    expect(failed).toEqual(['tests.test_stats::test_digit_sum_negative']);
    expect(run.cases).toHaveLength(6);
  });

  it('finds a report written into the workspace during the run, not an old one', async () => {
    const run = await runSuite({
      command: 'python3 -m pytest -q -p no:cacheprovider --junitxml=report.xml',
      workspace: repo.work,
      sandbox,
    });
    expect(run.reports).toEqual(['report.xml']);
    expect(run.cases.some((c) => c.id === 'old::stale')).toBe(false);
  });

  it('passes only allow-listed variables', async () => {
    const env = suiteEnv(
      {
        PATH: '/bin',
        GITHUB_TOKEN: 'ghs_secret',
        OPENAI_API_KEY: 'sk-x',
        INPUT_API_KEY: 'k',
        ACTIONS_RUNTIME_TOKEN: 't',
        GITHUB_ENV: '/f',
        COSPLAY_TEST_DB: 'sqlite://',
      },
      '/r',
    );
    expect(env).toMatchObject({
      PATH: '/bin',
      COSPLAY_TEST_DB: 'sqlite://',
      COSPLAY_REPORT_DIR: '/r',
      CI: 'true',
    });
    for (const k of [
      'GITHUB_TOKEN',
      'OPENAI_API_KEY',
      'INPUT_API_KEY',
      'ACTIONS_RUNTIME_TOKEN',
      'GITHUB_ENV',
    ])
      expect(env[k]).toBeUndefined();
    const run = await runSuite({
      command: 'env; echo "token=[$GITHUB_TOKEN]"',
      workspace: repo.work,
      sandbox,
      env: { ...process.env, GITHUB_TOKEN: 'ghs_secret_value' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain('token=[]');
    expect(run.output).not.toContain('ghs_secret_value');
  });

  (process.platform === 'linux' ? it : it.skip)(
    'in the sandbox, hides .git/config and keeps .git read-only',
    async () => {
      if (sandbox !== 'bwrap') return; // no sandbox on this machine: nothing to check
      repo.git('config', 'http.https://github.com/.extraheader', 'AUTHORIZATION: basic c2VjcmV0');
      const run = await runSuite({
        command:
          'cat .git/config; echo "---"; touch .git/hooks/pre-commit && echo WROTE-HOOK; touch newfile && echo WROTE-WS',
        workspace: repo.work,
        sandbox,
      });
      expect(run.output).not.toContain('c2VjcmV0');
      expect(run.output).not.toContain('WROTE-HOOK');
      expect(run.output).toContain('WROTE-WS');
      expect(existsSync(path.join(repo.work, '.git/hooks/pre-commit'))).toBe(false);
      expect(readFileSync(path.join(repo.work, '.git/config'), 'utf8')).toContain('c2VjcmV0');
    },
  );

  it('stops a run that exceeds its time limit', async () => {
    const run = await runSuite({ command: 'sleep 30', workspace: repo.work, sandbox, timeoutMs: 300 });
    expect(run.timedOut).toBe(true);
  });
});
