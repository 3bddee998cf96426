// End to end on real TypeScript: the local `cosplay repair` (scripted LLM server, real sandbox, the repository's
// own test command) on a repository built from rxjs 7, which publishes its .ts sources (CommonJS, extensionless
// imports): a bug planted in src/internal/util/isPromise.ts (isPromise, which calls the sibling ./isFunction) makes
// a typed node:test file fail; the test command compiles TypeScript with a require hook, as a TypeScript project's
// does. The function is found from the failing test through the test file's extensionless import, the repair
// runs as the real module, is verified with the whole suite and written with --write.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runRepairCommand } from '../../../src/commands/repair.js';
import { copyInto, gitRepo, jsModuleValues, npmPackage } from '../../support/real-code.js';
import { callsWorld, useLocalLlm, worldScript, type TempRepo } from '../world.js';

const llm = useLocalLlm();

describe('repair on rxjs 7 (TypeScript, CommonJS): isPromise', () => {
  let repo: TempRepo;
  afterAll(() => repo?.cleanup());
  const calls = [
    'isPromise(Promise.resolve(1))',
    'isPromise(3)',
    'isPromise({ then: () => 0 })',
    'isPromise({ then: 1 })',
    'isPromise(null)',
    'isPromise(undefined)',
    'isPromise(() => 0)',
    'isPromise({ then() {} })',
  ];

  it('repairs isPromise (it calls ./isFunction), verified with node --test and a TypeScript require hook', async () => {
    const pkg = npmPackage('rxjs@7.8.2');
    // The project's own TypeScript runner for its tests, installed as its devDependencies would be.
    const sucrase = npmPackage('sucrase@3.35.1', { install: true });
    const FILE = 'rxjs/src/internal/util/isPromise.ts';
    let original = '';
    let oracle = new Map<string, string>();
    repo = gitRepo((work) => {
      copyInto(pkg, work, 'rxjs');
      copyInto(sucrase, work, 'node_modules/sucrase');
      original = readFileSync(path.join(work, FILE), 'utf8');
      oracle = jsModuleValues(
        path.join(work, 'rxjs/dist/cjs/internal/util/isPromise.js'),
        ['isPromise'],
        calls,
      );
    });
    const fn = /export function isPromise\([\s\S]*?\n}\n/.exec(original)![0];
    const GOOD = 'return isFunction(value?.then);';
    expect(fn).toContain(GOOD);
    repo.write(FILE, original.replace(GOOD, 'return isFunction(value);'));
    repo.write(
      'test/isPromise.test.ts',
      [
        "import { test } from 'node:test';",
        "import { strict as assert } from 'node:assert';",
        "import { isPromise } from '../rxjs/src/internal/util/isPromise';",
        '',
        "test('a promise is thenable', () => assert.strictEqual(isPromise(Promise.resolve(1)), true));",
        "test('a number is not', () => assert.strictEqual(isPromise(3 as unknown), false));",
        '',
      ].join('\n'),
    );
    repo.commitAll('tests');
    llm.server.setScript(
      worldScript(
        callsWorld(
          'typescript',
          [fn, fn.replace('value?.then', 'value != null ? value.then : undefined'), fn, fn],
          calls,
          6,
          oracle,
        ),
      ),
    );
    const lines: string[] = [];
    const { flags, io } = await llm.local(lines);
    const r = await runRepairCommand(
      {
        ...flags,
        repo: repo.work,
        testCommand:
          'node --require ./node_modules/sucrase/register/ts --test --test-reporter=junit --test-reporter-destination="$COSPLAY_REPORT_DIR/junit.xml" test/isPromise.test.ts',
        write: true,
        codes: '4',
        tests: '6',
      },
      io,
    );
    expect(r.json.baseline).toEqual({ total: 2, failing: 1 });
    expect(r.json.functions.find((x) => x.name === 'isPromise')).toMatchObject({ status: 'repaired' });
    const after = readFileSync(path.join(repo.work, FILE), 'utf8');
    expect(after).toContain('export function isPromise(value: any): value is PromiseLike<any> {');
    expect(after).not.toContain('return isFunction(value);');
    expect(after).toContain('import { isFunction } from "./isFunction";');
  });
});
