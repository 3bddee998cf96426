// Task specs from issue and PR bodies.
export * from './types.js';
export {
  parseTaskSpec,
  fieldForHeading,
  normaliseLanguage,
  normaliseKind,
  entryPointFromSignature,
  stripBody,
} from './parse.js';
export type { ParseSpecOptions } from './parse.js';
export { sanitizeUntrusted, sanitizeWithReport, stripInvisible } from './sanitize.js';
export { parseExamples, parseFunctionExampleLine } from './examples.js';
export { specToTask, buildPrompt, functionTask } from './task.js';
export type { SpecToTaskOptions, FunctionTaskOptions } from './task.js';
export { renderSpecProblemsComment, exampleSpecYaml, SPEC_COMMENT_KIND } from './comment.js';
export type { SpecCommentOptions } from './comment.js';
