// The LLM wire protocol shared by the client (src/llm/client.ts), the replay model (src/replay) and the
// scripted test server (test/support/scripted-server.ts). See BRIEF "THE LLM WIRE PROTOCOL".
//
// Request headers:
//   x-cosplay-stage       `<stage>.<purpose>`, e.g. `stage1.code`
//   x-cosplay-task        the task id (percent-encoded, with x-cosplay-task-encoding: uri, when it holds
//                         characters outside printable ASCII)
//   x-cosplay-request-id  a uuid, identical for every retry of one logical request
//   x-cosplay-meta        base64url(JSON(meta)), only when the request has meta
//   x-cosplay-session     (extension) a uuid per client instance; the replay model keeps its cursors per
//                         session, so two runs against one long-lived replay server see the same samples
//   x-cosplay-seq         (extension) 0, 1, 2, ... per (session, task, stage.purpose) in the order the
//                         client dispatched the logical requests; the replay server answers requests of one
//                         key in this order even when concurrent requests arrive out of order
// Response header:
//   x-cosplay-declined: 1 when at least one choice was declined (finish_reason content_filter, empty content)

import { createHash } from 'node:crypto';

export const H_STAGE = 'x-cosplay-stage';
export const H_TASK = 'x-cosplay-task';
export const H_TASK_ENCODING = 'x-cosplay-task-encoding';
export const H_REQUEST_ID = 'x-cosplay-request-id';
export const H_META = 'x-cosplay-meta';
export const H_SESSION = 'x-cosplay-session';
export const H_SEQ = 'x-cosplay-seq';
export const H_DECLINED = 'x-cosplay-declined';

/** The finish_reason of a declined choice (with empty content). */
export const DECLINED_FINISH_REASON = 'content_filter';

export function encodeMeta(meta: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(meta), 'utf8').toString('base64url');
}

/**
 * Live endpoints and proxies refuse large headers (often 8 KB), so a meta whose encoding exceeds this many
 * bytes is sent with its long top-level strings replaced by `{"$sha256": inputDigest(value)}`; the replay
 * model matches recorded inputs by the same digest.
 */
export const META_HEADER_LIMIT = 4096;
const DIGEST_MIN_LENGTH = 128;

/** sha256 (hex) of a text with all whitespace removed: how a shortened meta names a long input. */
export function inputDigest(text: string): string {
  return createHash('sha256').update(text.replace(/\s+/g, ''), 'utf8').digest('hex');
}

/** The x-cosplay-meta value, shortened as described at META_HEADER_LIMIT when needed. */
export function encodeMetaHeader(meta: Record<string, unknown>, limit = META_HEADER_LIMIT): string {
  const full = encodeMeta(meta);
  if (full.length <= limit) return full;
  const slim: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta))
    slim[k] = typeof v === 'string' && v.length > DIGEST_MIN_LENGTH ? { $sha256: inputDigest(v) } : v;
  return encodeMeta(slim);
}

/** The digest of a shortened meta string value, or undefined when the value is not one. */
export function metaDigest(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const d = (value as { $sha256?: unknown }).$sha256;
  return typeof d === 'string' ? d : undefined;
}

/** Decodes an `x-cosplay-meta` value; undefined when absent or not valid base64url JSON of an object. */
export function decodeMeta(value: string | undefined | null): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Header value(s) for a task id: as is when printable ASCII, else percent-encoded and flagged. */
export function encodeTaskHeader(task: string): Record<string, string> {
  return PRINTABLE_ASCII.test(task)
    ? { [H_TASK]: task }
    : { [H_TASK]: encodeURIComponent(task), [H_TASK_ENCODING]: 'uri' };
}

export function decodeTaskHeader(value: string | undefined, encoding: string | undefined): string {
  if (value === undefined) return '';
  if (encoding === 'uri') {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Splits `stage1.code` into its stage and purpose (purpose `other` when missing). */
export function parseStageHeader(value: string | undefined): { stage: string; purpose: string } {
  if (!value) return { stage: '', purpose: 'other' };
  const dot = value.indexOf('.');
  if (dot < 0) return { stage: value, purpose: 'other' };
  return { stage: value.slice(0, dot), purpose: value.slice(dot + 1) || 'other' };
}

/** The protocol fields of an incoming request, read from its (lower-case) headers. */
export interface ProtocolFields {
  stage: string;
  purpose: string;
  task: string;
  requestId?: string;
  meta?: Record<string, unknown>;
  session?: string;
  seq?: number;
}

export function readProtocolHeaders(headers: Record<string, string | string[] | undefined>): ProtocolFields {
  const one = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const { stage, purpose } = parseStageHeader(one(H_STAGE));
  const seqText = one(H_SEQ);
  const seq = seqText !== undefined && /^\d+$/.test(seqText) ? Number(seqText) : undefined;
  return {
    stage,
    purpose,
    task: decodeTaskHeader(one(H_TASK), one(H_TASK_ENCODING)),
    requestId: one(H_REQUEST_ID) || undefined,
    meta: decodeMeta(one(H_META)),
    session: one(H_SESSION) || undefined,
    seq,
  };
}

/** A fenced block whose fence is longer than any backtick run inside the body. */
export function fence(body: string, lang = ''): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${lang}\n${body.replace(/\s+$/, '')}\n${ticks}\n`;
}

/** A ```json block holding `value`, the reply format of the JSON purposes. */
export function jsonBlock(value: unknown): string {
  return fence(JSON.stringify(value), 'json');
}
