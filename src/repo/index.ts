// Repository context: paths, language and framework detection, target file context, writing code.
export * from './paths.js';
export * from './detect.js';
export * from './context.js';
export * from './layout.js';
export { insertCode, writeSelectedCode, normaliseCode, moduleStyleOf } from './write.js';
export type { InsertOptions, InsertResult, WriteCodeOptions, WriteCodeResult } from './write.js';
export { splitStatements } from './blocks.js';
export type { Statement, StatementKind } from './blocks.js';
export { listFunctions, changedFunctions } from './functions.js';
export type { FunctionInfo, ChangedFunction } from './functions.js';
