// Making the sandbox usable before generated code runs. With `sandbox: bwrap` (the default) the action checks
// that bubblewrap can create its sandbox; on GitHub-hosted runners, where Ubuntu 24.04's AppArmor blocks the
// user namespaces bwrap needs, it runs scripts/setup-sandbox.sh with sudo (installs bwrap if missing, loads an
// AppArmor profile for it) and checks again. Anywhere else it fails closed with instructions: changing a
// self-hosted machine's security settings is its owner's decision.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSandbox, SandboxUnavailableError, type SandboxCheck } from '../exec/index.js';
import { resetSandboxProbes } from '../exec/sandbox.js';
import type { ModeLog } from '../modes/types.js';

export const SETUP_SCRIPT = 'scripts/setup-sandbox.sh';

/** scripts/setup-sandbox.sh of this action: next to dist/ (bundle) or the repository root (source). */
export function findSetupScript(from: string = path.dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, SETUP_SCRIPT);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

export interface SetupResult {
  exitCode: number | null;
  output: string;
}

/**
 * Runs the setup script with sudo (directly when already root). Its environment holds nothing of the job's
 * (no tokens, no ACTIONS_* variables): PATH, HOME and the locale only.
 */
export function runSetupScript(script: string, env: NodeJS.ProcessEnv = process.env): Promise<SetupResult> {
  const clean: Record<string, string> = {
    PATH: env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C',
    LC_ALL: 'C',
    DEBIAN_FRONTEND: 'noninteractive',
  };
  if (env.HOME) clean.HOME = env.HOME;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const [cmd, args] = root ? ['bash', [script]] : ['sudo', ['-n', 'bash', script]];
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(cmd, args as string[], { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ exitCode: null, output: String(err) });
      return;
    }
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ exitCode: null, output: output + String(err) }));
    child.on('close', (code) => resolve({ exitCode: code, output }));
  });
}

export interface PrepareSandboxOptions {
  env?: NodeJS.ProcessEnv;
  log: ModeLog;
  /** The preflight (default: checkSandbox of src/exec, re-probed after a setup). */
  check?: () => Promise<SandboxCheck>;
  /** Runs the setup script (default: runSetupScript). */
  setup?: (script: string) => Promise<SetupResult>;
  /** Default: findSetupScript(). */
  script?: string | null;
}

/** True on GitHub's own runners, where the action may change the machine (it is thrown away after the job). */
export function isGithubHostedRunner(env: NodeJS.ProcessEnv): boolean {
  return (
    env.GITHUB_ACTIONS === 'true' &&
    env.RUNNER_ENVIRONMENT === 'github-hosted' &&
    process.platform === 'linux'
  );
}

/**
 * Resolves when generated code can run with the chosen isolation; throws SandboxUnavailableError (a UserError
 * saying what to change) otherwise. `none` only warns: it was chosen explicitly.
 */
export async function prepareSandbox(mode: 'bwrap' | 'none', options: PrepareSandboxOptions): Promise<void> {
  const env = options.env ?? process.env;
  const log = options.log;
  if (mode === 'none') {
    log.warning(
      'sandbox: none: generated code runs WITHOUT isolation on this runner (it can read the checkout and use the network). ' +
        'Secrets are still kept out of its environment.',
    );
    return;
  }
  const check =
    options.check ??
    (() => {
      resetSandboxProbes();
      return checkSandbox();
    });
  const first = await check();
  if (first.ok) return;
  if (!isGithubHostedRunner(env)) {
    throw new SandboxUnavailableError(
      first.reason,
      `${first.fix}\nOn a self-hosted runner, run \`sudo bash scripts/setup-sandbox.sh\` (from this action's repository) once on the machine.`,
    );
  }
  const script = options.script === undefined ? findSetupScript() : options.script;
  if (!script)
    throw new SandboxUnavailableError(
      `${first.reason}; and ${SETUP_SCRIPT} is missing from the action's files`,
      first.fix,
    );
  log.info(`sandbox: ${first.reason}; running ${SETUP_SCRIPT} with sudo`);
  const result = await (options.setup ?? ((s: string) => runSetupScript(s, env)))(script);
  for (const line of result.output
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== ''))
    log.info(`  ${line}`);
  const second = await check();
  if (second.ok) {
    log.info('sandbox: bubblewrap works now');
    return;
  }
  const tail = result.output.trim().split('\n').slice(-3).join(' ');
  throw new SandboxUnavailableError(
    `${second.reason}, also after ${SETUP_SCRIPT} (exit ${result.exitCode ?? 'none'}${tail ? `: ${tail}` : ''})`,
    second.fix,
  );
}
