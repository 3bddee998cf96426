// Every repository file that a message, a help text or a doc names (`some/dir/FILE.md`) exists in the
// repository: a newcomer who follows a pointer finds what it points at.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, ext));
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

describe('paths named in src/ and the docs', () => {
  it('exist in the repository', () => {
    const sources = [
      ...files(path.join(ROOT, 'src'), /\.ts$/),
      ...files(path.join(ROOT, 'docs'), /\.md$/),
      path.join(ROOT, 'README.md'),
      path.join(ROOT, 'action.yml'),
    ];
    const named = new Map<string, string>();
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?<![\w./-])((?:[\w.-]+\/)+[\w.-]+\.md)\b/g)) named.set(m[1]!, f);
    }
    expect(named.size).toBeGreaterThan(3);
    const missing = [...named].filter(([p]) => !existsSync(path.join(ROOT, p.replace(/^(\.\.\/)+/, ''))));
    expect(missing.map(([p, f]) => `${path.relative(ROOT, f)} names ${p}`)).toEqual([]);
  });
});
