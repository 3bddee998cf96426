// Retry policy: which failures are retried, how long to wait (exponential backoff with jitter, or what the
// server asks for with retry-after-ms / retry-after).

/**
 * The wait a server asks for, in ms: `retry-after-ms` (milliseconds), else `retry-after` as seconds or as
 * an HTTP date (relative to `now`). Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  get: (name: string) => string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = get('retry-after-ms');
  if (ms != null && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const ra = get('retry-after');
  if (ra == null || ra.trim() === '') return undefined;
  const text = ra.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": retry k (0-based) waits between half and all of
 * min(max, base * 2^k), so concurrent clients spread out but never retry immediately.
 */
export function backoffDelay(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Why an attempt failed. */
export type FailureKind =
  | 'rate-limited' // 429
  | 'server-error' // 5xx, 408, 409
  | 'timeout'
  | 'connection'
  | 'unparseable' // body is not a chat completion (malformed JSON, wrong content type, missing fields)
  | 'empty-choices'
  | 'rejected' // other 4xx: the request itself is refused
  | 'auth' // 401, 403
  | 'not-found'; // 404

export function isRetryable(kind: FailureKind): boolean {
  return kind !== 'rejected' && kind !== 'auth' && kind !== 'not-found';
}

export function kindForStatus(status: number): FailureKind {
  if (status === 429) return 'rate-limited';
  if (status >= 500 || status === 408 || status === 409) return 'server-error';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  return 'rejected';
}
