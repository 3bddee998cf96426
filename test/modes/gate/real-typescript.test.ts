// End to end on real TypeScript: the local `cosplay gate` (scripted LLM server, real sandbox, the transpiler inside
// it) on repositories built from npm packages that publish their .ts sources. zod 4 is an ES-module project
// whose imports say './x.js' for './x.ts'; rxjs 7 is a CommonJS project with extensionless imports and enums. A
// pull request that plants a bug in a function (zod's toDotPath, which imports its siblings through './util.js';
// rxjs's isPromise, which imports ./isFunction)
// and in a class method (rxjs's overloaded Notification.accept, which calls isFunction from './util/isFunction';
// in the ES-module @tanstack/query-core 5, the generic QueryClient.defaultQueryOptions, which calls
// hashQueryKeyByOptions from the extensionless './utils') is blocked with a counterexample. Expected values come
// from the packages' own compiled JavaScript, never from the test's guesses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runGateCommand } from '../../../src/commands/gate.js';
import { copyInto, gitRepo, jsModuleValues, npmPackage } from '../../support/real-code.js';
import { callsWorld, useLocalLlm, worldScript, type TempRepo } from '../world.js';

const llm = useLocalLlm();

async function gate(work: string, base: string) {
  const lines: string[] = [];
  const { flags, io } = await llm.local(lines);
  const result = await runGateCommand({ ...flags, repo: work, base, codes: '4', tests: '6' }, io);
  return { ...result, text: lines.join('\n') };
}

/**
 * A repository built from an npm package (copied into `dir`), the original text of `file`, and the values of
 * `calls` from the package's own compiled JavaScript `compiled` (exports `names`).
 */
function usePackage(
  spec: string,
  dir: string,
  file: string,
  compiled: string,
  names: string[],
  calls: string[],
) {
  const fx = {} as { repo: TempRepo; original: string; oracle: Map<string, string> };
  beforeAll(() => {
    const pkg = npmPackage(spec);
    fx.repo = gitRepo((work) => copyInto(pkg, work, dir));
    fx.original = readFileSync(path.join(fx.repo.work, file), 'utf8');
    fx.oracle = jsModuleValues(path.join(fx.repo.work, compiled), names, calls);
  });
  afterAll(() => fx.repo?.cleanup());
  return fx;
}

/**
 * The model answers with `candidates` and the tests of `calls`; a pull request replaces `good` by `bad` in
 * `file`; the gate must fail with `name` disagreeing. Returns that function's record.
 */
async function plantAndGate(
  fx: ReturnType<typeof usePackage>,
  o: {
    file: string;
    candidates: string[];
    calls: string[];
    good: string;
    bad: string;
    message: string;
    name: string;
  },
) {
  llm.server.setScript(worldScript(callsWorld('typescript', o.candidates, o.calls, 6, fx.oracle)));
  const base = fx.repo.git('rev-parse', 'HEAD');
  fx.repo.write(o.file, fx.original.replace(o.good, o.bad));
  fx.repo.commitAll(o.message);
  const r = await gate(fx.repo.work, base);
  expect(r.failed).toBe(true);
  const f = r.json.functions.find((x) => x.name === o.name)!;
  expect(f.status).toBe('disagrees');
  return f;
}

describe('gate on zod 4 (ES modules, ./x.js imports of .ts files): toDotPath in src/v4/core/errors.ts', () => {
  const FILE = 'zod/src/v4/core/errors.ts';
  const calls = [
    'toDotPath(["a", "b"])',
    'toDotPath(["a", 0, "b"])',
    'toDotPath(["x y", 1])',
    'toDotPath([{ key: "k" }, "v"])',
    'toDotPath(["$ok", "a-b"])',
    'toDotPath(["solo"])',
    'toDotPath([2, "z"])',
    'toDotPath([])',
  ];
  const fx = usePackage('zod@4.6.7', 'zod', FILE, 'zod/v4/core/errors.js', ['toDotPath'], calls);

  it('blocks a pull request that puts a dot before the first key', async () => {
    const fn = /export function toDotPath\([\s\S]*?\n}\n/.exec(fx.original)![0];
    const GOOD = 'if (segs.length) segs.push(".");';
    expect(fn).toContain(GOOD);
    const f = await plantAndGate(fx, {
      file: FILE,
      candidates: [
        fn,
        fn.replace('const segs: string[] = [];', 'const segs: Array<string> = [];'),
        fn.replace(GOOD, 'if (segs.length > 0) segs.push(".");'),
        fn,
      ],
      calls,
      good: GOOD,
      bad: 'segs.push(".");',
      message: 'simplify toDotPath',
      name: 'toDotPath',
    });
    expect(f.counterexamples.find((c) => c.input === 'toDotPath(["a", "b"])')).toMatchObject({
      prOutput: '".a.b"',
      consensus: '"a.b"',
      blocking: true,
    });
  });
});

