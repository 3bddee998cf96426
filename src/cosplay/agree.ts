// Output agreement used by clustering and MBR-exec. The executor module owns the real comparison
// (`outputsAgree` in src/exec); until it is on main this local fallback compares outputs exactly, modulo
// trailing whitespace.
import type { TaskKind } from '../types.js';
import type { Agree } from './context.js';

export function agreeFor(_kind: TaskKind): Agree {
  return (a, b) => a.replace(/\s+$/, '') === b.replace(/\s+$/, '');
}
