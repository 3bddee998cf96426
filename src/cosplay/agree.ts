// Output agreement used by stage-3 clustering and MBR-exec: the executor's own comparison (`outputsAgree`:
// stdio outputs token by token, function outputs structurally, floats within a tolerance), so that "agree"
// means what a passing verdict means.
import { outputsAgree } from '../exec/compare.js';
import type { TaskKind } from '../types.js';
import type { Agree } from './context.js';

export function agreeFor(kind: TaskKind, tolerance?: number): Agree {
  return (a, b) => outputsAgree(a, b, kind, tolerance);
}
