// The LLM gateway's public surface. See src/llm/protocol.ts for the wire protocol.
export {
  GITHUB_MODELS_BASE_URL,
  GITHUB_MODELS_DEFAULT_MODEL,
  LLM_DEFAULTS,
  isGithubModels,
  isLocalEndpoint,
  resolveLlmConfig,
  type LlmBudget,
  type LlmConfig,
  type LlmSettings,
} from './config.js';
export {
  createLlm,
  type CreateLlmOptions,
  type GatewayChoice,
  type GatewayLlm,
  type GatewayReply,
} from './client.js';
export type { BudgetLine, BudgetStatus, UsageCounters, UsageReport } from './usage.js';
export { makeRedactor, REDACTED, type Redactor } from './redact.js';
export { backoffDelay, parseRetryAfter, type FailureKind } from './retry.js';
export { countPromptTokens, countTextTokens } from './tokens.js';
export * from './protocol.js';
export { extractCodeBlock, extractJson, fencedBlocks, type FencedBlock } from './parse.js';