describe('gate on rxjs 7 (CommonJS, extensionless imports, enums): the overloaded method Notification.accept', () => {
  const FILE = 'rxjs/src/internal/Notification.ts';
  const calls = [
    'new Notification("N", 5).accept((v) => v * 2)',
    'new Notification("E", undefined, "boom").accept((v) => v, (e) => "E:" + e, () => "done")',
    'new Notification("C").accept((v) => 1, (e) => 2, () => 3)',
    'Notification.createNext(7).accept((v) => [v, v])',
    'Notification.createError("x").accept(() => 0, (e) => e + "!")',
    'Notification.createComplete().accept(() => 0, () => 1, () => "fin")',
    'new Notification("N", "abc").accept((v) => v.length, () => -1)',
    'new Notification("E", undefined, 42).accept(() => "n", (e) => e + 1, () => "c")',
  ];
  const fx = usePackage(
    'rxjs@7.8.2',
    'rxjs',
    FILE,
    'rxjs/dist/cjs/internal/Notification.js',
    ['Notification'],
    calls,
  );

  it('blocks a pull request that hands the error to the completion handler', async () => {
    // The implementation after its overload signatures; it calls isFunction from ./util/isFunction.
    const method = /  accept\(nextOrObserver: [\s\S]*?\n  \}\n/.exec(fx.original)![0];
    const GOOD = 'error as any, complete as any);';
    expect(method).toContain(GOOD);
    const f = await plantAndGate(fx, {
      file: FILE,
      candidates: [
        method,
        method.replace('(nextOrObserver as any)?.next', '(nextOrObserver as PartialObserver<T>)?.next'),
        method,
        method,
      ],
      calls,
      good: GOOD,
      bad: 'complete as any, error as any);',
      message: 'accept',
      name: 'Notification.accept',
    });
    expect(f.counterexamples.find((c) => c.input === calls[1])).toMatchObject({
      prOutput: '"done"',
      consensus: '"E:boom"',
      blocking: true,
    });
  });
});

describe('gate on rxjs 7 (CommonJS, extensionless imports): the function isPromise, which calls ./isFunction', () => {
  const FILE = 'rxjs/src/internal/util/isPromise.ts';
  const calls = [
    'isPromise(Promise.resolve(1))',
    'isPromise(3)',
    'isPromise({ then: () => 0 })',
    'isPromise({ then: 1 })',
    'isPromise(null)',
    'isPromise(() => 0)',
    'isPromise({ then() {} })',
    'isPromise(undefined)',
  ];
  const fx = usePackage(
    'rxjs@7.8.2',
    'rxjs',
    FILE,
    'rxjs/dist/cjs/internal/util/isPromise.js',
    ['isPromise'],
    calls,
  );

  it('blocks a pull request that tests the value instead of its then', async () => {
    const fn = /export function isPromise\([\s\S]*?\n}\n/.exec(fx.original)![0];
    const GOOD = 'return isFunction(value?.then);';
    const f = await plantAndGate(fx, {
      file: FILE,
      candidates: [fn, fn.replace('value?.then', 'value != null ? value.then : undefined'), fn, fn],
      calls,
      good: GOOD,
      bad: 'return isFunction(value);',
      message: 'isPromise',
      name: 'isPromise',
    });
    expect(f.counterexamples.find((c) => c.input === 'isPromise(Promise.resolve(1))')).toMatchObject({
      prOutput: 'false',
      consensus: 'true',
      blocking: true,
    });
  });
});

