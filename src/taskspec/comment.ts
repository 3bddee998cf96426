// The comment a run leaves when the spec is incomplete: exactly what is missing or wrong, and a complete
// example in the same language and kind that the author can copy and adapt.
import type { Language, TaskKind } from '../types.js';
import { commentMarker } from '../render/markers.js';
import { FIELD_LABELS, type SpecProblem } from './types.js';

export const SPEC_COMMENT_KIND = 'spec';

export interface SpecCommentOptions {
  language?: Language;
  kind?: TaskKind;
  target?: string;
  /** The label that starts a run (default `cosplay`). */
  triggerLabel?: string;
  /** Link to the workflow run, shown at the end. */
  runUrl?: string;
  warnings?: string[];
}

/** A complete spec in the ```yaml form, for the given language and kind. */
export function exampleSpecYaml(
  language: Language = 'python',
  kind: TaskKind = 'function',
  target?: string,
): string {
  // a target of another language (`src/textutil.rs` beside an unsupported `language: rust`) is not shown
  if (target !== undefined && !(language === 'python' ? /\.py$/i : /\.[cm]?[jt]sx?$/i).test(target))
    target = undefined;
  if (kind === 'stdio') {
    const file = target ?? (language === 'python' ? 'tools/sum_pairs.py' : 'tools/sum-pairs.js');
    return [
      `language: ${language}`,
      'kind: stdio',
      `target: ${file}`,
      'signature: |',
      '  The first line holds n. Each of the next n lines holds two integers a and b.',
      '  Print a + b for each line, one result per line.',
      'description: |',
      '  Read n pairs of integers and print the sum of each pair.',
      'examples: |',
      '  Input:',
      '  2',
      '  1 2',
      '  -5 5',
      '  Output:',
      '  3',
      '  0',
      'constraints: |',
      '  1 <= n <= 10^5; |a|, |b| <= 10^9',
    ].join('\n');
  }
  if (language === 'typescript') {
    return [
      'language: typescript',
      'kind: function',
      `target: ${target ?? 'src/text.ts'}`,
      'signature: export function countVowels(text: string): number',
      'description: |',
      '  Return how many vowels (a, e, i, o, u, in either case) the string contains.',
      'examples: |',
      "  countVowels('Hello') === 2",
      "  countVowels('') === 0",
      'constraints: |',
      '  text has at most 10^5 characters',
    ].join('\n');
  }
  if (language === 'javascript') {
    return [
      'language: javascript',
      'kind: function',
      `target: ${target ?? 'src/text.js'}`,
      'signature: function countVowels(text)',
      'description: |',
      '  Return how many vowels (a, e, i, o, u, in either case) the string contains.',
      'examples: |',
      "  countVowels('Hello') === 2",
      "  countVowels('') === 0",
      'constraints: |',
      '  text has at most 10^5 characters',
    ].join('\n');
  }
  return [
    'language: python',
    'kind: function',
    `target: ${target ?? 'src/textutil.py'}`,
    'signature: def count_vowels(text: str) -> int',
    'description: |',
    '  Return how many vowels (a, e, i, o, u, in either case) the string contains.',
    'examples: |',
    "  count_vowels('Hello') == 2",
    "  count_vowels('') == 0",
    'constraints: |',
    '  text has at most 10^5 characters',
  ].join('\n');
}

/** Markdown for the issue comment that names every problem of the spec. Starts with `<!-- cosplay:spec -->`. */
export function renderSpecProblemsComment(problems: SpecProblem[], options: SpecCommentOptions = {}): string {
  const label = options.triggerLabel ?? 'cosplay';
  const lines: string[] = [commentMarker(SPEC_COMMENT_KIND), '### CoSPlay needs a complete task spec', ''];
  const missing = problems
    .filter((p) => p.field !== 'body')
    .map((p) => FIELD_LABELS[p.field as keyof typeof FIELD_LABELS]);
  lines.push(
    missing.length > 0
      ? `The spec in this issue is incomplete (${[...new Set(missing)].join(', ')}), so no run was started:`
      : 'No run was started:',
  );
  lines.push('');
  for (const p of problems) {
    const name = p.field === 'body' ? 'Spec' : FIELD_LABELS[p.field];
    lines.push(`- **${name}**: ${oneLine(p.message)}`);
  }
  if (options.warnings && options.warnings.length > 0) {
    lines.push('', 'Also worth fixing:', '');
    for (const w of options.warnings) lines.push(`- ${oneLine(w)}`);
  }
  lines.push(
    '',
    `Edit the issue (the **CoSPlay task** issue form has a field for each item, or add a fenced \`yaml\` block like the one below), then remove and re-apply the \`${label}\` label.`,
    '',
    '<details><summary>A complete spec</summary>',
    '',
    '```yaml',
    exampleSpecYaml(options.language, options.kind, options.target),
    '```',
    '',
    '</details>',
  );
  if (options.runUrl) lines.push('', `[Workflow run](${options.runUrl})`);
  return lines.join('\n') + '\n';
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
