// End to end on real code: `cosplay solve` (scripted LLM server, real sandbox) writes a NEW function into an
// existing module of a published package, a function that needs a sibling module: packaging/utils.py of
// Debian's python3-packaging gains `newer(a, b)`, which imports `parse` from the sibling packaging/version.py
// (a relative import the candidates add); semver/index.js of npm's semver gains
// `isStable(version)`, which uses the `parse` helper that index.js requires from ./functions/parse. The
// candidates run as the real module, so only code that actually imports and uses its neighbours passes; the
// written module and its test file work with the repository's own test runner.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSolveCommand } from '../../../src/commands/solve.js';
import {
  copyInto,
  debianPython,
  gitRepo,
  jsValues,
  npmPackage,
  pythonValues,
} from '../../support/real-code.js';
import { callsWorld, useLocalLlm, worldScript, type TempRepo } from '../world.js';

const llm = useLocalLlm();

async function solve(work: string, task: string) {
  const file = path.join(work, '..', 'TASK.md');
  writeFileSync(file, task);
  const { flags, io } = await llm.local();
  return runSolveCommand(file, { ...flags, repo: work, codes: '4', tests: '5' }, io);
}

describe('solve into packaging/utils.py (python3-packaging)', () => {
  let repo: TempRepo;
  afterAll(() => repo?.cleanup());
  const calls = [
    'newer("1.10", "1.9")',
    'newer("1.0", "1.0.0")',
    'newer("2.0rc1", "2.0")',
    'newer("1.0.post1", "1.0")',
    'newer("1!0.1", "9.9")',
    'newer("0.9", "0.10")',
    'newer("3.0.dev1", "3.0a1")',
  ];
  const RIGHT = [
    'from .version import parse',
    '',
    'def newer(a: str, b: str) -> bool:',
    '    """True when version `a` is newer than version `b` (PEP 440 ordering)."""',
    '    return parse(a) > parse(b)',
    '',
  ].join('\n');

  it('writes a function that imports the sibling module, and the kept tests pass under pytest', async () => {
    const pkg = debianPython('python3-packaging', 'packaging');
    let expected = new Map<string, string>();
    repo = gitRepo((work) => {
      copyInto(pkg, work, 'packaging');
      // The reference answers come from the package itself (the function does not exist in it).
      const values = pythonValues(
        work,
        'packaging.version',
        calls.map((c) => c.replace(/^newer\(("[^"]*"), ("[^"]*")\)$/, 'parse($1) > parse($2)')),
      );
      expected = new Map(calls.map((c, i) => [c, [...values.values()][i]!]));
    });
    llm.server.setScript(
      worldScript(
        callsWorld(
          'python',
          [
            RIGHT,
            // Without the import: NameError in the real module (parse is not a name of utils.py).
            'def newer(a: str, b: str) -> bool:\n    return parse(a) > parse(b)\n',
            RIGHT.replace('return parse(a) > parse(b)', 'return not parse(a) <= parse(b)'),
            // Wrong: compares the strings.
            'def newer(a: str, b: str) -> bool:\n    return a > b\n',
          ],
          calls,
          5,
          expected,
        ),
      ),
    );
    const r = await solve(
      repo.work,
      [
        '```yaml',
        'language: python',
        'kind: function',
        'target: packaging/utils.py',
        'signature: "def newer(a: str, b: str) -> bool"',
        'description: True when version a is newer than version b in PEP 440 order (use packaging.version).',
        'examples: |',
        '  newer("1.10", "1.2") == True',
        '```',
        '',
      ].join('\n'),
    );
    expect(r.verdict).toBe('selected');
    const utils = readFileSync(path.join(repo.work, 'packaging/utils.py'), 'utf8');
    expect(utils).toContain('from .version import parse');
    expect(utils).toContain('return parse(a) > parse(b)');
    // The rest of the module is still there.
    expect(utils).toContain('def canonicalize_version(');
    expect(r.solution.testPath).toBeDefined();
    const pytest = spawnSync(
      'python3',
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', r.solution.testPath!],
      {
        cwd: repo.work,
        encoding: 'utf8',
      },
    );
    expect(pytest.stdout + pytest.stderr).toMatch(/\d+ passed/);
    expect(pytest.status).toBe(0);
  });
});

