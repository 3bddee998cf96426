// Builds a run context and pools directly, for step-level tests of stage 2.
import { agreeFor } from '../../src/cosplay/agree.js';
import { Ctx } from '../../src/cosplay/context.js';
import { type CosplayParams, resolveParams } from '../../src/cosplay/params.js';
import { Pools, makeTest } from '../../src/cosplay/pool.js';
import type { Plan } from '../../src/cosplay/stage1.js';
import type { PlanCursor } from '../../src/cosplay/stage2.js';
import type { Decision, PoolUt } from '../../src/cosplay/types.js';
import type { Llm } from '../../src/types.js';
import type { FakeExecutor } from '../support/fake-executor.js';
import { TASK } from './world.js';

export interface UtSpec {
  input: string;
  expected?: string;
  trusted?: boolean;
}

export async function setup(args: {
  codes: string[];
  uts: UtSpec[];
  llm: Llm;
  exec: FakeExecutor;
  params?: Partial<CosplayParams>;
  plans?: string[];
  nextPlan?: number;
}) {
  const ctx = new Ctx(TASK, resolveParams(args.params), args.llm, args.exec, () => 0, agreeFor('function'));
  const pools = new Pools(ctx);
  pools.codes = args.codes.map((code) => ({ code: code + '\n', origin: 'plain', round: 0 }));
  pools.uts = args.uts.map((u): PoolUt => ({
    test: makeTest('function', u.input, u.expected),
    input: u.input,
    valid: u.expected !== undefined,
    origin: u.trusted ? 'trusted' : 'random',
    round: 0,
    attempts: 1,
  }));
  await pools.runAll();
  const plans: PlanCursor = {
    plans: (args.plans ?? []).map((text): Plan => ({ text, hints: [] })),
    next: args.nextPlan ?? 0,
    cycle: 0,
  };
  const decisions: Decision[] = [];
  const env = {
    ctx,
    pools,
    plans,
    round: 1,
    note: (d: Omit<Decision, 'round'>) => decisions.push({ round: 1, ...d }),
  };
  return { ctx, pools, plans, env, decisions };
}
