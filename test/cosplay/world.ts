// A small world for end-to-end tests of the method: the task `sum_to(n)` (1 + ... + n), candidate programs
// standing in as JS functions, and a fake LLM whose answers are scripted per purpose.
import type { CosplayParams } from '../../src/cosplay/params.js';
import type { LlmRequest, Task } from '../../src/types.js';
import { FakeExecutor, TIMEOUT, parseCall } from '../support/fake-executor.js';
import {
  type FakeLlmOptions,
  FakeLlm,
  type Handler,
  codeReply,
  cursor,
  jsonReply,
  metaCount,
  metaInput,
} from '../support/fake-llm.js';

export const TASK: Task = {
  id: 'test/sum_to',
  language: 'python',
  kind: 'function',
  entryPoint: 'sum_to',
  prompt: 'def sum_to(n: int) -> int:\n    """Return 1 + 2 + ... + n (0 for n = 0). n >= 0."""\n',
};

export const truth = (n: number) => (n * (n + 1)) / 2;

export const CODE = {
  correctA: 'def sum_to(n):\n    return n * (n + 1) // 2',
  correctB: 'def sum_to(n):\n    return sum(range(n + 1))',
  correctC: 'def sum_to(n):\n    s = 0\n    for i in range(1, n + 1):\n        s += i\n    return s',
  correctD: 'def sum_to(n):\n    return (n * n + n) // 2',
  correctE: 'def sum_to(n):\n    return sum(i for i in range(n + 1))',
  offByOne: 'def sum_to(n):\n    return n * (n - 1) // 2',
  square: 'def sum_to(n):\n    return n * n',
  zeroBug: 'def sum_to(n):\n    if n == 0:\n        raise ValueError(n)\n    return n * (n + 1) // 2',
  zeroBug2: 'def sum_to(n):\n    assert n > 0\n    return sum(range(1, n + 1))',
  smallOnly: 'def sum_to(n):\n    return [0, 1, 3][n]',
  smallOnly2: 'def sum_to(n):\n    return {0: 0, 1: 1, 2: 3}.get(n, -1)',
  breaksOne: 'def sum_to(n):\n    return 0 if n == 1 else n * (n + 1) // 2',
  loops: 'def sum_to(n):\n    while True:\n        pass',
  validator: 'def sum_to(n):\n    return isinstance(n, int) and n >= 0',
};

export const CORRECT = new Set([CODE.correctA, CODE.correctB, CODE.correctC, CODE.correctD, CODE.correctE]);
export const isCorrect = (code: string | undefined) => code !== undefined && CORRECT.has(code.trim());

export function executor(): FakeExecutor {
  const n = (a: unknown[]) => a[0] as number;
  return new FakeExecutor({
    [CODE.correctA]: (a) => truth(n(a)),
    // As the Python programs behave, including outside the domain (n < 0): range() is then empty.
    [CODE.correctB]: (a) => (n(a) < 0 ? 0 : truth(n(a))),
    [CODE.correctC]: (a) => (n(a) < 0 ? 0 : truth(n(a))),
    [CODE.correctD]: (a) => truth(n(a)),
    [CODE.correctE]: (a) => (n(a) < 0 ? 0 : truth(n(a))),
    [CODE.offByOne]: (a) => (n(a) * (n(a) - 1)) / 2,
    [CODE.square]: (a) => n(a) * n(a),
    [CODE.zeroBug]: (a) => {
      if (n(a) === 0) throw new Error('ValueError: 0');
      return truth(n(a));
    },
    [CODE.zeroBug2]: (a) => {
      if (n(a) <= 0) throw new Error('AssertionError');
      return truth(n(a));
    },
    [CODE.smallOnly]: (a) => {
      if (n(a) > 2) throw new Error('IndexError: list index out of range');
      return [0, 1, 3][n(a)];
    },
    [CODE.smallOnly2]: (a) => ({ 0: 0, 1: 1, 2: 3 })[n(a)] ?? -1,
    [CODE.breaksOne]: (a) => (n(a) === 1 ? 0 : truth(n(a))),
    [CODE.loops]: () => TIMEOUT,
    [CODE.validator]: (a) => Number.isInteger(a[0]) && n(a) >= 0,
  });
}

