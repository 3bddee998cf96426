// Examples in a spec, read as unit tests where possible. Function tasks accept, one per line:
//   add(1, 2) == 3          add(1, 2) === 3         assert add(1, 2) == 3
//   add(1, 2) -> 3          add(1, 2) => 3          add(1, 2) → 3
//   add(1, 2)  # => 3       add(1, 2) // => 3       console.log(add(1, 2)) // 3
//   >>> add(1, 2)           (doctest; the following lines are the expected value)
//   3
// Stdio tasks accept "Input:" / "Output:" labelled blocks (also "Sample input 1", "Expected output",
// fenced blocks under the labels). Lines that cannot be read stay in the prompt as text; they are not errors.
import type { Language, TaskKind, UnitTest } from '../types.js';
import { findFences, isBalanced, splitTopLevel, unwrapFence } from '../text/scan.js';

export interface ParsedExamples {
  tests: UnitTest[];
  /** Non-empty lines (function tasks) or blocks (stdio) that were not understood. */
  unparsed: string[];
}

export function parseExamples(
  text: string,
  task: { kind: TaskKind; language: Language; entryPoint?: string },
): ParsedExamples {
  if (text.trim() === '') return { tests: [], unparsed: [] };
  return task.kind === 'function' ? parseFunctionExamples(text, task.entryPoint) : parseStdioExamples(text);
}

function callsEntry(call: string, entryPoint: string | undefined): boolean {
  const m = /^(?:new\s+)?([A-Za-z_$][\w$]*)\s*[(.]/.exec(call);
  if (!m || !call.endsWith(')') || !isBalanced(call)) return false;
  return entryPoint === undefined || m[1] === entryPoint;
}

/** Reads one `call <op> expected` line; null when it is not one. */
export function parseFunctionExampleLine(
  line: string,
  entryPoint?: string,
): { call: string; expected: string } | null {
  let s = line.trim().replace(/;\s*$/, '');
  if (s === '') return null;
  s = s.replace(/^assert\s+/, '');
  // `console.log(f(x)) // 3` and `print(f(x))  # 3`
  const printed =
    /^(?:console\.log|print)\s*\(([\s\S]*)\)\s*;?\s*(?:\/\/|#)\s*(?:=>|->|→|==|returns|output:?)?\s*(.+)$/.exec(
      s,
    );
  if (printed && callsEntry(printed[1]!.trim(), entryPoint)) {
    return finish(printed[1]!, printed[2]!);
  }
  // `f(x)  # => 3`, `f(x) // => 3`
  const commented = /^([\s\S]*?\))\s*;?\s*(?:\/\/|#)\s*(?:=>|->|→|==|returns|output:?)?\s*(.+)$/.exec(s);
  if (commented && callsEntry(commented[1]!.trim(), entryPoint)) return finish(commented[1]!, commented[2]!);
  // `assert f(x) == 3, "message"` -> drop the message
  const beforeMessage = splitTopLevel(s, [',']);
  if (beforeMessage && splitTopLevel(beforeMessage[0], ['==', '==='])) s = beforeMessage[0];
  const parts = splitTopLevel(s, ['===', '==', '->', '=>', '→', 'returns', 'should return', 'gives']);
  if (!parts) return null;
  return callsEntry(parts[0].trim(), entryPoint) ? finish(parts[0], parts[2]) : null;

  function finish(call: string, expected: string) {
    const e = expected
      .trim()
      .replace(/;\s*$/, '')
      .replace(/^`([^`]+)`$/, '$1');
    const c = call.trim();
    if (e === '' || !isBalanced(e)) return null;
    return { call: c, expected: e };
  }
}

function parseFunctionExamples(text: string, entryPoint?: string): ParsedExamples {
  const tests: UnitTest[] = [];
  const unparsed: string[] = [];
  // Examples may sit in one or more fences, or be plain lines; read all lines of all of them.
  const fences = findFences(text);
  const lines =
    fences.length > 0 ? fences.flatMap((f) => f.content.split('\n')) : unwrapFence(text).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '') continue;
    const doctest = /^>>>\s?(.*)$/.exec(line);
    if (doctest) {
      let call = doctest[1]!.trim();
      while (i + 1 < lines.length && /^\.\.\.(\s|$)/.test(lines[i + 1]!.trim())) {
        call +=
          ' ' +
          lines[++i]!.trim()
            .replace(/^\.\.\.\s?/, '')
            .trim();
      }
      const expectedLines: string[] = [];
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== '' && !/^>>>/.test(lines[i + 1]!.trim())) {
        expectedLines.push(lines[++i]!.trim());
      }
      const expected = expectedLines.join(' ').trim();
      if (expected !== '' && callsEntry(call, entryPoint) && isBalanced(expected))
        tests.push({ call, expected });
      else unparsed.push(line);
      continue;
    }
    const parsed = parseFunctionExampleLine(line, entryPoint);
    if (parsed) tests.push(parsed);
    else if (!/^(#|\/\/|```|~~~)/.test(line)) unparsed.push(line);
  }
  return { tests, unparsed };
}

