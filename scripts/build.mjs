// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with @vercel/ncc, and the TypeScript transpiler
// apart (dist/ts-transpile.cjs, loaded only when a TypeScript file runs: see src/exec/typescript.ts).
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  mkdirSync,
  chmodSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const entries = [
  ['src/index.ts', 'index.js'],
  ['src/cli.ts', 'cli.js'],
  ['scripts/ts-transpile-entry.cjs', 'ts-transpile.cjs'],
];
const licenses = new Set();
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const [entry, name] of entries) {
  const out = mkdtempSync(join(tmpdir(), 'ncc-'));
  execFileSync(
    'npx',
    [
      'ncc',
      'build',
      entry,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2022',
      // The transpiler is loaded once per sandboxed test process: minified, it parses faster.
      ...(name === 'ts-transpile.cjs' ? ['--minify'] : []),
    ],
    {
      stdio: 'inherit',
    },
  );
  for (const file of readdirSync(out)) {
    if (file === 'index.js' || file === 'index.cjs') renameSync(join(out, file), join('dist', name));
    else if (file === 'licenses.txt') licenses.add(readFileSync(join(out, file), 'utf8'));
    else if (file === 'package.json') continue;
    else renameSync(join(out, file), join('dist', file));
  }
  rmSync(out, { recursive: true, force: true });
}
writeFileSync('dist/licenses.txt', [...licenses].join('\n'));
// ncc marks ESM output with a package.json {type: module}; keep one for dist/.
writeFileSync('dist/package.json', JSON.stringify({ type: 'module' }) + '\n');
const cli = readFileSync('dist/cli.js', 'utf8');
if (!cli.startsWith('#!')) writeFileSync('dist/cli.js', '#!/usr/bin/env node\n' + cli);
chmodSync('dist/cli.js', 0o755);
