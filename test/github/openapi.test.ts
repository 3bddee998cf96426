// The fake GitHub's requests are checked against GitHub's OpenAPI description (test/support/github-openapi.ts):
// a request that GitHub would reject is caught, and the requests the action really sends pass.
import { afterEach, describe, expect, it } from '@jest/globals';
import { validateGitHubRequest } from '../support/github-openapi.js';
import { FakeGitHub } from '../support/fake-github.js';

const pr = (body: unknown) => ({ method: 'POST', path: '/repos/o/r/pulls', query: {}, body });

describe("GitHub's OpenAPI description", () => {
  it('accepts well-formed requests', () => {
    expect(
      validateGitHubRequest(
        pr({ title: 't', head: 'cosplay/issue-1', base: 'main', body: 'b', draft: true }),
      ),
    ).toEqual([]);
    expect(
      validateGitHubRequest({
        method: 'GET',
        path: '/repos/o/r/pulls',
        query: { head: 'o:b', state: 'open', per_page: '100' },
        body: undefined,
      }),
    ).toEqual([]);
    expect(
      validateGitHubRequest({
        method: 'POST',
        path: '/repos/o/r/issues/3/comments',
        query: {},
        body: { body: 'hi' },
      }),
    ).toEqual([]);
  });

  it.each([
    [
      'draft as a string',
      pr({ title: 't', head: 'h', base: 'main', draft: 'true' }),
      /draft must be boolean/,
    ],
    [
      'a field GitHub does not know',
      pr({ title: 't', head: 'h', base: 'main', drafts: true }),
      /additional properties: drafts/,
    ],
    ['a missing head', pr({ title: 't', base: 'main' }), /must have required property 'head'/],
    ['no body at all', pr(undefined), /the request body is required/],
    [
      'a wrong type of path parameter',
      { method: 'GET', path: '/repos/o/r/issues/abc', query: {}, body: undefined },
      /issue_number="abc" must be an integer/,
    ],
    [
      'an unknown query parameter',
      { method: 'GET', path: '/repos/o/r/pulls', query: { branch: 'x' }, body: undefined },
      /query parameter branch is not a parameter/,
    ],
    [
      'a bad enum value',
      { method: 'GET', path: '/repos/o/r/pulls', query: { state: 'opened' }, body: undefined },
      /state="opened" must be one of/,
    ],
    [
      'a path that does not exist',
      { method: 'GET', path: '/repos/o/r/pull/1', query: {}, body: undefined },
      /no such path/,
    ],
    [
      'a method the path lacks',
      { method: 'DELETE', path: '/repos/o/r/pulls', query: {}, body: undefined },
      /has no DELETE operation/,
    ],
  ])('rejects %s', (_what, request, why) => {
    expect(validateGitHubRequest(request).join('\n')).toMatch(why);
  });
});

describe('the fake GitHub', () => {
  let fake: FakeGitHub | undefined;
  afterEach(async () => {
    await fake?.close().catch(() => undefined);
  });

  it('answers a request GitHub would reject with 422 and fails the test that sent it when it closes', async () => {
    fake = await FakeGitHub.start();
    fake.addRepo('o/r');
    const res = await fetch(`${fake.url}/repos/o/r/pulls`, {
      method: 'POST',
      headers: { authorization: `token ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 't', head: 'h', base: 'main', draft: 'yes' }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(/OpenAPI.*draft must be boolean/s);
    expect(fake.violations).toHaveLength(1);
    await expect(fake.close()).rejects.toThrow(/GitHub's OpenAPI description[\s\S]*draft must be boolean/);
    fake = undefined;
  });
});
