// The execution engine's public API: run Code x UT matrices in a sandbox, fail closed without one, memoise cells
// across growing matrices, and compare outputs by the verdict's rules.
export type { SandboxMode, SandboxCheck } from './sandbox.js';
export { checkSandbox, SandboxUnavailableError } from './sandbox.js';
export type { ExecutorOptions, SandboxExecutor } from './engine.js';
export {
  createExecutor,
  resolveCacheDir,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MEMORY_MB,
  DEFAULT_OUTPUT_LIMIT,
} from './engine.js';
export type { CachingExecutor, CacheOptions } from './cache.js';
export { createCachingExecutor } from './cache.js';
export { CellStore, persistable, STORE_FORMAT } from './store.js';
export {
  outputsAgree,
  stdoutAgree,
  valuesAgree,
  normaliseStdout,
  renderValue,
  DEFAULT_FLOAT_TOLERANCE,
} from './compare.js';
export { toScript } from './esm.js';
