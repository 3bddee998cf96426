// Repository context: paths, language and framework detection, target file context, writing code.
export * from './paths.js';
export * from './detect.js';
export * from './context.js';
export * from './layout.js';
export { insertCode, writeSelectedCode, normaliseCode, moduleStyleOf, mergeImports } from './write.js';
export type { InsertOptions, InsertResult, WriteCodeOptions, WriteCodeResult } from './write.js';
export { splitStatements } from './blocks.js';
export type { Statement, StatementKind } from './blocks.js';
export { listFunctions, changedFunctions } from './functions.js';
export type { FunctionInfo, ChangedFunction } from './functions.js';
export {
  listSymbols,
  listSymbolsOfFiles,
  changedSymbols,
  replaceSymbol,
  isTypeScriptPath,
} from './symbols.js';
export type { CodeSymbol, ChangedSymbol, SymbolOptions } from './symbols.js';
export { which, resolvePython } from './host.js';
export type { Runtime } from './host.js';
