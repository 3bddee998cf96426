// The inputs and outputs tables of docs/action.md, generated from action.yml (a test keeps them equal).
import { parse } from 'yaml';

interface ActionYml {
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs?: Record<string, { description?: string }>;
}

export const INPUTS_START = '<!-- inputs:start (generated from action.yml) -->';
export const INPUTS_END = '<!-- inputs:end -->';
export const OUTPUTS_START = '<!-- outputs:start (generated from action.yml) -->';
export const OUTPUTS_END = '<!-- outputs:end -->';

function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

export function parseActionYml(text: string): ActionYml {
  return parse(text) as ActionYml;
}

export function renderInputsTable(actionYml: string): string {
  const inputs = parseActionYml(actionYml).inputs ?? {};
  const rows = Object.entries(inputs).map(([name, i]) => {
    const d = String(i.default ?? '');
    return `| \`${name}\` | ${d === '' ? '' : code(d)} | ${cell(i.description ?? '')} |`;
  });
  return ['| Input | Default | Description |', '|---|---|---|', ...rows].join('\n');
}

export function renderOutputsTable(actionYml: string): string {
  const outputs = parseActionYml(actionYml).outputs ?? {};
  const rows = Object.entries(outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description ?? '')} |`);
  return ['| Output | Description |', '|---|---|', ...rows].join('\n');
}

/** Replaces the text between `start` and `end` in `doc` with `body`. */
export function replaceBetween(doc: string, start: string, end: string, body: string): string {
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`markers ${start} ... ${end} not found`);
  return `${doc.slice(0, a + start.length)}\n${body}\n${doc.slice(b)}`;
}

/** The text between the markers (trimmed), or null. */
export function textBetween(doc: string, start: string, end: string): string | null {
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  return a < 0 || b < a ? null : doc.slice(a + start.length, b).trim();
}
