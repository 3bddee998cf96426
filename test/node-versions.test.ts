// The Node versions the CLI supports are stated once and agree everywhere: package.json's engines, the
// README, the CI workflow's matrix and .ci/run (which runs the type check and the suite on each).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const SUPPORTED = [22, 24];

describe('supported Node versions', () => {
  it('engines, the README, the CI matrix and .ci/run agree on Node 22 and 24', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${SUPPORTED[0]}`);

    const readme = read('README.md');
    expect(readme).toContain(`Node ${SUPPORTED[0]} or ${SUPPORTED[1]}`);
    expect(readme).toContain(`support Node ${SUPPORTED[0]} and Node ${SUPPORTED[1]}`);
    // no older line is claimed anywhere in the README or the docs
    for (const f of ['README.md', 'docs/action.md', 'docs/gate-and-repair.md', 'docs/benchmark.md'])
      expect(`${f}: ${read(f).match(/\bNode(?:\.js)? (1\d|20)\b[^\n]*/g) ?? ''}`).toBe(`${f}: `);

    const ci = parse(read('.github/workflows/ci.yml')) as {
      jobs: { test: { strategy: { matrix: { node: number[] } } } };
    };
    expect(ci.jobs.test.strategy.matrix.node).toEqual(SUPPORTED);
    for (const f of ['.github/workflows/bench.yml', '.github/workflows/check-dist.yml'])
      for (const m of read(f).matchAll(/node-version: (\d+)/g)) expect(SUPPORTED).toContain(Number(m[1]));

    const run = read('.ci/run');
    expect(run).toMatch(new RegExp(`for major in ${SUPPORTED.join(' ')}; do`));
    expect(run).toMatch(/npm install [^\n]*"node@\$1"/);
    expect(run).toMatch(/PATH="\$bin:\$PATH" npm run typecheck\n\s*PATH="\$bin:\$PATH" npm test/);
    expect(run).not.toMatch(/Node 20|node@20/);
  });
});
