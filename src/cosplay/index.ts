// CoSPlay: cooperative self-play of candidate programs and self-generated unit tests (the method's core).
export { runCosplay, type RunCosplayInput } from './pipeline.js';
export {
  PAPER_PARAMS,
  SMALL_PARAMS,
  REPLAY_PARAMS,
  BON_RULES,
  resolveParams,
  type BonRule,
  type CosplayParams,
} from './params.js';
export * from './types.js';
export {
  type ExecutionMatrix,
  buildMatrix,
  matrixOf,
  pCode,
  pUT,
  validColumns,
  isTrivial,
  nonTrivialColumns,
  allOnes,
  bonTies,
  renderMatrix,
} from './matrix.js';
export {
  selectCleaning,
  selectCouplingBreak,
  selectFixTarget,
  selectUtReplacement,
  selectAllPassReplacement,
  highSupport,
  repairKeeps,
} from './stage2.js';
export { selectByCluster, isErr, type ClusterSelection } from './stage3.js';
export {
  computeBaselines,
  codetGroups,
  codetScores,
  mbrScores,
  passCountScores,
  firstScores,
  type CodetGroup,
} from './baselines.js';
export {
  Archive,
  archiveOf,
  type ArchivedCode,
  type ArchivedUt,
  type CodeFate,
  type UtFate,
} from './archive.js';
export {
  archiveEligible,
  archiveMatrix,
  archiveSupport,
  behaviourTie,
  outputClasses,
  type BehaviourTie,
  type FreshRun,
} from './select.js';
