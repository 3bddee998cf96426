// An interpreter installed under /tmp (e.g. `npm i node@24` in a temp dir) would be hidden by the sandbox's
// private /tmp; it is shown under /run/cosplay-host instead, and the harness is started from there.
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bwrapArgs, sandboxedPath, type Bwrap } from '../../src/exec/sandbox.js';
import { tempDir } from '../support/temp-dir.js';

const bw: Bwrap = { path: '/usr/bin/bwrap', version: [0, 8, 0], root: false };

describe('host runtimes in the sandbox', () => {
  it('maps paths under /tmp away from the private tmpfs and leaves others alone', () => {
    expect(sandboxedPath('/tmp/n/bin/node')).toBe('/run/cosplay-host/tmp/n/bin/node');
    expect(sandboxedPath('/tmpfoo/node')).toBe('/tmpfoo/node');
    expect(sandboxedPath('/opt/hostedtoolcache/node/24/x64/bin/node')).toBe(
      '/opt/hostedtoolcache/node/24/x64/bin/node',
    );
  });

  it('binds a runtime under /tmp read-only at its mapped path, with its parent directories', () => {
    const dir = tempDir('runtime-');
    const exe = join(dir, 'node');
    writeFileSync(exe, '');
    const args = bwrapArgs(bw, { readOnly: [exe], asPid1: false, tmpMb: 16, env: {} });
    const i = args.indexOf('--ro-bind', args.indexOf(exe) - 1);
    expect(args.slice(i, i + 3)).toEqual(['--ro-bind', exe, `/run/cosplay-host${exe}`]);
    expect(args).toContain(`/run/cosplay-host${dir}`);
    // The bind must not be shadowed: nothing mounts over /run/cosplay-host after it.
    expect(args.slice(i + 3).some((a) => a.startsWith('/run'))).toBe(false);
  });
});
