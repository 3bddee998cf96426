// bubblewrap: finding it, building its command line, and the preflight that decides whether the engine may run.
//
// Every sandbox: new pid, network, ipc, uts (and cgroup) namespaces; no capabilities; a read-only system
// (/usr and the merged-/usr links, a few /etc files, the interpreter's own prefix); fresh /proc, /dev and a
// private size-limited /tmp; an empty environment; nothing else of the host (no HOME, no workspace, no /etc
// secrets, no sockets). As an unprivileged user bwrap also creates a user namespace (and forbids nested ones);
// as root (CI containers) it runs privileged and the harness drops to a fresh unprivileged uid before any candidate code,
// so that RLIMIT_NPROC applies (root is exempt from it) and root-owned files stay read-only to the candidate.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../types.js';
import { isExecutable, which } from '../repo/host.js';

export type SandboxMode = 'bwrap' | 'none';

/** Thrown when isolation is required but bubblewrap is missing or cannot create its namespaces. */
export class SandboxUnavailableError extends UserError {
  constructor(
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`no working sandbox: ${reason}\n${fix}`);
    this.name = 'SandboxUnavailableError';
  }
}

export const FIX_INSTALL =
  'Install bubblewrap: `sudo apt-get install -y bubblewrap` (Debian/Ubuntu) or `sudo dnf install bubblewrap` ' +
  '(Fedora). In GitHub Actions the cosplay action sets it up itself (scripts/setup-sandbox.sh). To run generated ' +
  'code WITHOUT isolation (it can then read your files and use the network), choose it explicitly: ' +
  '`--sandbox none` on the command line or `sandbox: none` in the workflow.';

export const FIX_USERNS =
  'bubblewrap needs unprivileged user namespaces. On Ubuntu 23.10+ (including GitHub ubuntu-24.04 runners) ' +
  'AppArmor blocks them: run `sudo scripts/setup-sandbox.sh` (installs an AppArmor profile for bwrap), or ' +
  '`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`. Elsewhere check that ' +
  '`sysctl user.max_user_namespaces` is above 0 and `kernel.unprivileged_userns_clone` is 1. Inside Docker, ' +
  'start the container with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined` (or ' +
  '`--privileged`). To run generated code WITHOUT isolation, choose it explicitly: `--sandbox none` / ' +
  '`sandbox: none`.';

export interface Bwrap {
  path: string;
  version: [number, number, number];
  /** The engine runs as root: bwrap runs privileged and the harness drops to `dropTo`. */
  root: boolean;
}

let uidCounter = 0;
const uidBase = 200_000 + (process.pid % 997) * 1000;

/**
 * The uid/gid a harness switches to when the engine runs as root: a fresh unprivileged id per sandbox (no
 * account, owns no host file), so that each sandbox has its own RLIMIT_NPROC count and a fork bomb in one
 * cannot starve the others. (Unprivileged, bwrap's user namespace gives the same separation.)
 */
export function sandboxUid(): [number, number] {
  const id = uidBase + (uidCounter++ % 1000);
  return [id, id];
}

