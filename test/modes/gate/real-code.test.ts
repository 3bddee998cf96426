// End to end on real code: the local `cosplay gate` (scripted LLM server, real sandbox) on repositories built
// from published packages: Debian's python3-packaging (a function of packaging/utils.py that uses the sibling
// module packaging/version.py) and npm's semver (a function of functions/satisfies.js that requires
// ../classes/range). A pull request that plants a bug is blocked with a counterexample; the correct change
// passes. Expected values come from running the package's own code, never from the test's guesses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runGateCommand } from '../../../src/commands/gate.js';
import {
  copyInto,
  debianPython,
  gitRepo,
  jsValues,
  npmPackage,
  pythonValues,
  SPECIFIER_CONTAINS,
} from '../../support/real-code.js';
import { callsWorld, useLocalLlm, worldScript, type TempRepo, type World } from '../world.js';

const llm = useLocalLlm();

async function gate(work: string, base: string) {
  const lines: string[] = [];
  const { flags, io } = await llm.local(lines);
  const result = await runGateCommand({ ...flags, repo: work, base, codes: '4', tests: '6' }, io);
  return { ...result, text: lines.join('\n') };
}

describe('gate on python3-packaging: packaging/utils.py canonicalize_version uses packaging.version', () => {
  let repo: TempRepo;
  let original: string;
  const FN = /def canonicalize_version\([\s\S]*?\n    return "".join\(parts\)\n/;
  const calls = [
    'canonicalize_version("1.0.0")',
    'canonicalize_version("1.0.1")',
    'canonicalize_version("2.10.0.post1")',
    'canonicalize_version("1.2.0rc1")',
    'canonicalize_version("1.0", strip_trailing_zero=False)',
    'canonicalize_version("1!3.0.0+local.1")',
    'canonicalize_version("not a version")',
    'canonicalize_version("0.0")',
  ];
  let oracle: Map<string, string>;
  beforeAll(() => {
    const pkg = debianPython('python3-packaging', 'packaging');
    repo = gitRepo((work) => copyInto(pkg, work, 'packaging'));
    original = readFileSync(path.join(repo.work, 'packaging/utils.py'), 'utf8');
    oracle = pythonValues(repo.work, 'packaging.utils', calls);
    base = repo.git('rev-parse', 'HEAD');
  });
  let base: string;
  afterAll(() => repo?.cleanup());

  const world = (correct: string): World => ({
    language: 'python',
    // Independent candidates: the package's own function, and two rewrites of its release step.
    codes: [
      correct,
      correct.replace(
        're.sub(r"(\\.0)+$", "", release_segment)',
        're.sub(r"(?:\\.0)+$", "", release_segment)',
      ),
      correct.replace(
        'release_segment = re.sub(r"(\\.0)+$", "", release_segment)',
        'while release_segment.endswith(".0"):\n            release_segment = release_segment[:-2]',
      ),
      correct,
    ],
    utInputs: calls.slice(0, 6),
    freshInputs: calls.slice(6),
    oracle: (call) => oracle.get(call),
  });

  it('blocks a pull request that strips every ".0", not only the trailing ones', async () => {
    const correct = FN.exec(original)![0];
    llm.server.setScript(worldScript(world(correct)));
    repo.write(
      'packaging/utils.py',
      original.replace('re.sub(r"(\\.0)+$", "", release_segment)', 're.sub(r"\\.0", "", release_segment)'),
    );
    repo.commitAll('simplify canonicalize_version');
    const r = await gate(repo.work, base);
    expect(r.failed).toBe(true);
    const f = r.json.functions.find((x) => x.name === 'canonicalize_version')!;
    expect(f.status).toBe('disagrees');
    // "1.0.1" keeps its inner zero in the package's own version; the PR drops it.
    const cx = f.counterexamples.find((c) => c.input === 'canonicalize_version("1.0.1")');
    expect(cx).toMatchObject({ prOutput: "'1.1'", consensus: "'1.0.1'", blocking: true });
    expect(r.text).toContain('canonicalize_version');
  });

  it('passes the same function refactored correctly', async () => {
    repo.git('reset', '--quiet', '--hard', base);
    const correct = FN.exec(original)![0];
    llm.server.setScript(worldScript(world(correct)));
    repo.write(
      'packaging/utils.py',
      original.replace(
        're.sub(r"(\\.0)+$", "", release_segment)',
        're.sub(r"(?:\\.0)+$", "", release_segment)',
      ),
    );
    repo.commitAll('non-capturing group');
    const r = await gate(repo.work, base);
    expect(r.failed).toBe(false);
    const f = r.json.functions.find((x) => x.name === 'canonicalize_version')!;
    expect(f.status).toBe('agrees');
  });
});

describe('gate on npm semver: functions/satisfies.js requires ../classes/range', () => {
  let repo: TempRepo;
  let original: string;
  const calls = [
    'satisfies("1.2.3", "^1.0.0")',
    'satisfies("2.0.0", "^1.0.0")',
    'satisfies("1.2.3", "not a range")',
    'satisfies("1.2.3-beta.1", ">=1.0.0")',
    'satisfies("0.9.0", "~0.9.1")',
    'satisfies("3.1.0", "1.x || >=3.0.0")',
    'satisfies("1.0.0", "")',
    'satisfies("v1.0.0", "=1.0.0")',
  ];
  let oracle: Map<string, string>;
  const DOC =
    '/**\n * True when `version` satisfies the semver `range`; an invalid range satisfies nothing.\n */\n';
  beforeAll(() => {
    const pkg = npmPackage('semver@7.6.3');
    repo = gitRepo((work) => copyInto(pkg, work, 'semver'));
    original = readFileSync(path.join(repo.work, 'semver/functions/satisfies.js'), 'utf8');
    oracle = jsValues(repo.work, 'semver/functions/satisfies.js', 'satisfies', calls);
  });
  afterAll(() => repo?.cleanup());

  it('blocks a pull request under which an invalid range satisfies every version', async () => {
    const fn = /const satisfies = [\s\S]*?\n}\n/.exec(original)![0];
    llm.server.setScript(
      worldScript(
        callsWorld(
          'javascript',
          [
            fn,
            fn.replace('return range.test(version)', 'return Boolean(range.test(version))'),
            fn.replace('} catch (er) {\n    return false\n  }', '} catch {\n    return false\n  }'),
            fn,
          ],
          calls,
          6,
          oracle,
        ),
      ),
    );
    const base = repo.git('rev-parse', 'HEAD');
    repo.write(
      'semver/functions/satisfies.js',
      original
        .replace('const satisfies =', `${DOC}const satisfies =`)
        .replace('} catch (er) {\n    return false', '} catch (er) {\n    return true'),
    );
    repo.commitAll('document satisfies');
    const r = await gate(repo.work, base);
    expect(r.failed).toBe(true);
    const f = r.json.functions.find((x) => x.name === 'satisfies')!;
    expect(f.status).toBe('disagrees');
    expect(f.counterexamples.find((c) => c.input === 'satisfies("1.2.3", "not a range")')).toMatchObject({
      prOutput: 'true',
      consensus: 'false',
      blocking: true,
    });
  });
});

