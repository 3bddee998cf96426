// The task spec as read from an issue or PR body (issue-form sections or a fenced ```yaml block).
import type { Language, TaskKind, UnitTest } from '../types.js';

export const SPEC_FIELDS = [
  'language',
  'kind',
  'target',
  'signature',
  'description',
  'examples',
  'constraints',
] as const;
export type SpecField = (typeof SPEC_FIELDS)[number];

/** The label of each field in the shipped issue form (.github/ISSUE_TEMPLATE/cosplay.yml) and in messages. */
export const FIELD_LABELS: Record<SpecField, string> = {
  language: 'Language',
  kind: 'Kind',
  target: 'Target file',
  signature: 'Signature or I/O format',
  description: 'Description',
  examples: 'Examples',
  constraints: 'Constraints',
};

/** The key of each field in the ```yaml form. */
export const FIELD_KEYS: Record<SpecField, string> = {
  language: 'language',
  kind: 'kind',
  target: 'target',
  signature: 'signature',
  description: 'description',
  examples: 'examples',
  constraints: 'constraints',
};

export interface TaskSpec {
  language: Language;
  kind: TaskKind;
  /** Repository-relative path of the file the code goes into, validated and normalised. */
  target: string;
  /** Function tasks: the signature as written (without a body). */
  signature?: string;
  /** Stdio tasks: the input/output format, when given. */
  ioFormat?: string;
  /** Function tasks: the function's name, read from the signature (or the yaml key `entry_point`). */
  entryPoint?: string;
  description: string;
  /** The examples as written (empty when none). */
  examples: string;
  /** The examples that could be read as unit tests (a call and its expected value, or an input and its output). */
  exampleTests: UnitTest[];
  /** Constraints as written (empty when none). */
  constraints: string;
  /** Where the spec came from. */
  source: 'form' | 'yaml';
  /** The task's id when the spec names one (`id: HumanEval/0`): the id sent to the LLM endpoint. */
  id?: string;
}

export interface SpecProblem {
  /** The field the problem is about; `body` when no spec was found at all or the YAML is broken. */
  field: SpecField | 'body';
  message: string;
}

export type SpecParseResult =
  | { ok: true; spec: TaskSpec; warnings: string[] }
  | {
      ok: false;
      problems: SpecProblem[];
      warnings: string[];
      /** What could be read, so the "missing X" comment can fill in an example that matches. */
      partial: { language?: Language; kind?: TaskKind; target?: string; source?: 'form' | 'yaml' };
    };
