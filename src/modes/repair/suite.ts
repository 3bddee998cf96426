// Running the repository's own test command (input `test-command`) and reading its report.
//
// The command is the user's: it runs the repository's tests as configured, like any CI step. But the repair
// mode also runs it after writing a generated candidate into the workspace, so every run (the first one too,
// so that results compare) happens in the same confined environment:
//  - an allow-list of environment variables (PATH, HOME, locale, interpreter and tool locations, CI, and any
//    variable whose name starts with COSPLAY_TEST_): never GITHUB_TOKEN, API keys, ACTIONS_* or the
//    GITHUB_ENV/GITHUB_OUTPUT files;
//  - with `sandbox: bwrap`: bubblewrap with no network, the system read-only, a private /tmp, the workspace
//    writable but its .git read-only with .git/config hidden (actions/checkout keeps the token there), and
//    RUNNER_TEMP and credential files in HOME (.netrc, .npmrc, .docker, .ssh, ...) hidden.
// The report: JUnit XML or a JSON report the command writes, found in $COSPLAY_REPORT_DIR (a fresh directory
// per run; jest-junit writes there by itself through JEST_JUNIT_OUTPUT_DIR) or anywhere in the workspace when
// written during the run.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkSandbox, SandboxUnavailableError } from '../../exec/index.js';
import { UserError } from '../../types.js';
import { parseReport, type ReportFormat, type TestCaseResult } from './report.js';

export interface SuiteOptions {
  command: string;
  /** The repository checkout; the command runs at its root. */
  workspace: string;
  sandbox: 'bwrap' | 'none';
  /** Wall-clock limit of one run (default 10 minutes). */
  timeoutMs?: number;
  /** Where allowed variables are taken from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface SuiteRun {
  exitCode: number | null;
  timedOut: boolean;
  /** The last part of stdout and stderr, interleaved. */
  output: string;
  cases: TestCaseResult[];
  /** Report files read (repository-relative when inside the workspace). */
  reports: string[];
  formats: ReportFormat[];
  wallMs: number;
}

export const DEFAULT_SUITE_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_KEEP = 64 * 1024;
const MAX_REPORT_BYTES = 32 * 1024 * 1024;

const ALLOWED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TERM',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONDONTWRITEBYTECODE',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'CONDA_DEFAULT_ENV',
  'pythonLocation',
  'Python_ROOT_DIR',
  'Python2_ROOT_DIR',
  'Python3_ROOT_DIR',
  'PYENV_ROOT',
  'PYENV_VERSION',
  'PKG_CONFIG_PATH',
  'LD_LIBRARY_PATH',
  'NODE_PATH',
  'NODE_OPTIONS',
  'NVM_DIR',
  'JAVA_HOME',
  'GOROOT',
  'GOPATH',
  'CARGO_HOME',
  'RUSTUP_HOME',
];

/** The environment a test run gets: the allow-list, COSPLAY_TEST_* variables, and the report variables. */
export function suiteEnv(source: NodeJS.ProcessEnv, reportDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ALLOWED_ENV) if (typeof source[k] === 'string') env[k] = source[k]!;
  for (const [k, v] of Object.entries(source))
    if (k.startsWith('COSPLAY_TEST_') && typeof v === 'string') env[k] = v;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return {
    ...env,
    CI: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    COSPLAY_REPORT_DIR: reportDir,
    JEST_JUNIT_OUTPUT_DIR: reportDir,
    JEST_JUNIT_OUTPUT_NAME: 'jest-junit.xml',
  };
}

function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const d of [...(env.PATH ?? '').split(path.delimiter), '/usr/bin', '/bin', '/usr/local/bin']) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      if (lstatSync(p).isFile() || lstatSync(p).isSymbolicLink()) return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Credential files and directories under HOME that a test run never sees. */
const HOME_SECRETS = [
  '.git-credentials',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.docker',
  '.aws',
  '.ssh',
  '.gnupg',
  '.config/gh',
  '.azure',
  '.kube',
];