describe('gate on @tanstack/query-core 5 (ES modules, extensionless imports): the method QueryClient.defaultQueryOptions', () => {
  const FILE = 'query-core/src/queryClient.ts';
  const calls = [
    'new QueryClient().defaultQueryOptions({ queryKey: ["todos", { page: 1, filter: "done" }] })',
    'new QueryClient().defaultQueryOptions({ queryKey: ["a"] })',
    'new QueryClient({ defaultOptions: { queries: { staleTime: 5 } } }).defaultQueryOptions({ queryKey: [{ b: 2, a: 1 }] })',
    'new QueryClient().defaultQueryOptions({ queryKey: ["x"], queryHash: "custom" })',
    'new QueryClient().defaultQueryOptions({ queryKey: ["n", 1], networkMode: "always", suspense: true })',
    'new QueryClient().defaultQueryOptions({ queryKey: ["q"], _defaulted: true })',
    'new QueryClient({ defaultOptions: { queries: { retry: 2 } } }).defaultQueryOptions({ queryKey: ["z", { y: [1, { d: 4, c: 3 }] }] })',
    'new QueryClient().defaultQueryOptions({ queryKey: ["p", null, true] })',
  ];
  const fx = usePackage(
    '@tanstack/query-core@5.108.4',
    'query-core',
    FILE,
    'query-core/build/modern/queryClient.js',
    ['QueryClient'],
    calls,
  );

  it('blocks a pull request that hashes the query key with JSON.stringify', async () => {
    // A generic method of a class with #private fields; it calls hashQueryKeyByOptions from './utils' (no
    // extension), whose hashKey sorts object keys.
    const method = /  defaultQueryOptions<\n[\s\S]*?\n  \}\n/.exec(fx.original)![0];
    const GOOD =
      'hashQueryKeyByOptions(\n        defaultedOptions.queryKey,\n        defaultedOptions,\n      )';
    expect(method).toContain(GOOD);
    const f = await plantAndGate(fx, {
      file: FILE,
      candidates: [
        method,
        method.replace(
          'if (!defaultedOptions.queryHash) {',
          'if (defaultedOptions.queryHash == null || defaultedOptions.queryHash === "") {',
        ),
        method,
        method,
      ],
      calls,
      good: GOOD,
      bad: 'JSON.stringify(defaultedOptions.queryKey)',
      message: 'defaultQueryOptions: hash the key directly',
      name: 'QueryClient.defaultQueryOptions',
    });
    // The PR's hash keeps the object's key order; the consensus (the package's own build) sorts the keys.
    const ce = f.counterexamples.find((c) => c.input === calls[0]);
    expect(ce).toMatchObject({
      prOutput:
        '{_defaulted: true, queryHash: "[\\"todos\\",{\\"page\\":1,\\"filter\\":\\"done\\"}]", queryKey: ["todos", {filter: "done", page: 1}], refetchOnReconnect: true, throwOnError: false}',
      consensus:
        '{"queryKey":["todos",{"page":1,"filter":"done"}],"_defaulted":true,"queryHash":"[\\"todos\\",{\\"filter\\":\\"done\\",\\"page\\":1}]","refetchOnReconnect":true,"throwOnError":false}',
      blocking: true,
    });
    expect(ce!.consensus).toBe(fx.oracle.get(calls[0]!));
    // A fresh input, where both sides are the sandbox's values: only the hash's key order differs.
    expect(f.counterexamples.find((c) => c.input === calls[6])).toMatchObject({
      kind: 'fresh',
      prOutput:
        '{_defaulted: true, queryHash: "[\\"z\\",{\\"y\\":[1,{\\"d\\":4,\\"c\\":3}]}]", queryKey: ["z", {y: [1, {c: 3, d: 4}]}], refetchOnReconnect: true, retry: 2, throwOnError: false}',
      consensus:
        '{_defaulted: true, queryHash: "[\\"z\\",{\\"y\\":[1,{\\"c\\":3,\\"d\\":4}]}]", queryKey: ["z", {y: [1, {c: 3, d: 4}]}], refetchOnReconnect: true, retry: 2, throwOnError: false}',
      blocking: true,
    });
  });
});
