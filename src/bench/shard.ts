// `--shard I/N`: shard I (1-based) of N takes every task whose index (in dataset order, after --limit) is
// congruent to I-1 modulo N. Round-robin rather than contiguous blocks, so that every shard gets a similar mix
// of easy and hard tasks (datasets tend to be ordered by difficulty or date) and shards finish together.
import { UserError } from '../types.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined || text === '') return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UserError(`--shard must look like I/N (e.g. 2/4), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count)
    throw new UserError(`--shard ${text}: I must be between 1 and N (shards are numbered 1..N)`);
  return { index, count };
}

/** The tasks of one shard, in order, with their index in the whole (unsharded) list. */
export function selectShard<T>(
  items: readonly T[],
  shard: Shard | undefined,
): Array<{ item: T; index: number }> {
  const all = items.map((item, index) => ({ item, index }));
  if (!shard) return all;
  return all.filter(({ index }) => index % shard.count === shard.index - 1);
}

export function formatShard(shard: Shard | undefined): string | undefined {
  return shard ? `${shard.index}/${shard.count}` : undefined;
}
