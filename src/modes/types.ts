// The contract between the action's entry (src/main.ts, src/action/) and the modes (solve, gate, repair).
// The entry reads inputs and the event, builds these dependencies, and calls one mode; a mode does its
// work through them only, so every mode runs end to end against local fakes in tests.
import type { GitHub, RepoRef } from '../github/index.js';
import type { GatewayLlm } from '../llm/index.js';
import type { Executor } from '../types.js';
import type { BonRule } from '../cosplay/params.js';

export type ModeName = 'solve' | 'gate' | 'repair';

/** Where a solve run reads its spec and delivers its result. */
export type SolveTarget = { kind: 'issue'; number: number } | { kind: 'pull'; number: number };

/** Validated action inputs (action.yml), already parsed into types. */
export interface ActionInputs {
  mode: ModeName | 'auto';
  githubToken: string;
  baseUrl: string;
  apiKey: string;
  model: string;
  triggerLabel: string;
  issueNumber?: number;
  preset: 'small' | 'paper';
  /** The BoN tie before stage 3 (CosplayParams.bonRule). */
  bonRule: BonRule;
  codes?: number;
  tests?: number;
  rounds?: number;
  maxTokens: number;
  maxRequests: number;
  maxMinutes: number;
  concurrency: number;
  sandbox: 'bwrap' | 'none';
  draft: boolean;
  testFramework: 'auto' | 'pytest' | 'node:test' | 'jest' | 'vitest';
  allowedPaths: string[];
  allowedBots: string[];
  gateMinSupport: number;
  testCommand: string;
  groupRepairs: boolean;
}

export interface ModeLog {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface ModeContext {
  inputs: ActionInputs;
  /** The repository checkout (GITHUB_WORKSPACE); generated code never sees it. */
  workspace: string;
  repo: RepoRef;
  eventName: string;
  /** The webhook payload (GITHUB_EVENT_PATH). */
  event: Record<string, any>;
  /** Who triggered the run (for `labeled` events: who applied the label). */
  actor: string;
  /** Solve: the issue or pull request the event names, as the entry resolved it (the trigger's target). */
  target?: SolveTarget;
  gh: GitHub;
  /** A fresh LLM client with this run's budgets; the mode closes it (which flushes the trace). */
  createLlm(): GatewayLlm;
  /** The sandboxed executor; fails closed with instructions when no sandbox works. The mode closes it. */
  createExecutor(): Promise<Executor & { close(): Promise<void> }>;
  /** Where the JSONL trace goes (uploaded as an artifact by the entry, also on failure). */
  tracePath: string;
  /** Link to this workflow run, for comments. */
  runUrl?: string;
  log: ModeLog;
}

export interface ModeOutcome {
  /** One word, the `verdict` output: selected, no-pick, budget-spent, passed, failed, repaired, skipped, error. */
  verdict: string;
  /** Other outputs (pull-request-number, pull-request-url, selected-pass-count, ...). */
  outputs: Record<string, string>;
  /** When set, the job fails with this message (the gate's check, a run that could not finish). */
  failure?: string;
}

export type Mode = (ctx: ModeContext) => Promise<ModeOutcome>;
