// What the prompts learn about the target file: whether it exists, its imports (available to the new code),
// the other names it defines, and optionally the current definition of the function.
import { readFile } from 'node:fs/promises';
import type { Language } from '../types.js';
import { splitStatements } from './blocks.js';
import { resolveInsideRepo, type PathPolicy } from './paths.js';

export interface TargetContext {
  /** Repository-relative path. */
  path: string;
  exists: boolean;
  content: string | null;
  /** The file's top-level import statements, as written. */
  imports: string[];
  /** Names of the file's top-level functions, classes and bindings. */
  definitions: string[];
  /** The current top-level definition of the entry point, when the file has one. */
  currentDefinition: string | null;
}

/** Largest target file read for context (bigger files are treated as opaque). */
const MAX_TARGET_BYTES = 512 * 1024;

export function targetContextFromSource(
  relPath: string,
  content: string | null,
  language: Language,
  entryPoint?: string,
): TargetContext {
  if (content === null)
    return {
      path: relPath,
      exists: false,
      content: null,
      imports: [],
      definitions: [],
      currentDefinition: null,
    };
  const split = splitStatements(content, language);
  const text = (a: number, b: number) =>
    split.lines
      .slice(a, b + 1)
      .map((l) => l.text)
      .join('\n');
  const imports = split.statements
    .filter((s) => s.kind === 'import' || (s.kind === 'directive' && language === 'python'))
    .map((s) => text(s.startLine, s.endLine));
  const definitions = split.statements
    .filter((s) => s.name && (s.kind === 'function' || s.kind === 'class' || s.kind === 'binding'))
    .map((s) => s.name!);
  const entry = entryPoint
    ? split.statements.find((s) => s.name === entryPoint && s.kind !== 'export-assign' && s.kind !== 'export')
    : undefined;
  return {
    path: relPath,
    exists: true,
    content,
    imports,
    definitions: [...new Set(definitions)],
    currentDefinition: entry ? text(entry.startLine, entry.endLine) : null,
  };
}

export async function readTargetContext(
  root: string,
  target: string,
  options: PathPolicy & { language: Language; entryPoint?: string },
): Promise<TargetContext> {
  const abs = await resolveInsideRepo(root, target, options);
  let content: string | null = null;
  try {
    const buf = await readFile(abs);
    if (buf.length > MAX_TARGET_BYTES) {
      // Too big to show; it exists, and writing into it still works.
      return {
        path: target,
        exists: true,
        content: null,
        imports: [],
        definitions: [],
        currentDefinition: null,
      };
    }
    content = buf.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return targetContextFromSource(target, content, options.language, options.entryPoint);
}

/**
 * The `Task.context` text for prompts: where the code goes, the imports it may rely on, the names it must
 * not clash with, and (optionally) the current definition.
 */
export function promptContext(
  ctx: TargetContext,
  options: { includeCurrent?: boolean; maxChars?: number } = {},
): string {
  const max = options.maxChars ?? 4000;
  const parts: string[] = [];
  if (!ctx.exists) parts.push(`The code goes into a new file, ${ctx.path}.`);
  else {
    parts.push(`The code goes into the existing file ${ctx.path}.`);
    if (ctx.imports.length > 0)
      parts.push(`That file already imports (your code may use these):\n${ctx.imports.join('\n')}`);
    const others = ctx.definitions.filter(
      (d) => !ctx.currentDefinition || !ctx.currentDefinition.includes(d),
    );
    if (others.length > 0)
      parts.push(
        `Other top-level names in that file (do not redefine them): ${others.slice(0, 50).join(', ')}.`,
      );
    if (options.includeCurrent && ctx.currentDefinition)
      parts.push(`Its current implementation, which may be wrong:\n${ctx.currentDefinition}`);
  }
  const text = parts.join('\n\n');
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
