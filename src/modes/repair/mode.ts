// mode: repair (schedule, workflow_dispatch). Runs the repository's test command (its own tests, as the user
// configured them; see src/modes/repair/suite.ts for the confined environment every run gets), maps each failing
// test to the function behind it (src/modes/repair/locate.ts), and for each such function runs CoSPlay with the
// current implementation as a seed and the failing assertions as trusted unit tests. The pick is written into
// the file and the whole suite is run again; a pick that does not make the function's failing tests pass, or
// that breaks another test, is undone and the next candidate is tried. Verified repairs become pull requests
// (one per function, or one for all with group-repairs); a function that could not be repaired is reported in
// the job summary and never forced.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Mode, ModeContext, ModeOutcome } from '../types.js';
import type { Executor, FunctionTest } from '../../types.js';
import {
  ACTIONS_BOT_IDENTITY,
  commitFiles,
  cosplayBranch,
  currentBranch,
  getRepository,
  git,
  headSha,
  pushBranch,
  resetBranch,
  upsertPullRequest,
  writeJobSummary,
} from '../../github/index.js';
import { checkRepoPath, listSymbols, promptContext, targetContextFromSource } from '../../repo/index.js';
import { functionTask, sanitizeUntrusted } from '../../taskspec/index.js';
import { paramsFromInputs, withSeeds } from '../params.js';
import { runCosplay, type CosplayResult } from '../../cosplay/index.js';
import type { GatewayLlm } from '../../llm/index.js';
import { classContext, inRepoContext, loadTarget, placeSymbol, symbolRun } from '../repo-context.js';
import { failingCases, type TestCaseResult } from './report.js';
import { locateFailure, SourceIndex, type LocatedFailure, type RepairTarget } from './locate.js';
import { runSuite, type SuiteRun } from './suite.js';
import { candidatesToVerify, judgeSuiteRun } from './verify.js';
import { keepDocstring } from './docstring.js';
import {
  renderRepairPrBody,
  renderRepairSummary,
  repairTitle,
  type RepairOutcome,
  type RepairReport,
} from './render.js';

/** Functions repaired per run at most (each one is a CoSPlay run plus suite runs). */
export const REPAIR_MAX_FUNCTIONS = 5;
/** Candidates verified with the whole suite per function at most. */
export const REPAIR_MAX_VERIFICATIONS = 3;

export interface RepairIo {
  writeSummary(markdown: string): Promise<boolean>;
}

const defaultIo: RepairIo = { writeSummary: (md) => writeJobSummary(md) };

export const runRepair: Mode = (ctx) => repair(ctx);

/** What finding and verifying repairs needs of the mode's context (the local `cosplay repair` builds the same). */
export type RepairContext = Pick<
  ModeContext,
  'workspace' | 'inputs' | 'log' | 'createLlm' | 'createExecutor' | 'runUrl'
>;

/** Verified repairs are delivered (pull requests in the action; files on disk or nothing locally). */
export type DeliverRepairs = (
  report: RepairReport,
  repaired: RepairOutcome[],
  suite: () => Promise<SuiteRun>,
  baselineCases: TestCaseResult[],
) => Promise<void>;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function repair(ctx: ModeContext, io: RepairIo = defaultIo): Promise<ModeOutcome> {
  const r = await findRepairs(ctx, io, (report, repaired, suite, cases) =>
    openPullRequests(ctx, report, repaired, suite, cases),
  );
  return r.outcome;
}

/**
 * Runs the suite, maps failing tests to functions, runs CoSPlay for each and verifies the picks with the
 * whole suite; `deliver` gets the verified repairs. Writes the report with `io` and returns it.
 */
export async function findRepairs(
  ctx: RepairContext,
  io: RepairIo,
  deliver: DeliverRepairs,
): Promise<{ outcome: ModeOutcome; report: RepairReport | null }> {
  let report: RepairReport | null = null;
  const outcome = await findRepairsInner(ctx, io, deliver, (r) => (report = r));
  return { outcome, report };
}