/** bubblewrap arguments for a test run (up to the command). */
export function suiteBwrapArgs(options: {
  workspace: string;
  reportDir: string;
  env: Record<string, string>;
  root: boolean;
  hostEnv: NodeJS.ProcessEnv;
}): string[] {
  const ws = path.resolve(options.workspace);
  const a = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--perms', '1777', '--tmpfs', '/tmp'];
  a.push('--bind', ws, ws, '--bind', options.reportDir, options.reportDir);
  const gitDir = path.join(ws, '.git');
  if (existsSync(gitDir)) {
    a.push('--ro-bind', gitDir, gitDir);
    if (existsSync(path.join(gitDir, 'config')))
      a.push('--ro-bind', '/dev/null', path.join(gitDir, 'config'));
  }
  const hide = (p: string) => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) a.push('--tmpfs', p);
    else a.push('--ro-bind', '/dev/null', p);
  };
  const runnerTemp = options.hostEnv.RUNNER_TEMP;
  if (runnerTemp && path.isAbsolute(runnerTemp) && !ws.startsWith(path.resolve(runnerTemp) + '/'))
    hide(runnerTemp);
  for (const v of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
    const f = options.hostEnv[v];
    if (f && path.isAbsolute(f)) hide(f);
  }
  const home = options.hostEnv.HOME;
  if (home && path.isAbsolute(home) && home !== '/') for (const s of HOME_SECRETS) hide(path.join(home, s));
  a.push('--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  if (!options.root) a.push('--unshare-user');
  a.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--chdir', ws, '--clearenv');
  for (const [k, v] of Object.entries(options.env)) a.push('--setenv', k, v);
  return a;
}

async function walkReports(dir: string, since: number, depth: number, out: string[]): Promise<void> {
  if (depth < 0) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (
        [
          '.git',
          'node_modules',
          '.venv',
          'venv',
          '.tox',
          '__pycache__',
          '.pytest_cache',
          '.mypy_cache',
        ].includes(e.name)
      )
        continue;
      await walkReports(p, since, depth - 1, out);
    } else if (e.isFile() && /\.(xml|json)$/i.test(e.name)) {
      try {
        const st = await stat(p);
        if (st.mtimeMs >= since && st.size <= MAX_REPORT_BYTES) out.push(p);
      } catch {
        /* gone */
      }
    }
  }
}

/** Runs the test command once and reads the report(s) it wrote. */
export async function runSuite(options: SuiteOptions): Promise<SuiteRun> {
  const hostEnv = options.env ?? process.env;
  const ws = path.resolve(options.workspace);
  const reportDir = await mkdtemp(path.join(tmpdir(), 'cosplay-report-'));
  const env = suiteEnv(hostEnv, reportDir);
  const shell = ['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p)) ?? '/bin/sh';
  let cmd: string;
  let args: string[];
  if (options.sandbox === 'bwrap') {
    const check = await checkSandbox();
    if (!check.ok) throw new SandboxUnavailableError(check.reason, check.fix);
    const bwrap = hostEnv.COSPLAY_BWRAP || findExecutable('bwrap', hostEnv);
    if (!bwrap)
      throw new SandboxUnavailableError('bubblewrap (bwrap) is not installed', 'Install bubblewrap.');
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    cmd = bwrap;
    args = [
      ...suiteBwrapArgs({ workspace: ws, reportDir, env, root, hostEnv }),
      shell,
      '-c',
      options.command,
    ];
  } else {
    cmd = shell;
    args = ['-c', options.command];
  }
  const since = Date.now() - 2000;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUITE_TIMEOUT_MS;
  try {
    const { exitCode, timedOut, output } = await new Promise<{
      exitCode: number | null;
      timedOut: boolean;
      output: string;
    }>((resolve, reject) => {
      let out = '';
      let timedOut = false;
      const child = spawn(cmd, args, {
        cwd: ws,
        env: options.sandbox === 'bwrap' ? {} : env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const keep = (d: Buffer) => {
        out += d.toString('utf8');
        if (out.length > 2 * OUTPUT_KEEP) out = out.slice(-OUTPUT_KEEP);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new UserError(`The test command could not be started: ${err.message}`, { cause: err }));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, timedOut, output: out.slice(-OUTPUT_KEEP) });
      });
    });
    if (
      options.sandbox === 'bwrap' &&
      exitCode === 1 &&
      /^bwrap: /m.test(output) &&
      !/\S/.test(output.replace(/^bwrap: .*$/gm, ''))
    )
      throw new UserError(`bubblewrap could not start the test command: ${output.trim()}`);
    const files: string[] = [];
    await walkReports(reportDir, 0, 3, files);
    await walkReports(ws, since, 6, files);
    const byId = new Map<string, TestCaseResult>();
    const reports: string[] = [];
    const formats = new Set<ReportFormat>();
    for (const f of files) {
      let content: string;
      try {
        content = await readFile(f, 'utf8');
      } catch {
        continue;
      }
      const parsed = parseReport(content);
      if (!parsed) continue;
      reports.push(
        f.startsWith(ws + path.sep) ? path.relative(ws, f).split(path.sep).join('/') : path.basename(f),
      );
      formats.add(parsed.format);
      for (const c of parsed.cases) byId.set(c.id, c);
    }
    return {
      exitCode,
      timedOut,
      output,
      cases: [...byId.values()],
      reports,
      formats: [...formats],
      wallMs: Date.now() - started,
    };
  } finally {
    await rm(reportDir, { recursive: true, force: true }).catch(() => {});
  }
}
