// The language runtimes the harnesses run on: resolved once per process, by real path (a pyenv shim costs about
// 300 ms per start; the real interpreter is what runs in the sandbox).
import { realpathSync } from 'node:fs';
import { which } from '../repo/host.js';

// The Python interpreter is resolved in repo/host.ts (the source model parses Python with it too).
export { resolvePython, type Runtime } from '../repo/host.js';
import type { Runtime } from '../repo/host.js';

/** Node for the JavaScript harness: the one running this process. */
export function resolveNode(): Runtime {
  const exe = realpathSync(process.execPath);
  return { exe, version: process.versions.node, readOnly: [exe] };
}

/** util-linux prlimit (sets rlimits for the JavaScript harness, which cannot set its own). */
export function resolvePrlimit(): string | undefined {
  const p = which('prlimit');
  return p && (p.startsWith('/usr/') || p.startsWith('/bin/')) ? p : undefined;
}
