// End to end on real code: the local `cosplay repair` (scripted LLM server, real sandbox, the repository's own
// test command) on repositories built from published packages with a bug planted in a function that uses a
// sibling module: Debian's python3-packaging (packaging/utils.py canonicalize_version, which uses
// packaging.version) and npm's semver (functions/satisfies.js, which requires ../classes/range). The repair is
// found from the failing tests, verified with the whole suite, and written with --write.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runRepairCommand } from '../../../src/commands/repair.js';
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

async function repair(work: string, testCommand: string) {
  const lines: string[] = [];
  const { flags, io } = await llm.local(lines);
  const r = await runRepairCommand(
    { ...flags, repo: work, testCommand, write: true, codes: '4', tests: '6' },
    io,
  );
  return { ...r, text: lines.join('\n') };
}

describe('repair on python3-packaging', () => {
  let repo: TempRepo;
  const calls = [
    'canonicalize_version("1.0.0")',
    'canonicalize_version("1.0.1")',
    'canonicalize_version("2.10.0.post1")',
    'canonicalize_version("1.2.0rc1")',
    'canonicalize_version("1.0", strip_trailing_zero=False)',
    'canonicalize_version("3.0.0.0")',
    'canonicalize_version("1!3.0.0+local.1")',
    'canonicalize_version("0.0")',
  ];
  afterAll(() => repo?.cleanup());

  it('finds canonicalize_version behind the failing test, repairs it and verifies it with pytest', async () => {
    const pkg = debianPython('python3-packaging', 'packaging');
    let original = '';
    let oracle = new Map<string, string>();
    repo = gitRepo((work) => {
      copyInto(pkg, work, 'packaging');
      original = readFileSync(path.join(work, 'packaging/utils.py'), 'utf8');
      oracle = pythonValues(work, 'packaging.utils', calls);
    });
    const correct = /def canonicalize_version\([\s\S]*?\n    return "".join\(parts\)\n/.exec(original)![0];
    const GOOD = 're.sub(r"(\\.0)+$", "", release_segment)';
    const buggy = original.replace(GOOD, 're.sub(r"\\.0", "", release_segment)');
    expect(buggy).not.toBe(original);
    repo.write('packaging/utils.py', buggy);
    repo.write(
      'tests/test_utils.py',
      [
        'from packaging.utils import canonicalize_name, canonicalize_version',
        '',
        'def test_canonicalize_version_keeps_inner_zeros():',
        '    assert canonicalize_version("1.0.1") == "1.0.1"',
        '',
        'def test_canonicalize_version_strips_trailing_zeros():',
        '    assert canonicalize_version("2.0.0") == "2"',
        '',
        'def test_canonicalize_name():',
        '    assert canonicalize_name("Foo_Bar") == "foo-bar"',
        '',
      ].join('\n'),
    );
    repo.commitAll('tests');
    const world: World = {
      language: 'python',
      codes: [
        correct,
        correct.replace(GOOD, 're.sub(r"(?:\\.0)+$", "", release_segment)'),
        correct.replace(GOOD, 're.sub(r"\\.0", "", release_segment)'),
        correct,
      ],
      utInputs: calls.slice(0, 6),
      freshInputs: calls.slice(6),
      oracle: (call) => oracle.get(call),
    };
    llm.server.setScript(worldScript(world));
    const r = await repair(
      repo.work,
      'python3 -m pytest -q -p no:cacheprovider --junitxml="$COSPLAY_REPORT_DIR/junit.xml" tests',
    );
    expect(r.json.baseline).toEqual({ total: 3, failing: 1 });
    const f = r.json.functions.find((x) => x.name === 'canonicalize_version')!;
    expect(f).toMatchObject({ path: 'packaging/utils.py', status: 'repaired' });
    expect(r.outcome.verdict).toBe('repaired');
    const after = readFileSync(path.join(repo.work, 'packaging/utils.py'), 'utf8');
    expect(after).toContain(GOOD);
    expect(after).not.toContain('re.sub(r"\\.0", "", release_segment)');
    expect(r.text).toContain('canonicalize_version');
  });
});

describe('repair on npm semver', () => {
  let repo: TempRepo;
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
  afterAll(() => repo?.cleanup());

  it('repairs satisfies (it requires ../classes/range), verified with node --test', async () => {
    const pkg = npmPackage('semver@7.6.3');
    let original = '';
    let oracle = new Map<string, string>();
    repo = gitRepo((work) => {
      copyInto(pkg, work, 'semver');
      original = readFileSync(path.join(work, 'semver/functions/satisfies.js'), 'utf8');
      oracle = jsValues(work, 'semver/functions/satisfies.js', 'satisfies', calls);
    });
    const fn = /const satisfies = [\s\S]*?\n}\n/.exec(original)![0];
    const buggy = original.replace('} catch (er) {\n    return false', '} catch (er) {\n    return true');
    expect(buggy).not.toBe(original);
    repo.write('semver/functions/satisfies.js', buggy);
    repo.write(
      'test/satisfies.test.js',
      [
        "const test = require('node:test');",
        "const assert = require('node:assert');",
        "const satisfies = require('../semver/functions/satisfies.js');",
        "test('an invalid range satisfies nothing', () => assert.strictEqual(satisfies('1.2.3', 'not a range'), false));",
        "test('a caret range', () => assert.strictEqual(satisfies('1.2.3', '^1.0.0'), true));",
        '',
      ].join('\n'),
    );
    repo.commitAll('tests');
    llm.server.setScript(
      worldScript(
        callsWorld(
          'javascript',
          [fn, fn.replace('return range.test(version)', 'return Boolean(range.test(version))'), fn, fn],
          calls,
          6,
          oracle,
        ),
      ),
    );
    const r = await repair(
      repo.work,
      'node --test --test-reporter=junit --test-reporter-destination="$COSPLAY_REPORT_DIR/junit.xml" test/',
    );
    expect(r.json.baseline).toEqual({ total: 2, failing: 1 });
    expect(r.json.functions.find((x) => x.name === 'satisfies')).toMatchObject({ status: 'repaired' });
    const after = readFileSync(path.join(repo.work, 'semver/functions/satisfies.js'), 'utf8');
    expect(after).toContain('} catch (er) {\n    return false');
    expect(after).toContain("require('../classes/range')");
  });
});

