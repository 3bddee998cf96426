// Self-consistency on expected outputs: k samples per attempt, accept a majority of at least scMinAgree,
// retry up to scMaxAttempts attempts, never accepted = invalid.
import { describe, expect, test } from '@jest/globals';
import { agreeFor } from '../../src/cosplay/agree.js';
import { Ctx } from '../../src/cosplay/context.js';
import { resolveParams } from '../../src/cosplay/params.js';
import { selfConsistency } from '../../src/cosplay/stage1.js';
import { FakeLlm, jsonReply } from '../support/fake-llm.js';
import { FakeExecutor } from '../support/fake-executor.js';
import { TASK } from './world.js';

/** An LLM whose k-th ut-output request answers with the k-th list of expected values. */
function scripted(attempts: (string | null)[][]) {
  return new FakeLlm({
    'ut-output': (_r, i) =>
      (attempts[i] ?? []).map((v) =>
        v === null ? 'I cannot tell.' : `Reasoning...\n${jsonReply({ expected: v })}`,
      ),
  });
}

async function sc(attempts: (string | null)[][], params = {}) {
  const llm = scripted(attempts);
  const ctx = new Ctx(
    TASK,
    resolveParams({ scSamples: 4, scMinAgree: 3, scMaxAttempts: 5, ...params }),
    llm,
    new FakeExecutor(),
    () => 0,
    agreeFor('function'),
  );
  return { r: await selfConsistency(ctx, 'stage1', 'sum_to(3)', 0), llm };
}

describe('self-consistency', () => {
  test('3 of 4 agreeing samples are accepted at the first attempt, k samples asked per request', async () => {
    const { r, llm } = await sc([['6', '6', '5', '6']]);
    expect(r).toMatchObject({ expected: '6', attempts: 1 });
    expect(r.votes).toEqual([
      { answer: '6', count: 3 },
      { answer: '5', count: 1 },
    ]);
    expect(llm.calls[0].n).toBe(4);
    expect(llm.calls[0].meta).toEqual({ input: 'sum_to(3)' });
  });

  test('2 of 4 is not enough: retry, and the next attempt decides', async () => {
    const { r, llm } = await sc([
      ['6', '6', '5', '5'],
      ['6', '6', '6', '6'],
    ]);
    expect(r).toMatchObject({ expected: '6', attempts: 2 });
    expect(llm.calls).toHaveLength(2);
  });

  test('never accepted within scMaxAttempts attempts: invalid (null)', async () => {
    const { r, llm } = await sc(Array.from({ length: 9 }, () => ['1', '2', '3', '4']));
    expect(r).toMatchObject({ expected: null, attempts: 5 });
    expect(llm.calls).toHaveLength(5);
  });

  test('unparseable or declined samples do not count', async () => {
    const { r } = await sc([
      ['6', '6', null, null],
      ['6', '6'],
      ['6', '6', '6'],
    ]);
    expect(r).toMatchObject({ expected: '6', attempts: 3 });
  });

  test('votes of different attempts are not pooled', async () => {
    const { r } = await sc([['6', '6', '1', '2'], ['6', '3', '4', '5'], []], { scMaxAttempts: 3 });
    expect(r.expected).toBeNull();
  });

  test('answers equal up to whitespace outside string literals vote together', async () => {
    const { r } = await sc([['[1, 2]', '[1,2]', ' [1 ,2] ', "['a b']"]]);
    expect(r.expected).toBe('[1, 2]');
    const { r: s } = await sc([["'a b'", "'ab'", "'a  b'", "'a b'"]]);
    expect(s.expected).toBeNull();
  });

  test('a tie for the majority is not accepted even when it reaches scMinAgree', async () => {
    const { r } = await sc([['1', '1', '2', '2']], { scMinAgree: 2, scMaxAttempts: 1 });
    expect(r.expected).toBeNull();
  });

  test('k = 1 (the replay preset) accepts the single sample', async () => {
    const { r } = await sc([['7']], { scSamples: 1, scMinAgree: 1, scMaxAttempts: 1 });
    expect(r.expected).toBe('7');
  });

  test('non-string expected values become literals of the task language', async () => {
    const llm = new FakeLlm({
      'ut-output': () => [jsonReply({ expected: true }), jsonReply({ expected: true })],
    });
    const ctx = new Ctx(
      TASK,
      resolveParams({ scSamples: 2, scMinAgree: 2, scMaxAttempts: 1 }),
      llm,
      new FakeExecutor(),
      () => 0,
      agreeFor('function'),
    );
    expect((await selfConsistency(ctx, 'stage1', 'f(1)', 0)).expected).toBe('True');
  });
});
