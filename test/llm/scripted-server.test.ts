import { describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { countPromptTokens, countTextTokens } from '../../src/llm/tokens.js';
import { codeReply, startScriptedServer } from '../support/scripted-server.js';

describe('scripted server', () => {
  it('talks to the real openai client and records headers and body', async () => {
    const server = await startScriptedServer({ script: () => codeReply('y = 2'), latencyMs: () => 1 });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
    const reply = await client.chat.completions.create(
      { model: 'm1', messages: [{ role: 'user', content: 'hi' }], n: 2, max_completion_tokens: 10 },
      { headers: { 'x-cosplay-stage': 'stage3.inputs', 'x-cosplay-task': 'T' } },
    );
    expect(reply.choices.map((c) => c.message.content)).toEqual([codeReply('y = 2'), codeReply('y = 2')]);
    expect(reply.model).toBe('m1');
    expect(reply.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(server.requests[0]).toMatchObject({
      stage: 'stage3',
      purpose: 'inputs',
      task: 'T',
      n: 2,
      status: 200,
    });
    expect(server.requests[0].body).toMatchObject({ model: 'm1', max_completion_tokens: 10 });
    expect(server.requestsFor('stage3.inputs')).toHaveLength(1);
    server.clear();
    expect(server.requests).toHaveLength(0);
    await server.close();
  });

  it('matches faults with a predicate and reports pending uses; closes with a request hanging', async () => {
    const server = await startScriptedServer({ script: { '*': 'ok' } });
    server.addFault({
      fault: { type: 'status', status: 418, headers: { 'x-extra': 'tea' } },
      when: (r) => r.task === 'B',
    });
    server.addFault({ fault: 'hang', when: { task: 'C' }, times: Infinity });
    expect(server.pendingFaults()).toBe(Infinity);
    const post = (task: string) =>
      fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'x-cosplay-stage': 'stage1.code', 'x-cosplay-task': task },
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
    expect((await post('A')).status).toBe(200);
    const teapot = await post('B');
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('x-extra')).toBe('tea');
    const hanging = post('C').then(
      () => 'answered',
      (e: Error) => e.name,
    );
    while (server.requests.length < 3) await new Promise((r) => setTimeout(r, 5));
    await server.close();
    expect(await hanging).toBe('TypeError'); // fetch failed: the connection was cut
    expect(server.requests.map((r) => r.fault ?? 'none')).toEqual(['none', 'status', 'hang']);
  });
});

describe('token counting', () => {
  it('uses the o200k tokenizer, special-token text included', async () => {
    expect(await countTextTokens('hello')).toBe(1);
    expect(await countTextTokens('')).toBe(0);
    expect(await countTextTokens('a <|endoftext|> b')).toBeGreaterThan(2);
    expect(await countPromptTokens([{ role: 'user', content: 'hello' }])).toBeGreaterThan(3);
  });
});
