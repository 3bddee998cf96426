// Test support for the gate and repair modes: a scripted LLM "world" (candidate codes, UT inputs, an oracle for
// expected outputs, fresh stage-3 inputs), a temp git repository with a bare origin built from a fixture, and
// a ModeContext wired to the real executor, the scripted server and the fake GitHub API.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGitHubClient } from '../../src/github/index.js';
import { createLlm } from '../../src/llm/index.js';
import { checkSandbox, createExecutor } from '../../src/exec/index.js';
import type { ActionInputs, ModeContext } from '../../src/modes/types.js';
import { afterAll, beforeAll } from '@jest/globals';
import type { LocalRunIo } from '../../src/commands/local-run.js';
import {
  codeReply,
  jsonReply,
  startScriptedServer,
  type ScriptContext,
  type ScriptedServer,
  type ScriptFn,
  testLlmConfig,
} from '../support/scripted-server.js';
import type { FakeGitHub } from '../support/fake-github.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export interface World {
  language: 'python' | 'javascript' | 'typescript';
  /** Candidate programs the LLM writes, handed out in order (cycling). */
  codes: string[];
  /** UT inputs (call expressions), handed out in order without repeats. */
  utInputs: string[];
  /** Stage-3 inputs. */
  freshInputs: string[];
  /** The expected value of a call as a literal of the language, or undefined to decline. */
  oracle(call: string): string | undefined;
}

/** A script answering the CoSPlay protocol from a world; hints, plans, attacks, fixes and validators are declined. */
export function worldScript(world: World): ScriptFn {
  let code = 0;
  let ut = 0;
  let fresh = 0;
  return (ctx: ScriptContext) => {
    const count = Math.max(1, Number(ctx.meta?.count ?? 1));
    switch (ctx.purpose) {
      case 'code': {
        const out: string[] = [];
        for (let k = 0; k < ctx.n; k++)
          out.push(codeReply(world.codes[code++ % world.codes.length]!, world.language));
        return out;
      }
      case 'ut-input': {
        const inputs = world.utInputs.slice(ut, ut + count);
        ut += inputs.length;
        if (inputs.length === 0) return null;
        return jsonReply({ ideas: inputs.map((i) => `check ${i}`), inputs });
      }
      case 'inputs': {
        const inputs = world.freshInputs.slice(fresh, fresh + count);
        fresh += inputs.length;
        return inputs.length === 0 ? null : jsonReply({ inputs });
      }
      case 'ut-output': {
        const exp = world.oracle(String(ctx.meta?.input ?? ''));
        return exp === undefined ? null : Array.from({ length: ctx.n }, () => jsonReply({ expected: exp }));
      }
      default:
        return null;
    }
  };
}

/** The arguments of a call expression `f(a, b)` with JSON-compatible literals. */
export function callArgs(call: string): unknown[] {
  const inner = call.slice(call.indexOf('(') + 1, call.lastIndexOf(')'));
  return JSON.parse(`[${inner}]`) as unknown[];
}