async function findRepairsInner(
  ctx: RepairContext,
  io: RepairIo,
  deliver: DeliverRepairs,
  onReport: (r: RepairReport) => void,
): Promise<ModeOutcome> {
  const command = ctx.inputs.testCommand.trim();
  if (command === '') {
    const msg =
      "The repair mode needs the test command (input `test-command`) that runs the repository's tests and writes a report, e.g. " +
      '`python -m pytest --junitxml="$COSPLAY_REPORT_DIR/junit.xml"`, `npx jest --ci --reporters=default --reporters=jest-junit` (with jest-junit installed) ' +
      'or `node --test --test-reporter=junit --test-reporter-destination="$COSPLAY_REPORT_DIR/junit.xml"`.';
    await io.writeSummary(`## CoSPlay repair: not configured\n\n${msg}\n`);
    return { verdict: 'error', outputs: {}, failure: msg };
  }
  const started = Date.now();
  const ws = ctx.workspace;
  const suite = (): Promise<SuiteRun> => runSuite({ command, workspace: ws, sandbox: ctx.inputs.sandbox });

  ctx.log.info(`repair: running the test command: ${command}`);
  const baseline = await suite();
  const report: RepairReport = {
    command,
    baseline: {
      total: baseline.cases.length,
      failing: failingCases(baseline.cases).length,
      exitCode: baseline.exitCode,
      reports: baseline.reports,
    },
    outcomes: [],
    unmapped: [],
    notes: [],
    tokens: 0,
    requests: 0,
    wallMs: 0,
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
  };
  onReport(report);
  const finish = async (outcome: ModeOutcome): Promise<ModeOutcome> => {
    report.wallMs = Date.now() - started;
    await io.writeSummary(renderRepairSummary(report));
    return outcome;
  };
  if (baseline.timedOut) {
    const msg = `The test command did not finish within its time limit: ${command}`;
    report.notes.push(msg);
    return finish({ verdict: 'error', outputs: {}, failure: msg });
  }
  if (baseline.cases.length === 0) {
    const tail = baseline.output.trim().split('\n').slice(-15).join('\n');
    const msg =
      `The test command (exit status ${baseline.exitCode}) wrote no test report that the action could read. Make it write JUnit XML ` +
      'into $COSPLAY_REPORT_DIR (pytest --junitxml="$COSPLAY_REPORT_DIR/junit.xml"; jest with jest-junit; node --test --test-reporter=junit ' +
      '--test-reporter-destination="$COSPLAY_REPORT_DIR/junit.xml") or a Jest/pytest-json-report JSON report. Note that the tests run without network.';
    report.notes.push(msg, `Last lines of its output:\n\n\`\`\`\n${tail}\n\`\`\``);
    if (baseline.exitCode === 0) return finish({ verdict: 'passed', outputs: {} });
    return finish({ verdict: 'error', outputs: {}, failure: msg });
  }
  const failing = failingCases(baseline.cases);
  if (failing.length === 0) return finish({ verdict: 'passed', outputs: {} });

  // Failing tests -> functions.
  const index = await SourceIndex.open(ws);
  const groups = new Map<string, { target: RepairTarget; failures: LocatedFailure[] }>();
  for (const c of failing) {
    const loc = await locateFailure(index, c);
    if (!loc.target) {
      report.unmapped.push(loc);
      continue;
    }
    const key = `${loc.target.path}#${loc.target.name}`;
    const g = groups.get(key) ?? { target: loc.target, failures: [] };
    g.failures.push(loc);
    groups.set(key, g);
  }

  const todo = [...groups.values()];
  const modifiedAtStart = new Set(await modifiedFiles(ws));
  const llm = todo.length > 0 ? ctx.createLlm() : null;
  let executor: (Executor & { close(): Promise<void> }) | null = null;
  try {
    if (llm) executor = await ctx.createExecutor();
    for (const [k, g] of todo.entries()) {
      const outcome: RepairOutcome = {
        target: g.target,
        failures: g.failures,
        trusted: uniqueTests(g.failures.flatMap((f) => (f.trusted ? [f.trusted] : []))),
        status: 'not-repaired',
        attempts: [],
      };
      report.outcomes.push(outcome);
      if (k >= REPAIR_MAX_FUNCTIONS) {
        outcome.reason = `over the limit of ${REPAIR_MAX_FUNCTIONS} functions per run`;
        continue;
      }
      const allowed = checkRepoPath(g.target.path, { allowedPaths: ctx.inputs.allowedPaths });
      if (!allowed.ok) {
        outcome.reason = `the file cannot be written: ${allowed.reason}`;
        continue;
      }
      const budget = llm!.budgetStatus();
      if (budget.exhausted) {
        outcome.reason = `the LLM budget is spent (${budget.reason ?? budget.exhausted})`;
        continue;
      }
      ctx.log.info(`repair: ${g.target.name} in ${g.target.path} (${g.failures.length} failing test(s))`);
      await repairOne(ctx, llm!, executor!, outcome, baseline.cases, suite, modifiedAtStart);
    }
  } finally {
    if (llm) {
      const usage = llm.usage();
      report.tokens = usage.total.tokens;
      report.requests = usage.total.requests;
      await llm.close().catch(() => {});
    }
    if (executor) await executor.close().catch(() => {});
  }

  const repaired = report.outcomes.filter((o) => o.status === 'repaired');
  if (repaired.length > 0) await deliver(report, repaired, suite, baseline.cases);
  const first = repaired.find((o) => o.pr)?.pr;
  const outputs: Record<string, string> = first
    ? { 'pull-request-number': String(first.number), 'pull-request-url': first.url }
    : {};
  return finish({ verdict: repaired.length > 0 ? 'repaired' : 'no-pick', outputs });
}