export { which } from '../repo/host.js';

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    } catch (err) {
      resolve({ code: -1, stdout: '', stderr: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let bwrapInfo: Promise<Bwrap | undefined> | undefined;

/** bubblewrap on this machine (COSPLAY_BWRAP overrides the path), with its version. */
export function findBwrap(): Promise<Bwrap | undefined> {
  bwrapInfo ??= (async () => {
    const path = process.env.COSPLAY_BWRAP || which('bwrap');
    if (!path) return undefined;
    const r = await run(path, ['--version'], 10_000);
    const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(r.stdout + r.stderr);
    if (r.code !== 0 || !m) return undefined;
    return {
      path,
      version: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] as [number, number, number],
      root: typeof process.getuid === 'function' && process.getuid() === 0,
    };
  })();
  return bwrapInfo;
}

function atLeast(v: [number, number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** The top-level system directories, as binds or (merged /usr) symlinks. */
function systemDirs(): string[] {
  const args: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const d of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st;
    try {
      st = lstatSync(d);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(d), d);
    else if (st.isDirectory()) args.push('--ro-bind', d, d);
  }
  for (const f of ['/etc/ld.so.cache', '/etc/localtime', '/etc/alternatives']) {
    if (existsSync(f)) args.push('--ro-bind-try', f, f);
  }
  return args;
}

function under(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/** Where host paths that the private /tmp would hide (an interpreter installed under /tmp) are shown. */
const HIDDEN_HOST_PREFIX = '/run/cosplay-host';

/**
 * The path under which a host path appears inside the sandbox: itself, except for paths under the
 * sandbox's private work dir (/tmp), which its tmpfs would hide; those are mounted under /run/cosplay-host.
 */
export function sandboxedPath(p: string): string {
  return under(p, SANDBOX_WORKDIR) ? HIDDEN_HOST_PREFIX + p : p;
}

/** Read-only binds of extra host paths (an interpreter outside /usr), with world-readable parent dirs. */
function extraBinds(paths: string[]): string[] {
  const args: string[] = [];
  const made = new Set<string>();
  const system = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
  const bound: string[] = [];
  for (const p of [...new Set(paths)].sort()) {
    if (system.some((s) => under(p, s)) || bound.some((b) => under(p, b))) continue;
    if (!existsSync(p)) continue;
    bound.push(p);
    const dest = sandboxedPath(p);
    const parents: string[] = [];
    for (let d = dirname(dest); d !== '/' && d !== '.'; d = dirname(d)) parents.unshift(d);
    for (const d of parents) {
      if (made.has(d)) continue;
      made.add(d);
      args.push('--perms', '0755', '--dir', d);
    }
    args.push('--ro-bind', p, dest);
  }
  return args;
}

export interface SandboxSpec {
  /** Extra host paths to show read-only (interpreter prefixes). */
  readOnly: string[];
  /** Run the command as pid 1 of the sandbox (the Python supervisor); otherwise bwrap's own init is pid 1. */
  asPid1: boolean;
  /** Size of the private /tmp in MiB. */
  tmpMb: number;
  /** Environment inside the sandbox (everything else is cleared). */
  env: Record<string, string>;
  /** A repository shown read-only (see repoSnapshotArgs), for candidates that run in repository context. */
  repo?: RepoSnapshot;
}

export const SANDBOX_WORKDIR = '/tmp';

/** bwrap arguments up to (not including) the command. */
export function bwrapArgs(bw: Bwrap, spec: SandboxSpec): string[] {
  const a = [
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'sandbox',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
  ];
  if (bw.root) a.push('--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID');
  else {
    a.push('--unshare-user');
    if (atLeast(bw.version, 0, 8)) a.push('--disable-userns');
  }
  if (spec.asPid1) a.push('--as-pid-1');
  a.push(...systemDirs(), ...extraBinds(spec.readOnly));
  a.push('--proc', '/proc', '--dev', '/dev');
  if (atLeast(bw.version, 0, 5)) a.push('--perms', '1777');
  if (atLeast(bw.version, 0, 6)) a.push('--size', String(spec.tmpMb * 1024 * 1024));
  a.push('--tmpfs', SANDBOX_WORKDIR, '--chdir', SANDBOX_WORKDIR, '--clearenv');
  if (spec.repo) a.push(...repoSnapshotArgs(spec.repo));
  for (const [k, v] of Object.entries(spec.env)) a.push('--setenv', k, v);
  return a;
}

/** The environment every sandboxed (and unsandboxed) harness gets; nothing is inherited from the parent. */
export function harnessEnv(workdir: string): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: workdir,
    TMPDIR: workdir,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    USER: 'sandbox',
    LOGNAME: 'sandbox',
    PYTHONHASHSEED: '0',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
    // Numerical libraries start one thread per core otherwise (and reserve memory for each).
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  };
}

export type SandboxCheck = { ok: true } | { ok: false; reason: string; fix: string };

let checked: Promise<SandboxCheck> | undefined;

/**
 * Whether bubblewrap can create the engine's sandbox here: it must exist and a preflight run (the same
 * namespaces and mounts the workers use, running `true`) must succeed. Memoised per process.
 */
export function checkSandbox(): Promise<SandboxCheck> {
  checked ??= (async (): Promise<SandboxCheck> => {
    if (process.platform !== 'linux')
      return { ok: false, reason: `bubblewrap needs Linux (this is ${process.platform})`, fix: FIX_INSTALL };
    const bw = await findBwrap();
    if (!bw)
      return { ok: false, reason: 'bubblewrap (bwrap) is not installed or does not run', fix: FIX_INSTALL };
    const truePath = ['/usr/bin/true', '/bin/true'].find(isExecutable);
    if (!truePath) return { ok: false, reason: 'cannot find `true` for the preflight run', fix: FIX_INSTALL };
    const args = [
      ...bwrapArgs(bw, { readOnly: [], asPid1: false, tmpMb: 16, env: harnessEnv('/tmp') }),
      truePath,
    ];
    const r = await run(bw.path, args, 30_000);
    if (r.code === 0) return { ok: true };
    const msg = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') || `exit status ${r.code}`;
    return { ok: false, reason: `bubblewrap cannot create its sandbox (${msg})`, fix: FIX_USERNS };
  })();
  return checked;
}

/** Forgets memoised probes (tests). */
export function resetSandboxProbes(): void {
  checked = undefined;
  bwrapInfo = undefined;
}

// ---------------------------------------------------------------------------------------------- repository

/**
 * A repository (the workspace as the workflow left it: installed dependencies and generated files included)
 * as candidates see it: read-only, at its own path (editable installs and `.pth` files name it), without `.git`
 * and without credential or secret files. Symbolic links that lead out of it dangle in the sandbox: nothing
 * outside the repository is mounted beyond the read-only system.
 */
export interface RepoSnapshot {
  /** Absolute host path of the repository root. */
  root: string;
  /** Directories hidden under an empty read-only tmpfs (`.git`, `.ssh`, ...), absolute host paths. */
  hiddenDirs: string[];
  /** Files shown as empty (`.env*`, `.npmrc`, keys, a `.git` file), absolute host paths. */
  hiddenFiles: string[];
}

/** Directories never shown to candidates, wherever they are in the repository. */
const SECRET_DIRS = new Set(['.git', '.ssh', '.aws', '.gnupg', '.docker', '.kube', '.azure', '.gcloud']);
/** Files never shown: version-control pointers, credentials, environment files and private keys. */
const SECRET_FILE =
  /^(\.git|\.env(\..*)?|.*\.env|\.npmrc|\.yarnrc(\.yml)?|\.pypirc|\.netrc|_netrc|\.git-credentials|\.pgpass|\.htpasswd|id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|.*\.(pem|key|p12|pfx|jks|keystore|kdbx|asc|gpg))$/i;
/** Directories of installed packages and caches: shown, but not searched for secrets. */
const NOT_SEARCHED = new Set([
  'node_modules',
  'site-packages',
  'dist-packages',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
]);

/** Walks `root` once and lists what the sandbox must hide. */
export function repoSnapshot(root: string): RepoSnapshot {
  const hiddenDirs: string[] = [];
  const hiddenFiles: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (SECRET_DIRS.has(e.name)) hiddenDirs.push(p);
        else if (!NOT_SEARCHED.has(e.name)) stack.push(p);
      } else if (SECRET_FILE.test(e.name) && (e.isFile() || e.isSymbolicLink())) hiddenFiles.push(p);
    }
  }
  return { root, hiddenDirs: hiddenDirs.sort(), hiddenFiles: hiddenFiles.sort() };
}

/** bwrap arguments that show a repository snapshot (after the private /tmp, so a repository under /tmp shows). */
export function repoSnapshotArgs(snap: RepoSnapshot): string[] {
  const dest = sandboxedPath(snap.root);
  const a: string[] = [];
  const parents: string[] = [];
  for (let d = dirname(dest); d !== '/' && d !== '.'; d = dirname(d)) parents.unshift(d);
  // Parents readable by the unprivileged uid the harness drops to (bwrap would make them 0700).
  for (const d of parents) a.push('--perms', '0755', '--dir', d);
  a.push('--ro-bind', snap.root, dest);
  for (const d of snap.hiddenDirs) a.push('--tmpfs', sandboxedPath(d), '--remount-ro', sandboxedPath(d));
  for (const f of snap.hiddenFiles) a.push('--ro-bind', '/dev/null', sandboxedPath(f));
  return a;
}
