// A local fake of the GitHub REST endpoints the action uses, over real HTTP on 127.0.0.1, with in-memory
// state (repositories, issues, comments, pull requests, collaborator permissions, labels), injectable
// failures, and a record of every request for assertions. Point GITHUB_API_URL (or the client's baseUrl) at
// `fake.url`. Behaviour follows the REST API docs closely where the action depends on it: issue and pull
// request numbers share one sequence, `GET /pulls?head=` expects `owner:branch` (without an owner GitHub does
// not filter), comments paginate with Link headers, errors carry `message` and `documentation_url`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateGitHubRequest } from './github-openapi.js';

export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface FakeUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  headOwner: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  user: FakeUser;
  /** Head commit (set by tests that need it). */
  headSha?: string;
  /** Files the pull request changes (for GET /pulls/{n}/files). */
  files?: Array<{ filename: string; status: string; previous_filename?: string }>;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  user: FakeUser;
  state: 'open' | 'closed';
}

export interface FakeLabel {
  name: string;
  color: string;
  description: string;
}

export interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  issues: Map<number, FakeIssue>;
  pulls: Map<number, FakePull>;
  comments: FakeComment[];
  roles: Map<string, Role>;
  labels: Map<string, FakeLabel>;
  nextNumber: number;
  /** false: creating a pull request fails like a repository whose Actions may not create pull requests. */
  actionsMayCreatePullRequests: boolean;
  /** How the refusal looks: GitHub has answered both 403 and 422 over time. */
  refusalStatus: 403 | 422;
  /** false: creating a draft fails with 422 "Draft pull requests are not supported in this repository." */
  draftsSupported: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface InjectedFailure {
  method?: string;
  /** Exact pathname or a pattern. */
  path: string | RegExp;
  status: number;
  message?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface FakeGitHubOptions {
  /** The token the fake accepts (default `test-token`). */
  token?: string;
  /** Who the token acts as (comments and pull requests are authored by it). */
  tokenUser?: FakeUser;
}

const DOCS = 'https://docs.github.com/rest';

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /**
   * Requests that GitHub's OpenAPI description rejects (answered 422). close() fails when there are any, so
   * a test cannot pass on a request that GitHub would refuse.
   */
  readonly violations: string[] = [];
  readonly repos = new Map<string, FakeRepo>();
  private failures: Array<InjectedFailure & { left: number }> = [];
  private nextCommentId = 1000;
  private server!: Server;
  url = '';
  readonly token: string;
  readonly tokenUser: FakeUser;

  private constructor(options: FakeGitHubOptions) {
    this.token = options.token ?? 'test-token';
    this.tokenUser = options.tokenUser ?? { login: 'github-actions[bot]', type: 'Bot' };
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const fake = new FakeGitHub(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake-github crashed: ${String(err)}` }));
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.violations.length > 0)
      throw new Error(
        `the fake GitHub received ${this.violations.length} request(s) that GitHub's OpenAPI description rejects:\n` +
          this.violations.map((v) => `  - ${v}`).join('\n'),
      );
  }

  // ----- state set-up ---------------------------------------------------------------------------------

  addRepo(fullName: string, options: Partial<Pick<FakeRepo, 'defaultBranch' | 'private'>> = {}): FakeRepo {
    const [owner, name] = fullName.split('/') as [string, string];
    const repo: FakeRepo = {
      owner,
      name,
      defaultBranch: options.defaultBranch ?? 'main',
      private: options.private ?? false,
      issues: new Map(),
      pulls: new Map(),
      comments: [],
      roles: new Map([[owner, 'admin']]),
      labels: new Map(),
      nextNumber: 1,
      actionsMayCreatePullRequests: true,
      refusalStatus: 403,
      draftsSupported: true,
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  repo(fullName: string): FakeRepo {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`fake-github: no repository ${fullName}`);
    return r;
  }

  addIssue(
    fullName: string,
    issue: { title?: string; body?: string; labels?: string[]; user?: string },
  ): number {
    const repo = this.repo(fullName);
    const number = repo.nextNumber++;
    repo.issues.set(number, {
      number,
      title: issue.title ?? `Issue ${number}`,
      body: issue.body ?? '',
      labels: issue.labels ?? [],
      user: { login: issue.user ?? 'someone', type: 'User' },
      state: 'open',
    });
    return number;
  }

  /** Adds a pull request directly (as if a person opened it). */
  addPull(fullName: string, pull: Partial<FakePull> & { head: string; base?: string }): FakePull {
    const repo = this.repo(fullName);
    const number = repo.nextNumber++;
    const p: FakePull = {
      number,
      title: pull.title ?? `PR ${number}`,
      body: pull.body ?? '',
      head: pull.head,
      headOwner: pull.headOwner ?? repo.owner,
      base: pull.base ?? repo.defaultBranch,
      draft: pull.draft ?? false,
      state: pull.state ?? 'open',
      user: pull.user ?? { login: 'someone', type: 'User' },
      ...(pull.headSha ? { headSha: pull.headSha } : {}),
      ...(pull.files ? { files: pull.files } : {}),
    };
    repo.pulls.set(number, p);
    return p;
  }

  addComment(fullName: string, issueNumber: number, body: string, user: FakeUser): FakeComment {
    const repo = this.repo(fullName);
    const now = new Date().toISOString();
    const c: FakeComment = {
      id: this.nextCommentId++,
      issueNumber,
      body,
      user,
      createdAt: now,
      updatedAt: now,
    };
    repo.comments.push(c);
    return c;
  }

  setRole(fullName: string, login: string, role: Role): void {
    this.repo(fullName).roles.set(login, role);
  }

  comments(fullName: string, issueNumber: number): FakeComment[] {
    return this.repo(fullName).comments.filter((c) => c.issueNumber === issueNumber);
  }

  pulls(fullName: string): FakePull[] {
    return [...this.repo(fullName).pulls.values()];
  }

  /** Makes the next matching request(s) fail. */
  failNext(failure: InjectedFailure): void {
    this.failures.push({ ...failure, left: failure.times ?? 1 });
  }

  requestsTo(method: string, pathPattern: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === method &&
        (typeof pathPattern === 'string' ? r.path === pathPattern : pathPattern.test(r.path)),
    );
  }

  // ----- HTTP -----------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const path = decodeURIComponent(url.pathname);
    this.requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      headers: { ...req.headers },
    });

    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(status === 204 ? undefined : JSON.stringify(data));
    };
    const problems = validateGitHubRequest({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
    });
    if (problems.length > 0) {
      this.violations.push(...problems);
      send(422, {
        message: `This request does not match GitHub's OpenAPI description: ${problems.join('; ')}`,
        documentation_url: DOCS,
        status: '422',
      });
      return;
    }
    try {
      const auth = req.headers.authorization ?? '';
      const m = /^(?:token|bearer)\s+(.+)$/i.exec(auth);
      if (!m || m[1] !== this.token) throw new HttpFailure(401, 'Bad credentials');
      const failure = this.failures.find(
        (f) =>
          f.left > 0 &&
          (!f.method || f.method === method) &&
          (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
      );
      if (failure) {
        failure.left--;
        const data = failure.body ?? {
          message: failure.message ?? 'Injected failure',
          documentation_url: DOCS,
          status: String(failure.status),
        };
        send(failure.status, data, failure.headers);
        return;
      }
      const [status, data, headers] = this.route(
        method,
        path,
        url.searchParams,
        body as Record<string, unknown>,
      );
      send(status, data, headers);
    } catch (err) {
      if (err instanceof HttpFailure) {
        send(
          err.status,
          { message: err.message, documentation_url: DOCS, status: String(err.status), ...err.extra },
          err.headers,
        );
      } else throw err;
    }
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown> | undefined,
  ): [number, unknown, Record<string, string>?] {
    let m: RegExpExecArray | null;
    const repoOf = (owner: string, name: string) => {
      const r = this.repos.get(`${owner}/${name}`.toLowerCase());
      if (!r) throw new HttpFailure(404, 'Not Found');
      return r;
    };
    const b = body ?? {};

    if ((m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path)) && method === 'GET') {
      const r = repoOf(m[1]!, m[2]!);
      return [200, this.repoJson(r)];
    }
    if (
      (m = /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/.exec(path)) &&
      method === 'GET'
    ) {
      const r = repoOf(m[1]!, m[2]!);
      const role = r.roles.get(m[3]!);
      if (role === undefined) throw new HttpFailure(404, `${m[3]} is not a user`);
      const permission = {
        admin: 'admin',
        maintain: 'write',
        write: 'write',
        triage: 'read',
        read: 'read',
        none: 'none',
      }[role];
      return [200, { permission, role_name: role, user: { login: m[3], type: 'User' } }];
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(path)) && method === 'GET') {
      const r = repoOf(m[1]!, m[2]!);
      const n = Number(m[3]);
      const issue = r.issues.get(n);
      if (issue) return [200, this.issueJson(r, issue)];
      const pull = r.pulls.get(n);
      if (pull)
        return [
          200,
          {
            ...this.pullJson(r, pull),
            pull_request: { url: `${this.url}/repos/${r.owner}/${r.name}/pulls/${n}` },
          },
        ];
      throw new HttpFailure(404, 'Not Found');
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path))) {
      const r = repoOf(m[1]!, m[2]!);
      const n = Number(m[3]);
      if (!r.issues.has(n) && !r.pulls.has(n)) throw new HttpFailure(404, 'Not Found');
      if (method === 'GET') {
        const all = r.comments.filter((c) => c.issueNumber === n);
        return this.paginate(
          all.map((c) => this.commentJson(r, c)),
          query,
          path,
        );
      }
      if (method === 'POST') {
        if (typeof b.body !== 'string' || b.body === '')
          throw validation('IssueComment', 'body', 'missing_field');
        if (b.body.length > 65536)
          throw validation(
            'IssueComment',
            'body',
            'custom',
            'Body is too long (maximum is 65536 characters)',
          );
        const c = this.addComment(`${r.owner}/${r.name}`, n, b.body, this.tokenUser);
        return [201, this.commentJson(r, c)];
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path))) {
      const r = repoOf(m[1]!, m[2]!);
      const c = r.comments.find((x) => x.id === Number(m![3]));
      if (!c) throw new HttpFailure(404, 'Not Found');
      if (method === 'GET') return [200, this.commentJson(r, c)];
      if (method === 'PATCH') {
        if (typeof b.body !== 'string' || b.body === '')
          throw validation('IssueComment', 'body', 'missing_field');
        if (b.body.length > 65536)
          throw validation(
            'IssueComment',
            'body',
            'custom',
            'Body is too long (maximum is 65536 characters)',
          );
        c.body = b.body;
        c.updatedAt = new Date().toISOString();
        return [200, this.commentJson(r, c)];
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(path))) {
      const r = repoOf(m[1]!, m[2]!);
      if (method === 'GET') {
        const state = query.get('state') ?? 'open';
        const head = query.get('head');
        let all = [...r.pulls.values()].filter((p) => state === 'all' || p.state === state);
        if (head && head.includes(':')) {
          const [owner, ref] = [head.slice(0, head.indexOf(':')), head.slice(head.indexOf(':') + 1)];
          all = all.filter((p) => p.headOwner.toLowerCase() === owner.toLowerCase() && p.head === ref);
        }
        const base = query.get('base');
        if (base) all = all.filter((p) => p.base === base);
        return this.paginate(
          all.map((p) => this.pullJson(r, p)),
          query,
          path,
        );
      }
      if (method === 'POST') {
        if (!r.actionsMayCreatePullRequests && this.tokenUser.login === 'github-actions[bot]') {
          if (r.refusalStatus === 422)
            throw new HttpFailure(422, 'Validation Failed', {
              errors: [
                {
                  resource: 'PullRequest',
                  code: 'custom',
                  message: 'GitHub Actions is not permitted to create or approve pull requests.',
                },
              ],
            });
          throw new HttpFailure(403, 'GitHub Actions is not permitted to create or approve pull requests.');
        }
        const headSpec = String(b.head ?? '');
        const [headOwner, head] = headSpec.includes(':')
          ? [headSpec.split(':')[0]!, headSpec.split(':').slice(1).join(':')]
          : [r.owner, headSpec];
        const base = String(b.base ?? '');
        if (!head || !base || typeof b.title !== 'string' || b.title === '')
          throw validation('PullRequest', !head ? 'head' : !base ? 'base' : 'title', 'missing_field');
        if (b.draft === true && !r.draftsSupported)
          throw new HttpFailure(422, 'Draft pull requests are not supported in this repository.');
        const existing = [...r.pulls.values()].find(
          (p) => p.state === 'open' && p.head === head && p.headOwner === headOwner && p.base === base,
        );
        if (existing)
          throw validation(
            'PullRequest',
            undefined,
            'custom',
            `A pull request already exists for ${headOwner}:${head}.`,
          );
        const number = r.nextNumber++;
        const pull: FakePull = {
          number,
          title: b.title,
          body: typeof b.body === 'string' ? b.body : '',
          head,
          headOwner,
          base,
          draft: b.draft === true,
          state: 'open',
          user: this.tokenUser,
        };
        r.pulls.set(number, pull);
        return [201, this.pullJson(r, pull)];
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(path))) {
      const r = repoOf(m[1]!, m[2]!);
      const p = r.pulls.get(Number(m[3]));
      if (!p) throw new HttpFailure(404, 'Not Found');
      if (method === 'GET') return [200, this.pullJson(r, p)];
      if (method === 'PATCH') {
        if (typeof b.title === 'string') p.title = b.title;
        if (typeof b.body === 'string') p.body = b.body;
        if (typeof b.base === 'string') p.base = b.base;
        if (b.state === 'open' || b.state === 'closed') p.state = b.state;
        return [200, this.pullJson(r, p)];
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/.exec(path)) && method === 'GET') {
      const r = repoOf(m[1]!, m[2]!);
      const p = r.pulls.get(Number(m[3]));
      if (!p) throw new HttpFailure(404, 'Not Found');
      return this.paginate(p.files ?? [], query, path);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/.exec(path))) {
      const r = repoOf(m[1]!, m[2]!);
      const target =
        r.issues.get(Number(m[3])) ??
        (r.pulls.get(Number(m[3])) as unknown as FakeIssue & { labels?: string[] });
      if (!target) throw new HttpFailure(404, 'Not Found');
      target.labels ??= [];
      if (method === 'GET') return [200, target.labels.map((l) => this.labelJson(r, l))];
      if (method === 'POST') {
        const names = Array.isArray(b.labels) ? (b.labels as unknown[]).map(String) : [];
        for (const name of names) {
          if (!r.labels.has(name.toLowerCase()))
            r.labels.set(name.toLowerCase(), { name, color: 'ededed', description: '' });
          if (!target.labels.some((l) => l.toLowerCase() === name.toLowerCase())) target.labels.push(name);
        }
        return [200, target.labels.map((l) => this.labelJson(r, l))];
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels\/(.+)$/.exec(path)) && method === 'DELETE') {
      const r = repoOf(m[1]!, m[2]!);
      const target =
        r.issues.get(Number(m[3])) ??
        (r.pulls.get(Number(m[3])) as unknown as FakeIssue & { labels?: string[] });
      if (!target) throw new HttpFailure(404, 'Not Found');
      target.labels ??= [];
      const i = target.labels.findIndex((l) => l.toLowerCase() === m![4]!.toLowerCase());
      if (i === -1) throw new HttpFailure(404, 'Label does not exist');
      target.labels.splice(i, 1);
      return [200, target.labels.map((l) => this.labelJson(r, l))];
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/labels$/.exec(path)) && method === 'POST') {
      const r = repoOf(m[1]!, m[2]!);
      const name = String(b.name ?? '');
      if (r.labels.has(name.toLowerCase())) throw validation('Label', 'name', 'already_exists');
      const label = { name, color: String(b.color ?? 'ededed'), description: String(b.description ?? '') };
      r.labels.set(name.toLowerCase(), label);
      return [201, this.labelJson(r, name)];
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/labels\/(.+)$/.exec(path)) && method === 'GET') {
      const r = repoOf(m[1]!, m[2]!);
      if (!r.labels.has(m[3]!.toLowerCase())) throw new HttpFailure(404, 'Not Found');
      return [200, this.labelJson(r, m[3]!)];
    }
    throw new HttpFailure(404, `fake-github: no route for ${method} ${path}`);
  }

  private paginate(
    items: unknown[],
    query: URLSearchParams,
    path: string,
  ): [number, unknown, Record<string, string>] {
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30)));
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    const last = Math.max(1, Math.ceil(items.length / perPage));
    if (page < last) {
      const next = new URLSearchParams(query);
      next.set('page', String(page + 1));
      next.set('per_page', String(perPage));
      headers.link = `<${this.url}${path}?${next}>; rel="next", <${this.url}${path}?page=${last}&per_page=${perPage}>; rel="last"`;
    }
    return [200, slice, headers];
  }

  private repoJson(r: FakeRepo) {
    return {
      name: r.name,
      full_name: `${r.owner}/${r.name}`,
      owner: { login: r.owner, type: 'User' },
      private: r.private,
      default_branch: r.defaultBranch,
      html_url: `https://github.com/${r.owner}/${r.name}`,
    };
  }

  private issueJson(r: FakeRepo, i: FakeIssue) {
    return {
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      user: i.user,
      labels: i.labels.map((l) => this.labelJson(r, l)),
      html_url: `https://github.com/${r.owner}/${r.name}/issues/${i.number}`,
    };
  }

  private pullJson(r: FakeRepo, p: FakePull) {
    return {
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      draft: p.draft,
      user: p.user,
      html_url: `https://github.com/${r.owner}/${r.name}/pull/${p.number}`,
      head: {
        ref: p.head,
        sha: p.headSha ?? '0'.repeat(40),
        label: `${p.headOwner}:${p.head}`,
        repo: { full_name: `${p.headOwner}/${r.name}`, owner: { login: p.headOwner } },
      },
      base: { ref: p.base, label: `${r.owner}:${p.base}`, repo: { full_name: `${r.owner}/${r.name}` } },
      labels: ((p as unknown as { labels?: string[] }).labels ?? []).map((l) => this.labelJson(r, l)),
    };
  }

  private commentJson(r: FakeRepo, c: FakeComment) {
    return {
      id: c.id,
      body: c.body,
      user: c.user,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      html_url: `https://github.com/${r.owner}/${r.name}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    };
  }

  private labelJson(r: FakeRepo, name: string) {
    const l = r.labels.get(name.toLowerCase()) ?? { name, color: 'ededed', description: '' };
    return { name: l.name, color: l.color, description: l.description };
  }
}

function validation(
  resource: string,
  field: string | undefined,
  code: string,
  message?: string,
): HttpFailure {
  return new HttpFailure(422, 'Validation Failed', {
    errors: [{ resource, field, code, ...(message ? { message } : {}) }],
  });
}
