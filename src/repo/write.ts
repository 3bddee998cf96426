// Writing the selected code into the target file. Function tasks: the entry point's definition replaces the
// existing top-level definition of the same name, or is appended; the helpers and imports it needs come
// along; everything else in the file stays byte for byte. Stdio tasks: the program is the whole file.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Language, TaskKind } from '../types.js';
import { splitStatements, type SplitSource, type Statement } from './blocks.js';
import { renameIdentifier } from './lex.js';
import { resolveInsideRepo, type PathPolicy } from './paths.js';
import { moduleStyleForPath, type ModuleStyle } from './detect.js';

export interface InsertOptions {
  language: Language;
  kind: TaskKind;
  /** Function tasks: the function to place. */
  entryPoint?: string;
  /**
   * JavaScript: how the file exports. Default: read from the file (import/export vs require/module.exports),
   * else from `defaultModuleStyle`.
   */
  defaultModuleStyle?: ModuleStyle;
}

export interface InsertResult {
  content: string;
  action: 'created' | 'replaced' | 'appended' | 'rewritten' | 'unchanged';
  /** Things a reviewer should know (renamed helpers, added exports, dropped demo code). */
  notes: string[];
}

/** Removes a common leading indentation and surrounding blank lines; ends with one newline. */
export function normaliseCode(code: string): string {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0]);
  let common = indents[0] ?? '';
  for (const ind of indents) while (!ind.startsWith(common)) common = common.slice(0, -1);
  return lines.map((l) => (l.startsWith(common) ? l.slice(common.length) : l.trimStart())).join('\n') + '\n';
}

function statementText(split: SplitSource, st: Statement, withComments = false): string {
  return split.lines
    .slice(withComments ? st.commentStartLine : st.startLine, st.endLine + 1)
    .map((l) => l.text)
    .join('\n');
}

