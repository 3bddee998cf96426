// `cosplay solve TASK.md --repo DIR`: the local pipeline against the scripted LLM world and the real sandbox;
// the files land in DIR, the verdict is printed, the JSON written, the tests pass with pytest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { register, runSolveCommand } from '../../../src/commands/solve.js';
import { checkSandbox } from '../../../src/exec/index.js';
import { BUNDLED_DATASET } from '../../../src/data/dataset.js';
import { startReplayServer, type ReplayServer } from '../../../src/replay/index.js';
import { UserError } from '../../../src/types.js';
import { startScriptedServer } from '../../support/scripted-server.js';
import { RIGHT, startWorld, type World } from '../../action/world.js';

let tmp: string;
let world: World;
let sandbox: 'bwrap' | 'none';

const TASK = [
  '# Count vowels',
  '',
  '```yaml',
  'language: python',
  'kind: function',
  'target: textutil.py',
  'signature: def count_vowels(text: str) -> int',
  'description: Return how many vowels (a, e, i, o, u, in either case) the string contains.',
  'examples: |',
  "  count_vowels('Hello') == 2",
  '```',
].join('\n');

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-solve-cmd-'));
  world = await startWorld();
  sandbox = (await checkSandbox()).ok ? 'bwrap' : 'none';
});
afterAll(async () => {
  await world.close();
  rmSync(tmp, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      env: { OPENAI_BASE_URL: world.server.url, OPENAI_API_KEY: 'sk-local-0123456789', ...env },
      llmOverrides: { retryBaseDelayMs: 1, retryMaxDelayMs: 5 },
      executorOptions: { workers: 2 },
    },
  };
}

describe('cosplay solve', () => {
  it('registers its options', () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'solve')!;
    expect(cmd.options.map((o) => o.long)).toEqual(
      expect.arrayContaining([
        '--repo',
        '--json',
        '--model',
        '--base-url',
        '--sandbox',
        '--codes',
        '--trace',
        '--exec-cache',
      ]),
    );
  });

  it('writes the code and a passing test file into --repo, prints the verdict and writes --json', async () => {
    const repo = path.join(tmp, 'repo');
    mkdirSync(repo);
    writeFileSync(path.join(repo, 'pytest.ini'), '[pytest]\n');
    const task = path.join(tmp, 'TASK.md');
    writeFileSync(task, TASK);
    const json = path.join(tmp, 'out.json');
    const trace = path.join(tmp, 'trace.jsonl');
    const t = io();
    const r = await runSolveCommand(
      task,
      { repo, json, model: 'scripted', codes: '4', tests: '4', rounds: '1', sandbox, trace },
      t.io,
    );
    expect(r.verdict).toBe('selected');
    expect(t.out[0]).toMatch(
      /^verdict: selected: candidate C\d+ of 4 passes \d+ of \d+ self-generated unit tests$/,
    );
    expect(t.out.join('\n')).toContain(`wrote ${path.join(repo, 'tests', 'test_textutil.py')} (pytest,`);
    expect(RIGHT).toContain(readFileSync(path.join(repo, 'textutil.py'), 'utf8'));
    const pytest = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(pytest.status).toBe(0);
    const data = JSON.parse(readFileSync(json, 'utf8'));
    expect(data).toMatchObject({
      task: 'local:TASK.md',
      verdict: 'selected',
      targetPath: 'textutil.py',
      testPath: 'tests/test_textutil.py',
      testFramework: 'pytest',
      files: ['textutil.py', 'tests/test_textutil.py'],
    });
    expect(data.passCount).toMatch(/^\d+\/\d+$/);
    expect(readFileSync(trace, 'utf8')).toContain('"event":"cosplay-result"');
    expect(readFileSync(trace, 'utf8')).not.toContain('sk-local-0123456789');
  });

  it('reads a bare YAML task file', async () => {
    const repo = path.join(tmp, 'repo-yaml');
    mkdirSync(repo);
    const task = path.join(tmp, 'task.yml');
    writeFileSync(task, TASK.split('\n').slice(3, -1).join('\n'));
    const t = io();
    const r = await runSolveCommand(
      task,
      { repo, model: 'scripted', codes: '3', tests: '3', rounds: '0', sandbox },
      t.io,
    );
    expect(r.solution.files[0]).toBe('textutil.py');
  });

  it('an incomplete spec, a bad flag or a missing model is a UserError that says what to do', async () => {
    const task = path.join(tmp, 'HALF.md');
    writeFileSync(task, TASK.replace('target: textutil.py\n', ''));
    await expect(runSolveCommand(task, { repo: tmp, model: 'scripted', sandbox }, io().io)).rejects.toThrow(
      /incomplete:[\s\S]*target[\s\S]*```yaml/,
    );
    await expect(
      runSolveCommand(task, { repo: tmp, model: 'scripted', codes: 'lots' }, io().io),
    ).rejects.toThrow(/^--codes: "lots" is not a whole number/);
    await expect(runSolveCommand(path.join(tmp, 'TASK.md'), { repo: tmp, sandbox }, io().io)).rejects.toThrow(
      /no model given .* --model or OPENAI_MODEL/,
    );
    await expect(runSolveCommand(task, { repo: path.join(tmp, 'nope') }, io().io)).rejects.toBeInstanceOf(
      UserError,
    );
  });
});

describe('cosplay solve against a replay server, offline', () => {
  const HE0 = [
    '```yaml',
    'id: HumanEval/0',
    'language: python',
    'kind: function',
    'target: closeness.py',
    'signature: def has_close_elements(numbers: List[float], threshold: float) -> bool',
    'description: |',
    '  Check if in given list of numbers, are any two numbers closer to each other than the given threshold.',
    'examples: |',
    '  has_close_elements([1.0, 2.0, 3.0], 0.5) == False',
    '  has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3) == True',
    '```',
  ].join('\n');
  let replay: ReplayServer;
  const logged: string[] = [];
  beforeAll(async () => {
    replay = await startReplayServer({ datasetPath: BUNDLED_DATASET, log: (l) => logged.push(l) });
  });
  afterAll(async () => {
    await replay.close();
  });

  it.each([
    ['--task-id', 'local', { taskId: 'HumanEval/0' }],
    ["the spec's id:", 'spec', {}],
  ] as const)(
    'with %s naming the recorded task, writes the function and its tests and reports the pick',
    async (_how, name, extra) => {
      const repo = path.join(tmp, `replay-${name}`);
      mkdirSync(repo);
      const task = path.join(tmp, `HE0-${name}.md`);
      writeFileSync(task, name === 'local' ? HE0.replace('id: HumanEval/0\n', '') : HE0);
      const json = path.join(tmp, `he0-${name}.json`);
      const t = io();
      const r = await runSolveCommand(
        task,
        { repo, json, model: 'replay', baseUrl: replay.url, codes: '8', tests: '8', sandbox, ...extra },
        t.io,
      );
      expect(r.verdict).toBe('selected');
      const data = JSON.parse(readFileSync(json, 'utf8'));
      expect(data).toMatchObject({
        task: 'HumanEval/0',
        verdict: 'selected',
        targetPath: 'closeness.py',
        files: ['closeness.py', 'tests/test_closeness.py'],
      });
      expect(data.selected.code).toContain('def has_close_elements');
      expect(readFileSync(path.join(repo, 'closeness.py'), 'utf8')).toContain('def has_close_elements');
      expect(readFileSync(path.join(repo, 'tests', 'test_closeness.py'), 'utf8')).toContain(
        'has_close_elements',
      );
    },
  );

  it('an unknown task: the server answers 404 naming it and logs it, and the CLI says so', async () => {
    const task = path.join(tmp, 'HE0-unknown.md');
    writeFileSync(task, HE0.replace('id: HumanEval/0\n', ''));
    const t = io();
    const r = await runSolveCommand(
      task,
      { repo: tmp, model: 'replay', baseUrl: replay.url, codes: '2', tests: '2', sandbox },
      t.io,
    );
    expect(r.verdict).toBe('no-pick');
    const err = t.err.join('\n');
    expect(err).toContain(replay.url);
    expect(err).toMatch(/HTTP 404/);
    expect(err).toContain('no recordings for task "local:HE0-unknown.md"');
    expect(err).toMatch(/--task-id HumanEval\/0/);
    expect(logged.join('\n')).toContain('refused stage1');
    expect(logged.join('\n')).toContain('"local:HE0-unknown.md"');
  });
});

