// Which functions of a pull request the gate checks: functions and methods the PR adds or changes (Python,
// JavaScript; read by the source model, repo/symbols.ts) outside test files that carry a spec (a docstring or
// JSDoc block) or that the PR body names (a method by its own name or as `Class.method`).
import type { Language } from '../../types.js';
import { changedSymbols, type ChangedSymbol } from '../../repo/index.js';
import { sanitizeUntrusted } from '../../taskspec/index.js';
import { isTestPath, isVendoredPath, languageOfPath } from '../../repo/source.js';

export interface ChangedSource {
  /** Repository-relative path after the change. */
  path: string;
  /** Content before the change (null: a new file, or the base version could not be read). */
  before: string | null;
  after: string;
}

export interface GateTarget {
  path: string;
  language: Language;
  /** The function or method ('Class.method'), as the source model reads it. */
  symbol: ChangedSymbol;
  /** The same object as `symbol` (the name callers used before methods were targets). */
  fn: ChangedSymbol;
  /** Where the spec comes from. */
  specSource: 'doc' | 'pr-body';
  /** The spec text for the prompt, sanitised. */
  description: string;
  /** The file's content after the change. */
  source: string;
}

export interface SkippedFunction {
  path: string;
  name: string;
  reason: string;
}

/** Longest part of a PR body used as a spec. */
const MAX_BODY_SPEC = 3000;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * True when the (sanitised) PR body names the function: as code (`` `clamp` ``), as a call (`clamp(`), or as
 * a word when the name cannot be an ordinary English word (it has an underscore, a digit or an inner capital:
 * `parse_date`, `isLeapYear`). "Add a helper" does not name `helper`.
 */
export function namedInBody(body: string, name: string): boolean {
  if (name.length < 2) return false;
  const n = escapeRegExp(name);
  if (new RegExp(`\`[^\`\n]*(?<![\\w$])${n}(?![\\w$])[^\`\n]*\``).test(body)) return true;
  if (new RegExp(`(^|[^\\w$])${n}\\s*\\(`).test(body)) return true;
  const distinctive = /[_\d]|[a-z][A-Z]/.test(name);
  return distinctive && new RegExp(`(^|[^\\w$])${n}(?![\\w$])`).test(body);
}

export async function selectGateTargets(
  files: ChangedSource[],
  prBody: string,
  options: { limit: number; python?: string },
): Promise<{ targets: GateTarget[]; skipped: SkippedFunction[] }> {
  const body = sanitizeUntrusted(prBody ?? '');
  const targets: GateTarget[] = [];
  const skipped: SkippedFunction[] = [];
  for (const f of files) {
    const language = languageOfPath(f.path);
    if (!language || isTestPath(f.path) || isVendoredPath(f.path)) continue;
    let changed: ChangedSymbol[];
    try {
      changed = await changedSymbols(f.before, f.after, language, { python: options.python, path: f.path });
    } catch (err) {
      skipped.push({
        path: f.path,
        name: '(file)',
        reason: `the file does not parse: ${(err as Error).message.split('\n')[0]}`,
      });
      continue;
    }
    for (const fn of changed) {
      const doc = sanitizeUntrusted(fn.doc).trim();
      const named =
        namedInBody(body, fn.name) || (fn.kind === 'method' && namedInBody(body, fn.member ?? ''));
      if (doc === '' && !named) {
        skipped.push({
          path: f.path,
          name: fn.name,
          reason: 'no spec: add a docstring/JSDoc or name the function in the pull request description',
        });
        continue;
      }
      if (targets.length >= options.limit) {
        skipped.push({
          path: f.path,
          name: fn.name,
          reason: `over the limit of ${options.limit} functions per run`,
        });
        continue;
      }
      const description =
        doc !== '' ? doc : `From the pull request's description:\n\n${body.trim().slice(0, MAX_BODY_SPEC)}`;
      targets.push({
        path: f.path,
        language,
        symbol: fn,
        fn,
        specSource: doc !== '' ? 'doc' : 'pr-body',
        description,
        source: f.after,
      });
    }
  }
  return { targets, skipped };
}