function uniqueTests(tests: FunctionTest[]): FunctionTest[] {
  const seen = new Set<string>();
  return tests.filter((t) => {
    const k = `${t.call.replace(/\s+/g, '')}=>${(t.expected ?? '').replace(/\s+/g, '')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Tracked files with changes in the working tree. */
async function modifiedFiles(ws: string): Promise<string[]> {
  const { stdout } = await git(ws, ['diff', '--name-only', '-z']);
  return stdout.split('\0').filter((f) => f !== '');
}

/** Undoes changes a test run made to tracked files (other than those changed before the run started). */
async function restoreTracked(ws: string, keep: Set<string>): Promise<string[]> {
  const changed = (await modifiedFiles(ws)).filter((f) => !keep.has(f));
  if (changed.length > 0) await git(ws, ['--literal-pathspecs', 'checkout', '--', ...changed]);
  return changed;
}

async function repairOne(
  ctx: RepairContext,
  llm: GatewayLlm,
  sandbox: Executor,
  outcome: RepairOutcome,
  baselineCases: TestCaseResult[],
  suite: () => Promise<SuiteRun>,
  modifiedAtStart: Set<string>,
): Promise<void> {
  const { target } = outcome;
  const ws = ctx.workspace;
  const abs = path.join(ws, target.path);
  const original = await readFile(abs, 'utf8');
  const where = { root: ws, path: target.path, language: target.language };
  const fn = (await listSymbols(original, target.language, { path: target.path }).catch(() => [])).find(
    (f) => f.name === target.name,
  );
  if (!fn) {
    outcome.reason = 'its definition could not be read from the file';
    return;
  }
  // The current code (the seed) and every candidate run as the file's module in the repository's context;
  // a method's candidates replace it in its class.
  const sym = symbolRun({ ...where, base: original }, fn);
  const repoTarget = sym.target;
  const loaded = await loadTarget(sandbox, repoTarget, sym.probe);
  if (!loaded.loads) {
    outcome.reason = `its module does not load in the sandbox (${loaded.reason}); install the repository's dependencies before the action`;
    return;
  }
  const executor = inRepoContext(sandbox, repoTarget, sym.place);
  const seed = fn.text;
  outcome.before = fn.text;
  const doc = sanitizeUntrusted(fn.doc).trim();
  const task = functionTask({
    id: `repair:${target.path}#${target.name}`,
    language: target.language,
    fn: sym.fn,
    ...(sym.className ? { className: sym.className } : {}),
    description:
      doc !== ''
        ? doc
        : `Implement \`${target.name}\`. It has no documentation; its current implementation (below) fails the examples, which are the intended behaviour.`,
    examples: outcome.trusted,
    context: [
      promptContext(targetContextFromSource(target.path, original, target.language, target.name), {
        includeCurrent: true,
      }),
      await classContext(original, target.language, target.path, fn),
    ]
      .filter(Boolean)
      .join('\n\n'),
  });
  let result: CosplayResult;
  try {
    result = await runCosplay({
      task,
      llm,
      executor,
      params: withSeeds(paramsFromInputs(ctx.inputs), 1),
      seedCodes: [seed],
      trustedTests: outcome.trusted,
    });
  } catch (err) {
    outcome.reason = `the CoSPlay run failed: ${errorText(err)}`;
    return;
  }
  const chosen = result.selected
    ? result.clusters.find((c) => c.members.includes(result.selected!.index))
    : undefined;
  outcome.facts = {
    codes: result.codePool.length,
    generated: result.codePool.filter((c) => c.origin !== 'seed' && c.seed === undefined).length,
    validUts: result.utPool.filter((u) => u.valid).length,
    pick: result.selected
      ? { pCode: result.selected.pCode, origin: result.codePool[result.selected.index]!.origin }
      : null,
    clusterSize: chosen?.members.length ?? 0,
    rounds: result.rounds.length,
    stopReason: result.stopReason,
    degraded: result.degraded,
  };
  const candidates = candidatesToVerify(result, seed, REPAIR_MAX_VERIFICATIONS);
  if (candidates.length === 0) {
    outcome.reason = result.selected
      ? 'the only pick is the current implementation'
      : outcome.trusted.length > 0
        ? 'no candidate passes the failing tests'
        : `no pick (${result.stopReason})`;
    return;
  }
  const targetIds = outcome.failures.map((f) => f.case.id);
  for (const candidate of candidates) {
    const cand =
      target.language === 'python'
        ? { ...candidate, code: keepDocstring(candidate.code, fn.text, target.name) }
        : candidate;
    let written: string;
    try {
      written = sym.place(cand.code);
      await writeFile(abs, written, 'utf8');
    } catch (err) {
      await writeFile(abs, original, 'utf8');
      outcome.attempts.push({
        ok: false,
        reason: `could not be written into the file: ${errorText(err)}`,
        total: 0,
        failing: 0,
        fixed: [],
      });
      continue;
    }
    let run: SuiteRun;
    try {
      run = await suite();
    } finally {
      await writeFile(abs, original, 'utf8');
      const undone = await restoreTracked(ws, new Set([...modifiedAtStart, target.path]));
      if (undone.length > 0) ctx.log.warning(`repair: the test run changed ${undone.join(', ')}; restored`);
    }
    const verdict = judgeSuiteRun(baselineCases, run, targetIds);
    outcome.attempts.push(verdict);
    if (verdict.ok) {
      outcome.status = 'repaired';
      outcome.verdict = verdict;
      outcome.newContent = written;
      outcome.code = cand.code;
      outcome.after =
        (await listSymbols(written, target.language, { path: target.path }).catch(() => [])).find(
          (f) => f.name === target.name,
        )?.text ?? cand.code;
      delete outcome.reason;
      return;
    }
  }
  outcome.reason = `no candidate passed the whole suite (${outcome.attempts.map((a) => a.reason).join('; ')})`;
}

async function openPullRequests(
  ctx: ModeContext,
  report: RepairReport,
  repaired: RepairOutcome[],
  suite: () => Promise<SuiteRun>,
  baselineCases: TestCaseResult[],
): Promise<void> {
  const ws = ctx.workspace;
  const origBranch = await currentBranch(ws);
  const origHead = await headSha(ws);
  let base = origBranch;
  if (!base) {
    const fromEvent = ctx.event?.repository?.default_branch;
    base =
      typeof fromEvent === 'string' && fromEvent
        ? fromEvent
        : (await getRepository(ctx.gh, ctx.repo)).defaultBranch;
  }

  let batches: RepairOutcome[][] = repaired.map((o) => [o]);
  if (ctx.inputs.groupRepairs && repaired.length > 1) {
    // Verify the repairs together before grouping them.
    const originals = new Map<string, string>();
    for (const o of repaired) {
      const abs = path.join(ws, o.target.path);
      if (!originals.has(o.target.path)) originals.set(o.target.path, await readFile(abs, 'utf8'));
    }
    let ok = false;
    const combined = new Map<string, string>();
    try {
      for (const o of repaired) await writeRepair(ws, o);
      for (const p of originals.keys()) combined.set(p, await readFile(path.join(ws, p), 'utf8'));
      const run = await suite();
      ok = judgeSuiteRun(
        baselineCases,
        run,
        repaired.flatMap((o) => o.failures.map((f) => f.case.id)),
      ).ok;
    } catch (err) {
      report.notes.push(`The repairs could not be combined: ${errorText(err)}`);
    } finally {
      for (const [p, c] of originals) await writeFile(path.join(ws, p), c, 'utf8');
    }
    if (ok) {
      for (const o of repaired) o.newContent = combined.get(o.target.path)!;
      batches = [repaired];
    } else report.notes.push('The repairs do not pass the suite together, so each got its own pull request.');
  }

  for (const batch of batches) {
    const branch =
      batch.length === 1
        ? cosplayBranch('repair', batch[0]!.target.path, batch[0]!.target.name)
        : cosplayBranch('repair', 'nightly');
    const files = new Map(batch.map((o) => [o.target.path, o.newContent!]));
    try {
      await resetBranch(ws, branch, origHead);
      for (const [p, content] of files) await writeFile(path.join(ws, p), content, 'utf8');
      const sha = await commitFiles(ws, {
        paths: [...files.keys()],
        message: `${repairTitle(batch)}\n\nVerified with the repository's test command: ${report.command}`,
        identity: ACTIONS_BOT_IDENTITY,
        allowedPaths: ctx.inputs.allowedPaths,
      });
      if (!sha) throw new Error('nothing to commit');
      await pushBranch(ws, { branch, auth: { token: ctx.inputs.githubToken } });
    } catch (err) {
      for (const o of batch) o.prError = `the branch ${branch} could not be pushed: ${errorText(err)}`;
      await backTo(ws, origBranch, origHead);
      continue;
    }
    await backTo(ws, origBranch, origHead);
    try {
      const pr = await upsertPullRequest(ctx.gh, {
        ...ctx.repo,
        head: branch,
        base,
        title: repairTitle(batch),
        body: renderRepairPrBody(batch, report),
        draft: ctx.inputs.draft,
      });
      for (const o of batch) o.pr = { number: pr.number, url: pr.url, branch, created: pr.created };
      ctx.log.info(`repair: ${pr.created ? 'opened' : 'updated'} ${pr.url}`);
    } catch (err) {
      for (const o of batch) o.prError = `the branch ${branch} was pushed, but ${errorText(err)}`;
    }
  }
}

/** Writes a verified repair into its file as it is now (other repairs of the same file stay). */
export async function writeRepair(ws: string, o: RepairOutcome): Promise<void> {
  const abs = path.join(ws, o.target.path);
  const content = await readFile(abs, 'utf8');
  await writeFile(abs, await placeSymbol(content, { root: ws, ...o.target }, o.target.name, o.code!), 'utf8');
}

async function backTo(ws: string, branch: string | null, sha: string): Promise<void> {
  try {
    await git(ws, ['checkout', '--quiet', branch ?? sha]);
  } catch {
    await git(ws, ['checkout', '--quiet', '--force', branch ?? sha]);
  }
}