describe('cosplay solve says why nothing came back', () => {
  it('an endpoint that declines every request', async () => {
    const declining = await startScriptedServer({ script: () => null });
    try {
      const task = path.join(tmp, 'DECLINED.md');
      writeFileSync(task, TASK);
      const t = io({ OPENAI_BASE_URL: declining.url });
      const r = await runSolveCommand(
        task,
        { repo: tmp, model: 'scripted', codes: '2', tests: '2', sandbox },
        t.io,
      );
      expect(r.verdict).toBe('no-pick');
      expect(t.err.join('\n')).toMatch(/declined every request for task "local:DECLINED.md"/);
      expect(t.err.join('\n')).toMatch(/--task-id/);
    } finally {
      await declining.close();
    }
  });

  it('an unreachable endpoint: its URL, the cause and what to check', async () => {
    const gone = await startScriptedServer();
    const url = gone.url;
    await gone.close();
    const task = path.join(tmp, 'TASK-unreachable.md');
    writeFileSync(task, TASK);
    const t = io({ OPENAI_BASE_URL: url });
    const r = await runSolveCommand(
      task,
      { repo: tmp, model: 'scripted', sandbox },
      {
        ...t.io,
        llmOverrides: { retryBaseDelayMs: 1, retryMaxDelayMs: 5, firstContactBudgetMs: 300 },
      },
    );
    expect(r.verdict).toBe('no-pick');
    const err = t.err.join('\n');
    expect(err).toContain(url);
    expect(err).toMatch(/ECONNREFUSED/);
    expect(err).toMatch(/running and reachable/);
    expect(err).toMatch(/--base-url/);
  });

  it('checks the task file before the endpoint settings', async () => {
    const missing = path.join(tmp, 'NO-SUCH-TASK.md');
    await expect(
      runSolveCommand(missing, { repo: tmp }, io({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }).io),
    ).rejects.toThrow(/cannot read the task file .*NO-SUCH-TASK\.md/);
  });
});