describe('gate on class methods of real code', () => {
  it('blocks a bug in packaging Specifier.contains (it uses the module helper built on packaging.version)', async () => {
    const pkg = debianPython('python3-packaging', 'packaging');
    const calls = SPECIFIER_CONTAINS.calls;
    let oracle = new Map<string, string>();
    const repo = gitRepo((work) => {
      copyInto(pkg, work, 'packaging');
      oracle = pythonValues(work, 'packaging.specifiers', calls);
    });
    try {
      const original = readFileSync(path.join(repo.work, SPECIFIER_CONTAINS.file), 'utf8');
      const method = SPECIFIER_CONTAINS.method(original);
      const GOOD = SPECIFIER_CONTAINS.good;
      llm.server.setScript(
        worldScript(
          callsWorld(
            'python',
            [
              method,
              method.replace(GOOD, 'if not prereleases and normalized_item.is_prerelease:'),
              method.replace(
                'return operator_callable(normalized_item, self.version)',
                'return bool(operator_callable(normalized_item, self.version))',
              ),
              method,
            ],
            calls,
            6,
            oracle,
          ),
        ),
      );
      const base = repo.git('rev-parse', 'HEAD');
      repo.write(SPECIFIER_CONTAINS.file, original.replace(GOOD, SPECIFIER_CONTAINS.bad));
      repo.commitAll('prereleases');
      const r = await gate(repo.work, base);
      expect(r.failed).toBe(true);
      const f = r.json.functions.find((x) => x.name === 'Specifier.contains')!;
      expect(f.status).toBe('disagrees');
      expect(
        f.counterexamples.find((c) => c.input === 'Specifier(">=1.2.3").contains("1.3.0a1")'),
      ).toMatchObject({
        prOutput: 'True',
        consensus: 'False',
        blocking: true,
      });
    } finally {
      repo.cleanup();
    }
  });

  it('blocks a bug in semver SemVer.compareMain (it requires ../internal/identifiers)', async () => {
    const pkg = npmPackage('semver@7.6.3');
    const calls = [
      'new SemVer("1.2.3").compareMain("1.3.0")',
      'new SemVer("1.4.0").compareMain("1.3.9")',
      'new SemVer("2.0.0").compareMain("2.0.0-rc.1")',
      'new SemVer("1.2.10").compareMain("1.2.9")',
      'new SemVer("0.1.2").compareMain("0.2.1")',
      'new SemVer("3.0.0").compareMain(new SemVer("2.9.9"))',
      'new SemVer("1.1.1").compareMain("1.1.2")',
      'new SemVer("9.0.0").compareMain("10.0.0")',
    ];
    let oracle = new Map<string, string>();
    const repo = gitRepo((work) => {
      copyInto(pkg, work, 'semver');
      oracle = jsValues(work, 'semver/classes/semver.js', 'SemVer', calls);
    });
    try {
      const original = readFileSync(path.join(repo.work, 'semver/classes/semver.js'), 'utf8');
      const method = /  compareMain \(other\) \{[\s\S]*?\n  \}\n/.exec(original)![0];
      const ORDER =
        'compareIdentifiers(this.minor, other.minor) ||\n      compareIdentifiers(this.patch, other.patch)';
      llm.server.setScript(
        worldScript(
          callsWorld(
            'javascript',
            [
              method,
              method.replace('if (!(other instanceof SemVer)) {', 'if (!(other instanceof SemVer) ) {'),
              method,
              method,
            ],
            calls,
            6,
            oracle,
          ),
        ),
      );
      const base = repo.git('rev-parse', 'HEAD');
      repo.write(
        'semver/classes/semver.js',
        original
          .replace(
            '  compareMain (other) {',
            '  /** Compares major, minor and patch (in that order) with another version: -1, 0 or 1. */\n  compareMain (other) {',
          )
          .replace(
            ORDER,
            'compareIdentifiers(this.patch, other.patch) ||\n      compareIdentifiers(this.minor, other.minor)',
          ),
      );
      repo.commitAll('document compareMain');
      const r = await gate(repo.work, base);
      expect(r.failed).toBe(true);
      const f = r.json.functions.find((x) => x.name === 'SemVer.compareMain')!;
      expect(f.status).toBe('disagrees');
      expect(
        f.counterexamples.some((c) => c.blocking && c.input === 'new SemVer("0.1.2").compareMain("0.2.1")'),
      ).toBe(true);
    } finally {
      repo.cleanup();
    }
  });
});