const LABEL =
  /^\s*(?:#{1,6}\s*)?(?:[*_]{1,2})?\s*(?:sample\s+|example\s+)?(input|stdin|output|stdout|expected(?:\s+output)?)(?:\s*#?\s*\d+)?\s*(?:[*_]{1,2})?\s*:?\s*(?:[*_]{1,2})?\s*(.*)$/i;

function parseStdioExamples(text: string): ParsedExamples {
  const tests: UnitTest[] = [];
  const unparsed: string[] = [];
  const lines = unwrapFence(text).split('\n');
  type Block = { label: 'input' | 'output'; lines: string[] };
  const blocks: Block[] = [];
  let current: Block | null = null;
  let inFence: string | null = null;
  let loose: string[] = [];
  for (const line of lines) {
    if (inFence) {
      if (line.trim().startsWith(inFence)) inFence = null;
      else current?.lines.push(line);
      continue;
    }
    const fence = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence && current) {
      inFence = fence[1]!;
      // a fence opened under a label replaces any text collected so far on the label line
      current.lines = current.lines.filter((l) => l.trim() !== '');
      continue;
    }
    const label = LABEL.exec(line);
    if (label && isLabelLine(line)) {
      const kind = /^(input|stdin)$/i.test(label[1]!) ? 'input' : 'output';
      current = { label: kind, lines: [] };
      blocks.push(current);
      const rest = label[2]!.trim();
      if (rest !== '') current.lines.push(rest.replace(/^`([^`]*)`$/, '$1'));
      continue;
    }
    if (current) current.lines.push(line);
    else if (line.trim() !== '') loose.push(line);
  }
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const next = blocks[i + 1];
    if (b.label === 'input' && next?.label === 'output') {
      tests.push({ input: blockText(b.lines), expected: blockText(next.lines) });
      i++;
    } else unparsed.push(`${b.label}: ${blockText(b.lines).trim()}`);
  }
  if (loose.length > 0) unparsed.push(loose.join('\n'));
  loose = [];
  return { tests, unparsed };
}

function isLabelLine(line: string): boolean {
  // "Input:" / "**Input 1**" / "### Sample output" / "Input: 3 4" — but not prose such as "Input is a list".
  return /^\s*(?:#{1,6}\s*)?(?:[*_]{1,2})?\s*(?:sample\s+|example\s+)?(?:input|stdin|output|stdout|expected(?:\s+output)?)(?:\s*#?\s*\d+)?\s*(?:[*_]{1,2})?\s*(?::|$)/i.test(
    line,
  );
}

/** The block's text: surrounding blank lines dropped, trailing spaces kept inside, ends with one newline. */
function blockText(lines: string[]): string {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a]!.trim() === '') a++;
  while (b > a && lines[b - 1]!.trim() === '') b--;
  const body = lines.slice(a, b).join('\n');
  return body === '' ? '' : body + '\n';
}
