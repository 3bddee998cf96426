// The job summary and annotations (through @actions/core; outside Actions they write nothing or log).
import * as core from '@actions/core';

/** Appends Markdown to the job summary. Returns false (and writes nothing) outside GitHub Actions. */
export async function writeJobSummary(
  markdown: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  if (!env.GITHUB_STEP_SUMMARY) return false;
  // A step summary is capped at 1 MiB.
  const max = 1024 * 1024 - 1024;
  const text = markdown.length > max ? markdown.slice(0, max) + '\n\n… (cut)\n' : markdown;
  await core.summary.addRaw(text, true).write();
  core.summary.emptyBuffer();
  return true;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  /** Repository-relative path. */
  file?: string;
  startLine?: number;
  endLine?: number;
}

/** Emits a workflow annotation (shown on the run and, for files in the PR, on the diff). */
export function annotate(a: Annotation): void {
  const props: core.AnnotationProperties = {};
  if (a.title) props.title = a.title;
  if (a.file) props.file = a.file;
  if (a.startLine !== undefined) props.startLine = a.startLine;
  if (a.endLine !== undefined) props.endLine = a.endLine;
  if (a.level === 'error') core.error(a.message, props);
  else if (a.level === 'warning') core.warning(a.message, props);
  else core.notice(a.message, props);
}
