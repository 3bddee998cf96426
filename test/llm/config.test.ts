import { describe, expect, it } from '@jest/globals';
import { GITHUB_MODELS_BASE_URL, resolveLlmConfig } from '../../src/llm/config.js';
import { UserError } from '../../src/types.js';

describe('resolveLlmConfig', () => {
  it('defaults to GitHub Models with GITHUB_TOKEN as key', () => {
    const c = resolveLlmConfig({ env: { GITHUB_TOKEN: 'ghs_abcdefghijklmnop' } });
    expect(c.baseURL).toBe(GITHUB_MODELS_BASE_URL);
    expect(c.apiKey).toBe('ghs_abcdefghijklmnop');
    expect(c.model).toBe('openai/gpt-4.1-mini');
    expect(c.concurrency).toBe(2);
    expect(c.maxCompletionTokens).toBeGreaterThan(0);
    expect(c.budget).toEqual({ maxTokens: undefined, maxRequests: undefined, maxWallMs: undefined });
  });

  it('takes flags over inputs over OPENAI_* env', () => {
    const env = {
      OPENAI_BASE_URL: 'https://env.example/v1',
      OPENAI_API_KEY: 'env-key-123',
      OPENAI_MODEL: 'env-model',
    };
    expect(resolveLlmConfig({ env })).toMatchObject({
      baseURL: 'https://env.example/v1',
      apiKey: 'env-key-123',
      model: 'env-model',
    });
    const inputs = {
      baseURL: 'https://inputs.example/v1',
      model: 'inputs-model',
      maxTokens: '5000',
      temperature: '0.7',
    };
    expect(resolveLlmConfig({ inputs, env })).toMatchObject({
      baseURL: 'https://inputs.example/v1',
      apiKey: 'env-key-123',
      model: 'inputs-model',
      temperature: 0.7,
      budget: { maxTokens: 5000 },
    });
    const flags = { baseUrl: 'https://flags.example/v1/', model: 'flags-model', concurrency: 3 };
    expect(resolveLlmConfig({ flags, inputs, env })).toMatchObject({
      baseURL: 'https://flags.example/v1',
      model: 'flags-model',
      concurrency: 3,
      budget: { maxTokens: 5000 },
    });
  });

  it('treats empty action inputs as unset', () => {
    const c = resolveLlmConfig({
      inputs: { baseURL: '', model: '  ', maxTokens: '' },
      env: { GITHUB_TOKEN: 'ghs_abcdefghijkl' },
    });
    expect(c.baseURL).toBe(GITHUB_MODELS_BASE_URL);
    expect(c.budget.maxTokens).toBeUndefined();
  });

  it('says what to do when no key is found', () => {
    expect(() => resolveLlmConfig({ env: {} })).toThrow(UserError);
    expect(() => resolveLlmConfig({ env: {} })).toThrow(/permissions: models: read/);
    expect(() =>
      resolveLlmConfig({ flags: { baseURL: 'https://api.example.com/v1', model: 'm' }, env: {} }),
    ).toThrow(/OPENAI_API_KEY/);
  });

  it('needs no key for a local server but a model name', () => {
    const c = resolveLlmConfig({
      flags: { baseURL: 'http://127.0.0.1:11434/v1', model: 'qwen2.5-coder' },
      env: {},
    });
    expect(c.apiKey).toBeTruthy();
    expect(c.concurrency).toBe(4);
    expect(() => resolveLlmConfig({ flags: { baseURL: 'http://localhost:8000/v1' }, env: {} })).toThrow(
      /--model or OPENAI_MODEL/,
    );
  });

  it('does not send GITHUB_TOKEN to other endpoints', () => {
    expect(() =>
      resolveLlmConfig({
        flags: { baseURL: 'https://api.example.com/v1', model: 'm' },
        env: { GITHUB_TOKEN: 'ghs_abcdefghijkl' },
      }),
    ).toThrow(UserError);
  });

  it('rejects malformed values with the setting named', () => {
    const env = { OPENAI_API_KEY: 'k-123456' };
    expect(() => resolveLlmConfig({ flags: { temperature: 'hot' }, env })).toThrow(/temperature/);
    expect(() => resolveLlmConfig({ flags: { concurrency: '0' }, env })).toThrow(/concurrency/);
    expect(() => resolveLlmConfig({ flags: { maxRetries: '1.5' }, env })).toThrow(/max-retries/);
    expect(() => resolveLlmConfig({ flags: { baseURL: 'not a url' }, env })).toThrow(/base URL/);
    expect(() => resolveLlmConfig({ flags: { baseURL: 'ftp://x.example' }, env })).toThrow(/http/);
    expect(() => resolveLlmConfig({ flags: { nMode: 'sometimes' }, env })).toThrow(/n-mode/);
  });
});