describe('repair of a class method (python3-packaging Specifier.contains)', () => {
  let repo: TempRepo;
  afterAll(() => repo?.cleanup());

  it('maps the failing assertion on Specifier(...).contains(...) to the method and repairs it in its class', async () => {
    const pkg = debianPython('python3-packaging', 'packaging');
    const calls = SPECIFIER_CONTAINS.calls;
    let original = '';
    let oracle = new Map<string, string>();
    repo = gitRepo((work) => {
      copyInto(pkg, work, 'packaging');
      original = readFileSync(path.join(work, SPECIFIER_CONTAINS.file), 'utf8');
      oracle = pythonValues(work, 'packaging.specifiers', calls);
    });
    const GOOD = SPECIFIER_CONTAINS.good;
    const method = SPECIFIER_CONTAINS.method(original);
    repo.write(SPECIFIER_CONTAINS.file, original.replace(GOOD, SPECIFIER_CONTAINS.bad));
    repo.write(
      'tests/test_specifiers.py',
      [
        'from packaging.specifiers import Specifier',
        '',
        'def test_prereleases_are_excluded_by_default():',
        '    assert Specifier(">=1.2.3").contains("1.3.0a1") == False',
        '',
        'def test_a_release_is_contained():',
        '    assert Specifier(">=1.2.3").contains("1.4") == True',
        '',
      ].join('\n'),
    );
    repo.commitAll('tests');
    llm.server.setScript(
      worldScript(
        callsWorld(
          'python',
          [
            method,
            method.replace(GOOD, 'if not prereleases and normalized_item.is_prerelease:'),
            method,
            method,
          ],
          calls,
          6,
          oracle,
        ),
      ),
    );
    const r = await repair(
      repo.work,
      'python3 -m pytest -q -p no:cacheprovider --junitxml="$COSPLAY_REPORT_DIR/junit.xml" tests',
    );
    expect(r.json.baseline).toEqual({ total: 2, failing: 1 });
    expect(r.json.functions.find((x) => x.name === 'Specifier.contains')).toMatchObject({
      path: SPECIFIER_CONTAINS.file,
      status: 'repaired',
    });
    const after = readFileSync(path.join(repo.work, SPECIFIER_CONTAINS.file), 'utf8');
    expect(after).toContain(`        ${GOOD}`);
    // The rest of the class and of the module is byte for byte the package's.
    expect(after.replace(GOOD, '')).toBe(original.replace(GOOD, ''));
  });
});
