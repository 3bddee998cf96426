import { describe, expect, it } from '@jest/globals';
import { makeRedactor, REDACTED } from '../../src/llm/redact.js';
import { backoffDelay, parseRetryAfter } from '../../src/llm/retry.js';
import {
  decodeMeta,
  encodeMeta,
  encodeTaskHeader,
  decodeTaskHeader,
  fence,
  parseStageHeader,
} from '../../src/llm/protocol.js';
import { fencedBlocks } from '../../src/llm/parse.js';

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('parseRetryAfter', () => {
  it('reads retry-after-ms first, then retry-after seconds', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(parseRetryAfter(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }))).toBe(500);
  });
  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(headers({}))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after-ms': '-5' }))).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles per retry with equal jitter and a cap', () => {
    expect(backoffDelay(0, 1000, 30000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 30000, () => 0.999999)).toBe(1000);
    expect(backoffDelay(3, 1000, 30000, () => 0)).toBe(4000);
    expect(backoffDelay(10, 1000, 30000, () => 0.999999)).toBe(30000);
    expect(backoffDelay(10, 1000, 30000, () => 0)).toBe(15000);
  });
});

describe('makeRedactor', () => {
  it('removes the key, secret env values and token-shaped strings', () => {
    const redact = makeRedactor(['my-secret-key-42'], {
      GITHUB_TOKEN: 'plain-token-value',
      HOME: '/home/me',
    });
    const text =
      'key my-secret-key-42 env plain-token-value ghp_ABCDEFGHIJKLMNOPQRSTUV ghs_abcdefghijklmnop1234 ' +
      'github_pat_11ABCDEFG0123456789_abcdef sk-proj-abcdefghijklmnop Authorization: Bearer eyJhbGciOi.J9abc /home/me';
    const out = redact(text);
    for (const secret of [
      'my-secret-key-42',
      'plain-token-value',
      'ghp_',
      'ghs_',
      'github_pat_',
      'sk-proj',
      'eyJhbGciOi',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(out).toContain('/home/me');
    expect(out).toContain('Bearer ' + REDACTED);
  });
  it('keeps ordinary prose and code intact', () => {
    const redact = makeRedactor([]);
    const text = 'def tokenize(s):\n    return s.split()  # basic approach, task-list';
    expect(redact(text)).toBe(text);
  });
});

describe('protocol helpers', () => {
  it('round-trips meta as base64url JSON', () => {
    const meta = { input: 'f([1, 2], "é\\n")', count: 4 };
    const enc = encodeMeta(meta);
    expect(enc).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeMeta(enc)).toEqual(meta);
    expect(decodeMeta('%%%')).toBeUndefined();
  });
  it('encodes non-ASCII task ids and splits stage headers', () => {
    expect(encodeTaskHeader('HumanEval/0')).toEqual({ 'x-cosplay-task': 'HumanEval/0' });
    const h = encodeTaskHeader('issue #4 – ünïcode');
    expect(h['x-cosplay-task-encoding']).toBe('uri');
    expect(decodeTaskHeader(h['x-cosplay-task'], 'uri')).toBe('issue #4 – ünïcode');
    expect(parseStageHeader('stage2.ut-output')).toEqual({ stage: 'stage2', purpose: 'ut-output' });
    expect(parseStageHeader(undefined)).toEqual({ stage: '', purpose: 'other' });
  });
  it('fences code that itself contains a fence', () => {
    const code = 'doc = """\n```\nexample\n```\n"""';
    const blocks = fencedBlocks(fence(code, 'python'));
    expect(blocks).toHaveLength(1);
    expect(blocks[0].body).toBe(code);
    expect(blocks[0].closed).toBe(true);
  });
});