export function sh(cwd: string, cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface TempRepo {
  root: string;
  work: string;
  bare: string;
  git(...args: string[]): string;
  write(rel: string, content: string): void;
  commitAll(message: string): string;
  cleanup(): void;
}

/**
 * A git repository holding a copy of a fixture (a folder of test/fixtures, or an absolute path: a fetched
 * package, copied into the folder `into`), committed on `main` and pushed to a bare origin.
 */
export function repoFromFixture(fixture: string, into = ''): TempRepo {
  const root = mkdtempSync(path.join(tmpdir(), 'cosplay-gate-'));
  const bare = path.join(root, 'origin.git');
  const work = path.join(root, 'work');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  cpSync(path.isAbsolute(fixture) ? fixture : path.join(FIXTURES, fixture), path.join(work, into), {
    recursive: true,
  });
  const git = (...args: string[]) => sh(work, 'git', ...args);
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', 'Fixture');
  git('config', 'user.email', 'fixture@example.com');
  git('config', 'commit.gpgsign', 'false');
  git('remote', 'add', 'origin', bare);
  const repo: TempRepo = {
    root,
    work,
    bare,
    git,
    write: (rel, content) => writeFileSync(path.join(work, rel), content),
    commitAll: (message) => {
      git('add', '-A');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  repo.commitAll('fixture');
  git('push', '--quiet', 'origin', 'main');
  return repo;
}

export const DEFAULT_INPUTS: ActionInputs = {
  mode: 'auto',
  githubToken: 'test-token',
  baseUrl: 'http://127.0.0.1:1/v1',
  apiKey: 'sk-test',
  model: 'scripted',
  triggerLabel: 'cosplay',
  preset: 'small',
  bonRule: 'pass-count',
  codes: 4,
  tests: 4,
  rounds: 1,
  maxTokens: 1_000_000,
  maxRequests: 500,
  maxMinutes: 10,
  concurrency: 4,
  sandbox: 'bwrap',
  draft: true,
  testFramework: 'auto',
  allowedPaths: ['**'],
  allowedBots: [],
  gateMinSupport: 0.75,
  testCommand: '',
  groupRepairs: false,
};

let sandboxMode: Promise<'bwrap' | 'none'> | undefined;
/** bwrap when it works here, else none (the tests then run the candidates unsandboxed, as the CI sandbox job does not). */
export function sandboxForTests(): Promise<'bwrap' | 'none'> {
  sandboxMode ??= checkSandbox().then((c) => (c.ok ? 'bwrap' : 'none'));
  return sandboxMode;
}

export interface TestContext extends ModeContext {
  logs: string[];
}

export async function modeContext(options: {
  workspace: string;
  fake: FakeGitHub;
  llmUrl: string;
  eventName: string;
  event: Record<string, unknown>;
  inputs?: Partial<ActionInputs>;
  tracePath?: string;
}): Promise<TestContext> {
  const sandbox = await sandboxForTests();
  const logs: string[] = [];
  const inputs: ActionInputs = { ...DEFAULT_INPUTS, sandbox, ...options.inputs };
  return {
    inputs,
    workspace: options.workspace,
    repo: { owner: 'octo', repo: 'demo' },
    eventName: options.eventName,
    event: options.event,
    actor: 'octocat',
    gh: createGitHubClient({
      token: options.fake.token,
      baseUrl: options.fake.url,
      throttle: false,
      retries: 0,
    }),
    createLlm: () =>
      createLlm(
        testLlmConfig({ url: options.llmUrl }, options.tracePath ? { tracePath: options.tracePath } : {}),
      ),
    createExecutor: () => createExecutor({ sandbox, workers: 2 }),
    tracePath: options.tracePath ?? '',
    runUrl: 'https://github.com/octo/demo/actions/runs/1',
    log: {
      info: (m) => logs.push(`info: ${m}`),
      warning: (m) => logs.push(`warning: ${m}`),
      error: (m) => logs.push(`error: ${m}`),
    },
    logs,
  };
}

/**
 * A scripted LLM server for a test file's local commands (`cosplay solve`, `gate`, `repair`): `local()` gives
 * the flags and the io that point a command at it, with the sandbox these tests use.
 */
export function useLocalLlm() {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await server.close();
  });
  return {
    get server(): ScriptedServer {
      return server;
    },
    async local(lines: string[] = []) {
      const io: LocalRunIo = {
        out: (l) => lines.push(l),
        err: () => undefined,
        env: { OPENAI_API_KEY: 'sk-test-0123456789abcdef' },
        llmOverrides: testLlmConfig(server),
        executorOptions: { workers: 2 },
      };
      const flags = { baseUrl: server.url, model: 'scripted', rounds: '1', sandbox: await sandboxForTests() };
      return { flags, io };
    },
  };
}

/** A world whose unit-test inputs are the first `uts` of `calls`, the fresh inputs the rest, with known answers. */
export function callsWorld(
  language: World['language'],
  codes: string[],
  calls: string[],
  uts: number,
  answers: Map<string, string>,
): World {
  return {
    language,
    codes,
    utInputs: calls.slice(0, uts),
    freshInputs: calls.slice(uts),
    oracle: (c) => answers.get(c),
  };
}