const call = (n: number) => `sum_to(${n})`;
export const calls = (...ns: number[]) => ns.map(call);

/** The candidate code shown in a fix prompt. */
export function codeInFixPrompt(req: LlmRequest): string | undefined {
  const text = req.messages.map((m) => m.content).join('\n');
  return Object.values(CODE).find((c) => text.includes(`This program:\n\`\`\`python\n${c}\n\`\`\``));
}

export interface WorldOptions {
  stage1Codes: string[];
  /** Stage-1 UT inputs (random inputs, in order). */
  stage1Inputs: string[];
  /** Wrong answers the "model" gives consistently in stage 1 (a spuriously coupled UT). */
  wrongExpected?: Record<string, string>;
  /** Inputs handed out for stage-2 UT regeneration, in order. */
  regenInputs?: string[];
  /** Codes handed out for code cleaning. */
  cleanCodes?: string[];
  /** Repairs: old code -> repaired code. */
  fixes?: Record<string, string>;
  stage3Inputs?: string[];
  validator?: string | null;
  /** Extra or overriding handlers (e.g. hints, plans, attack). */
  handlers?: Partial<Record<string, Handler>>;
  llm?: FakeLlmOptions;
}

/**
 * The first scenario of pipeline.test.ts: the off-by-one code passes two UTs whose expected values the "model"
 * gets wrong (a spuriously coupled pair); the coupling break regenerates the UT with the lowest pUT, the
 * off-by-one code ends with pCode 0 and code cleaning replaces it with a correct one.
 */
export const COUPLED: WorldOptions = {
  stage1Codes: [CODE.offByOne, CODE.correctA, CODE.correctB, CODE.correctC],
  stage1Inputs: calls(0, 3, 4, 2),
  wrongExpected: { 'sum_to(3)': '3', 'sum_to(4)': '6' },
  regenInputs: calls(5, 6, 7, 8, 9, 10),
  cleanCodes: [CODE.correctD],
  stage3Inputs: calls(11, 12, 13),
};

/** The sizes the world's scenarios run at: four codes and tests, up to five rounds, 3-of-4 self-consistency. */
export const WORLD_PARAMS: Partial<CosplayParams> = {
  nCodes: 4,
  nTests: 4,
  maxRounds: 5,
  nRandomInputs: 4,
  scSamples: 4,
  scMinAgree: 3,
  scMaxAttempts: 2,
};

/** A fake LLM for the sum_to world. Hints, plans and attack are declined unless handlers are given. */
export function world(o: WorldOptions): FakeLlm {
  const codes1 = cursor(o.stage1Codes);
  const clean = cursor(o.cleanCodes ?? []);
  const in1 = cursor(o.stage1Inputs);
  const regen = cursor(o.regenInputs ?? []);
  const in3 = cursor(o.stage3Inputs ?? []);
  const handlers: Record<string, Handler> = {
    'stage1.code': (r) => codes1(r.n ?? 1).map((c) => codeReply(c)),
    'stage2.code': (r) => clean(r.n ?? 1).map((c) => codeReply(c)),
    'stage1.ut-input': (r) => [jsonReply({ inputs: in1(metaCount(r)) })],
    'stage2.ut-input': (r) => {
      const x = regen(metaCount(r));
      return x.length ? [jsonReply({ ideas: x.map(() => 'a larger n'), inputs: x })] : [];
    },
    'ut-output': (r) => {
      const input = metaInput(r);
      const wrong = r.stage === 'stage1' ? o.wrongExpected?.[input] : undefined;
      const v = wrong ?? String(truth(parseCall(input).args[0] as number));
      return Array.from({ length: r.n ?? 1 }, () => `The answer is:\n${jsonReply({ expected: v })}`);
    },
    fix: (r) => {
      const old = codeInFixPrompt(r);
      const f = old ? o.fixes?.[old] : undefined;
      return f ? [codeReply(f)] : [];
    },
    inputs: (r) => [jsonReply({ inputs: in3(metaCount(r)) })],
    generator: () => (o.validator === null ? [] : [codeReply(o.validator ?? CODE.validator)]),
    ...(o.handlers as Record<string, Handler>),
  };
  return new FakeLlm(handlers, o.llm);
}