describe('solve into semver/index.js (npm semver)', () => {
  let repo: TempRepo;
  afterAll(() => repo?.cleanup());
  const calls = [
    'isStable("1.2.3")',
    'isStable("1.2.3-beta.1")',
    'isStable("not a version")',
    'isStable("v2.0.0")',
    'isStable("0.0.0-0")',
    'isStable("10.20.30+build.5")',
  ];

  it("writes a function that uses the module's own require of a sibling, and exports it", async () => {
    const pkg = npmPackage('semver@7.6.3');
    let oracle = new Map<string, string>();
    repo = gitRepo((work) => {
      copyInto(pkg, work, 'semver');
      oracle = jsValues(
        work,
        'semver/functions/parse.js',
        'parse',
        calls.map((c) =>
          c.replace(/^isStable\((.*)\)$/, '((v) => v !== null && v.prerelease.length === 0)(parse($1))'),
        ),
      );
    });
    const expected = new Map(calls.map((c, i) => [c, [...oracle.values()][i]!]));
    const RIGHT =
      'function isStable (version) {\n  const v = parse(version)\n  return v !== null && v.prerelease.length === 0\n}\n';
    llm.server.setScript(
      worldScript(
        callsWorld(
          'javascript',
          [
            RIGHT,
            'function isStable (version) {\n  return !String(version).includes("-")\n}\n',
            RIGHT.replace('v !== null && v.prerelease.length === 0', 'Boolean(v) && !v.prerelease.length'),
            RIGHT,
          ],
          calls,
          4,
          expected,
        ),
      ),
    );
    const r = await solve(
      repo.work,
      [
        '```yaml',
        'language: javascript',
        'kind: function',
        'target: semver/index.js',
        'signature: function isStable(version)',
        "description: True when the version parses as semver and has no prerelease part (use the module's parse).",
        'examples: |',
        '  isStable("1.0.0-rc.1") === false',
        '```',
        '',
      ].join('\n'),
    );
    expect(r.verdict).toBe('selected');
    const index = readFileSync(path.join(repo.work, 'semver/index.js'), 'utf8');
    expect(index).toMatch(/function isStable \(version\)/);
    const check = spawnSync(
      process.execPath,
      [
        '-e',
        `const s = require(${JSON.stringify(path.join(repo.work, 'semver/index.js'))}); console.log(s.isStable('1.2.3'), s.isStable('1.2.3-beta'), s.satisfies('1.2.3', '^1'))`,
      ],
      { encoding: 'utf8' },
    );
    expect(check.stdout.trim()).toBe('true false true');
  });
});

describe('solve a new method into an existing class (python3-packaging Version)', () => {
  let repo: TempRepo;
  afterAll(() => repo?.cleanup());
  const calls = [
    'Version("1.0").is_final()',
    'Version("1.0rc1").is_final()',
    'Version("1.0.post2").is_final()',
    'Version("2.0.dev3").is_final()',
    'Version("1.0+local.7").is_final()',
    'Version("3!1.2.3").is_final()',
  ];
  const RIGHT =
    '    def is_final(self) -> bool:\n        """True when the version has no pre-release, post-release, development or local part."""\n        return self.pre is None and self.post is None and self.dev is None and self.local is None\n';

  it("places the selected method after the class's last method; the rest of the module is unchanged", async () => {
    const pkg = debianPython('python3-packaging', 'packaging');
    let expected = new Map<string, string>();
    let original = '';
    repo = gitRepo((work) => {
      copyInto(pkg, work, 'packaging');
      original = readFileSync(path.join(work, 'packaging/version.py'), 'utf8');
      const values = pythonValues(
        work,
        'packaging.version',
        calls.map((c) =>
          c.replace(
            /^(Version\("[^"]*"\))\.is_final\(\)$/,
            '(lambda v: v.pre is None and v.post is None and v.dev is None and v.local is None)($1)',
          ),
        ),
      );
      expected = new Map(calls.map((c, i) => [c, [...values.values()][i]!]));
    });
    llm.server.setScript(
      worldScript(
        callsWorld(
          'python',
          [
            RIGHT,
            // Wrong: a post-release is not a pre-release, but it is not final either.
            '    def is_final(self) -> bool:\n        return not self.is_prerelease\n',
            RIGHT,
            'class Version(_BaseVersion):\n' + RIGHT,
          ],
          calls,
          4,
          expected,
        ),
      ),
    );
    const r = await solve(
      repo.work,
      [
        '```yaml',
        'language: python',
        'kind: function',
        'target: packaging/version.py',
        'entry_point: Version.is_final',
        'signature: "def is_final(self) -> bool"',
        'description: True when the version has no pre-release, post-release, development or local part.',
        'examples: |',
        '  Version("1.0.post1").is_final() == False',
        '```',
        '',
      ].join('\n'),
    );
    expect(r.verdict).toBe('selected');
    const after = readFileSync(path.join(repo.work, 'packaging/version.py'), 'utf8');
    expect(after).toContain('\n    def is_final(self) -> bool:\n');
    // The new method is the class's last; everything else is the package's own text.
    expect(after.replace(/\n\n    def is_final[\s\S]*?self\.local is None\n/, '\n')).toBe(original);
    const check = spawnSync(
      'python3',
      [
        '-c',
        'from packaging.version import Version; print(Version("1.0").is_final(), Version("1.0.post1").is_final())',
      ],
      { cwd: repo.work, encoding: 'utf8' },
    );
    expect(check.stdout.trim()).toBe('True False');
  });
});