function normaliseWs(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** JavaScript module style of existing source, or null when it shows none. */
export function moduleStyleOf(source: string): ModuleStyle | null {
  const split = splitStatements(source, 'javascript');
  let esm = false;
  let cjs = false;
  for (const st of split.statements) {
    const text = statementText(split, st);
    if (st.kind === 'import') {
      if (/^import\b/.test(text)) esm = true;
      else cjs = true;
    }
    if (st.exportPrefix || /^export\b/.test(text)) esm = true;
    if (st.kind === 'export-assign' || /^module\.exports\b/.test(text)) cjs = true;
  }
  if (esm && !cjs) return 'esm';
  if (cjs && !esm) return 'commonjs';
  return null;
}

const BLANK: Record<Language, string> = { python: '\n\n\n', javascript: '\n\n', typescript: '\n\n' };

const DEFINES = new Set<Statement['kind']>(['function', 'class', 'binding', 'export-assign']);

/** The names a file binds at the top level: its definitions and its imports. */
function boundNames(split: SplitSource): Set<string> {
  const bound = new Set<string>();
  for (const st of split.statements) {
    if (st.name && DEFINES.has(st.kind)) bound.add(st.name);
    for (const n of st.imports ?? []) bound.add(n);
  }
  return bound;
}

/** Whether a candidate's import (or directive) is already in the target: same names bound, or the same text. */
function importPresent(target: SplitSource, bound: Set<string>, text: string, names: string[]): boolean {
  if (names.length > 0 && names.every((n) => bound.has(n))) return true;
  if (target.statements.some((t) => normaliseWs(statementText(target, t)) === normaliseWs(text))) return true;
  return /^['"]use strict/.test(text.trim());
}

/**
 * Adds the import statements a candidate brings (texts of whole statements) to `content`, after the file's
 * own imports: those whose names the file already binds are left out, JavaScript ones take the file's module
 * style. (insertCode does the same for the imports of a top-level function; replaceSymbol for a method's.)
 */
export function mergeImports(content: string, language: Language, importTexts: string[]): string {
  const target = splitStatements(content, language);
  const bound = boundNames(target);
  const style = language !== 'python' ? (moduleStyleOf(content) ?? 'commonjs') : 'commonjs';
  const add: string[] = [];
  for (const text of importTexts) {
    const names = splitStatements(text, language).statements.flatMap((st) => st.imports ?? []);
    if (importPresent(target, bound, text, names)) continue;
    const converted = language !== 'python' ? convertImport(text, style) : text;
    if (!add.includes(converted)) add.push(converted);
  }
  return add.length > 0 ? insertImports(content, language, add) : content;
}

/**
 * Places `code` into `existing` (null: a new file). See the file comment. Throws when the code does not
 * define the entry point.
 */
export function insertCode(existing: string | null, code: string, options: InsertOptions): InsertResult {
  const { language } = options;
  const clean = normaliseCode(code);
  const notes: string[] = [];
  if (options.kind === 'stdio') {
    const eol = existing ? detectEolOf(existing) : '\n';
    const content = toEol(clean, eol);
    if (existing === null) return { content, action: 'created', notes };
    return { content, action: content === existing ? 'unchanged' : 'rewritten', notes };
  }
  const entry = options.entryPoint;
  if (!entry) throw new Error('insertCode: a function task needs its entry point');

  const cand = splitStatements(clean, language);
  const entryStmt = cand.statements.find(
    (s) => (s.kind === 'function' || s.kind === 'class' || s.kind === 'binding') && s.name === entry,
  );
  if (!entryStmt) throw new Error(`The selected code does not define ${entry} at the top level.`);

  const target = existing !== null ? splitStatements(existing, language) : null;
  const targetDefs = new Map<string, Statement>();
  const bound = new Set<string>();
  if (target) {
    for (const st of target.statements) {
      if (st.name && DEFINES.has(st.kind) && !targetDefs.has(st.name)) targetDefs.set(st.name, st);
    }
    for (const n of boundNames(target)) bound.add(n);
  }

  // The module style the result must have (JavaScript): the file's, else the candidate's (new file), else
  // the default for the path.
  const style: ModuleStyle =
    (existing !== null ? moduleStyleOf(existing) : moduleStyleOf(clean)) ??
    options.defaultModuleStyle ??
    'commonjs';

  // Sort the candidate's statements.
  const imports: string[] = [];
  const helpers: Array<{ st: Statement; text: string }> = [];
  const others: string[] = [];
  const renames: Array<[string, string]> = [];
  for (const st of cand.statements) {
    if (st === entryStmt) continue;
    const text = statementText(cand, st, true);
    switch (st.kind) {
      case 'import':
      case 'directive': {
        if (target && importPresent(target, bound, statementText(cand, st), st.imports ?? [])) break;
        const importText = statementText(cand, st);
        const converted = language !== 'python' ? convertImport(importText, style) : importText;
        if (converted !== importText)
          notes.push(
            `Rewrote \`${clip(importText)}\` as \`${clip(converted)}\` to match the file's module style.`,
          );
        imports.push(converted);
        break;
      }
      case 'function':
      case 'class':
      case 'binding': {
        const name = st.name!;
        const theirs = targetDefs.get(name);
        if (theirs && target) {
          if (
            normaliseWs(stripExport(statementText(target, theirs))) ===
            normaliseWs(stripExport(statementText(cand, st)))
          )
            break; // same helper already there
          const renamed = `${name}_${entry}`;
          renames.push([name, renamed]);
          notes.push(
            `The file already defines a different \`${name}\`; the selected code's helper was renamed to \`${renamed}\`.`,
          );
        }
        helpers.push({ st, text: stripExport(text) });
        break;
      }
      case 'export':
      case 'export-assign':
        break; // exports are the file's business (see below)
      case 'main':
        notes.push('The selected code\'s `if __name__ == "__main__":` block was left out.');
        break;
      case 'docstring':
        if (!target) others.push(text);
        break;
      default:
        if (isDemoCode(statementText(cand, st), entry, language)) {
          notes.push(`Left out demo code: \`${clip(statementText(cand, st))}\`.`);
        } else others.push(text);
    }
  }
  let entryText = stripExport(statementText(cand, entryStmt, true));
  const applyRenames = (s: string) =>
    renames.reduce((acc, [a, b]) => renameIdentifier(acc, language, a, b), s);
  entryText = applyRenames(entryText);
  const helperTexts = helpers.map((h) => applyRenames(h.text));
  const otherTexts = others.map(applyRenames);

  // Exports (JavaScript): keep the file's way of exporting the entry point, or add one so tests can import it.
  let exportPrefix = '';
  let inlineTrailer = ''; // replaces `module.exports.f = function ...` in place
  let endTrailer = ''; // `module.exports.f = f;` at the end, after any `module.exports = {...}`
  if (language !== 'python') {
    const existingEntry = targetDefs.get(entry);
    const exportedElsewhere = existing !== null && isExported(existing, entry);
    if (existingEntry?.exportPrefix) exportPrefix = existingEntry.exportPrefix;
    else if (existingEntry?.kind === 'export-assign') {
      const prefix = /^(module\.exports|exports)\./.exec(statementText(target!, existingEntry))![1]!;
      inlineTrailer = `${prefix}.${entry} = ${entry};`;
    } else if (!exportedElsewhere) {
      if (style === 'esm') exportPrefix = 'export ';
      else endTrailer = `module.exports.${entry} = ${entry};`;
      if (existingEntry)
        notes.push(`\`${entry}\` was not exported; it is now, so that the tests can import it.`);
    }
  }
  const entryBlock =
    withPrefixOnDeclaration(entryText, exportPrefix, entryStmt.commentStartLine < entryStmt.startLine) +
    (inlineTrailer ? `\n${inlineTrailer}` : '');

  if (existing === null || target === null) {
    const parts = [...imports, ...otherTexts, ...helperTexts, entryBlock];
    return {
      content: parts.join(BLANK[language]) + '\n' + (endTrailer ? `\n${endTrailer}\n` : ''),
      action: 'created',
      notes,
    };
  }

  const eol = target.eol;
  const existingEntry = targetDefs.get(entry);
  const pieces = [...otherTexts, ...helperTexts];
  let content: string;
  let action: InsertResult['action'];
  if (existingEntry) {
    // Keep the file's own comment above the function; the candidate's leading comment goes only when the
    // file has none.
    const fileHasComment = existingEntry.commentStartLine < existingEntry.startLine;
    const newEntry = fileHasComment
      ? withPrefixOnDeclaration(
          applyRenames(stripExport(statementText(cand, entryStmt))),
          exportPrefix,
          false,
        ) + (inlineTrailer ? `\n${inlineTrailer}` : '')
      : entryBlock;
    const replacement = [...pieces, newEntry].join(BLANK[language]);
    const replaceFrom =
      pieces.length > 0 && !fileHasComment ? existingEntry.commentStartLine : existingEntry.startLine;
    const start = target.lines[replaceFrom]!.offset;
    const last = target.lines[existingEntry.endLine]!;
    const end = last.offset + last.text.length;
    content = existing.slice(0, start) + toEol(replacement, eol) + existing.slice(end);
    action = 'replaced';
  } else {
    const block = [...pieces, entryBlock].join(BLANK[language]);
    const main = language === 'python' ? target.statements.find((s) => s.kind === 'main') : undefined;
    if (main) {
      const at = target.lines[main.commentStartLine]!.offset;
      content = existing.slice(0, at) + toEol(block + BLANK[language], eol) + existing.slice(at);
    } else {
      const body = existing.replace(/(\r?\n)*$/, '');
      content = body === '' ? toEol(block + '\n', eol) : body + toEol(BLANK[language] + block + '\n', eol);
    }
    action = 'appended';
  }
  if (endTrailer) content = content.replace(/(\r?\n)*$/, '') + toEol(`\n\n${endTrailer}\n`, eol);
  if (imports.length > 0) content = insertImports(content, language, imports);
  return { content, action: content === existing ? 'unchanged' : action, notes };
}

/** Rewrites a simple `require` as an `import` (for ES modules) or the reverse (for CommonJS). */
export function convertImport(text: string, style: ModuleStyle): string {
  const t = text.trim();
  if (style === 'esm') {
    const whole = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\((['"])([^'"]+)\2\)\s*;?$/.exec(t);
    if (whole) return `import ${whole[1]} from '${whole[3]}';`;
    const parts = /^(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\((['"])([^'"]+)\2\)\s*;?$/.exec(t);
    if (parts) {
      const names = parts[1]!
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '')
        .map((x) => x.replace(/^([A-Za-z_$][\w$]*)\s*:\s*([A-Za-z_$][\w$]*)$/, '$1 as $2'));
      return `import { ${names.join(', ')} } from '${parts[3]}';`;
    }
    return text;
  }
  const m = /^import\s+([\s\S]*?)\s+from\s+(['"])([^'"]+)\2\s*;?$/.exec(t);
  if (!m) {
    const bare = /^import\s+(['"])([^'"]+)\1\s*;?$/.exec(t);
    return bare ? `require('${bare[2]}');` : text;
  }
  const clause = m[1]!.trim();
  const mod = m[3]!;
  const out: string[] = [];
  const ns = /^\*\s+as\s+([A-Za-z_$][\w$]*)$/.exec(clause);
  if (ns) return `const ${ns[1]} = require('${mod}');`;
  const def = /^([A-Za-z_$][\w$]*)\s*(?:,|$)/.exec(clause);
  if (def) out.push(`const ${def[1]} = require('${mod}');`);
  const named = /\{([^}]*)\}/.exec(clause);
  if (named) {
    const names = named[1]!
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')
      .map((x) => x.replace(/^([A-Za-z_$][\w$]*)\s+as\s+([A-Za-z_$][\w$]*)$/, '$1: $2'));
    out.push(`const { ${names.join(', ')} } = require('${mod}');`);
  }
  return out.length > 0 ? out.join('\n') : text;
}

function stripExport(text: string): string {
  return text.replace(
    /^((?:\s*(?:\/\/.*|\/\*[\s\S]*?\*\/)\s*\n)*)export\s+(default\s+)?(?=(async\s+)?function|class|const|let|var)/,
    '$1',
  );
}

function withPrefixOnDeclaration(text: string, prefix: string, hasLeadingComment: boolean): string {
  if (!prefix) return text;
  if (!hasLeadingComment) return prefix + text;
  // Put the prefix on the first code line, after the leading comment.
  const lines = text.split('\n');
  const { lines: info } = splitStatements(text, 'javascript');
  const idx = info.findIndex((l) => l.hasCode);
  lines[idx] = prefix + lines[idx];
  return lines.join('\n');
}

function isExported(source: string, name: string): boolean {
  const split = splitStatements(source, 'javascript');
  for (const st of split.statements) {
    const text = statementText(split, st);
    if (st.name === name && st.exportPrefix) return true;
    if (st.kind === 'export-assign' && st.name === name) return true;
    if (st.kind === 'export') {
      if (new RegExp(`^export\\s*\\{[^}]*\\b${name}\\b`).test(text)) return true;
      if (new RegExp(`^module\\.exports\\s*=\\s*${name}\\s*;?$`).test(text)) return true;
      if (new RegExp(`^module\\.exports\\s*=\\s*\\{[\\s\\S]*\\b${name}\\b`).test(text)) return true;
    }
  }
  return false;
}

function isDemoCode(text: string, entry: string, language: Language): boolean {
  const t = text.trim();
  if (language === 'python') {
    if (/^(print|assert|input)\b/.test(t)) return true;
  } else if (/^(console\.\w+|assert|process\.stdout)\b/.test(t)) return true;
  return new RegExp(`^${entry}\\s*\\(`).test(t);
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? one.slice(0, 59) + '…' : one;
}

function detectEolOf(s: string): '\n' | '\r\n' {
  return /\r\n/.test(s) && (s.match(/\r\n/g) ?? []).length * 2 >= (s.match(/\n/g) ?? []).length
    ? '\r\n'
    : '\n';
}

function toEol(s: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? s : s.replace(/\r?\n/g, '\r\n');
}

/** Adds import lines after the file's last leading import (or its header: shebang, docstring, directives). */
function insertImports(content: string, language: Language, imports: string[]): string {
  const split = splitStatements(content, language);
  let after: Statement | undefined;
  for (const st of split.statements) {
    if (st.kind === 'import' || st.kind === 'directive' || st.kind === 'docstring') after = st;
    else break;
  }
  const eol = split.eol;
  const block = toEol(imports.join('\n'), eol);
  if (!after) {
    // Before the first statement, keeping a leading shebang / comment header in place.
    const first = split.statements[0]!;
    let at = split.lines[first.commentStartLine]!.offset;
    if (split.lines[0]!.text.startsWith('#!') && first.commentStartLine === 0)
      at = split.lines[1]?.offset ?? content.length;
    return content.slice(0, at) + block + eol.repeat(language === 'python' ? 3 : 2) + content.slice(at);
  }
  const last = split.lines[after.endLine]!;
  const at = last.offset + last.text.length;
  const isImport = after.kind === 'import' || (after.kind === 'directive' && language === 'python');
  return content.slice(0, at) + eol + (isImport ? '' : eol) + block + content.slice(at);
}

export interface WriteCodeOptions extends InsertOptions, PathPolicy {
  /** Repository root. */
  root: string;
  /** Repository-relative target path. */
  target: string;
}

export interface WriteCodeResult extends InsertResult {
  /** Absolute path written. */
  path: string;
}

/** Reads the target (if any), places the code, writes it back. Paths are checked (inside the repo, not .github/, no links). */
export async function writeSelectedCode(code: string, options: WriteCodeOptions): Promise<WriteCodeResult> {
  const abs = await resolveInsideRepo(options.root, options.target, options);
  let existing: string | null = null;
  try {
    existing = await readFile(abs, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const insertOptions = { ...options };
  if (options.language !== 'python' && !options.defaultModuleStyle) {
    insertOptions.defaultModuleStyle = await moduleStyleForPath(options.root, options.target);
  }
  const result = insertCode(existing, code, insertOptions);
  if (result.action !== 'unchanged') {
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, result.content, 'utf8');
  }
  return { ...result, path: abs };
}
