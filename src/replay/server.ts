// The replay model over an OpenAI-compatible HTTP API (POST <url>/chat/completions, GET <url>/models), so
// that `demo`, `bench --model replay` and a live run pointed at it with --base-url all take the same client
// path. Requests of one (session, task, stage.purpose) are answered in their x-cosplay-seq order even when
// concurrent requests arrive out of order, and a repeated x-cosplay-request-id gets the identical reply.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatasetTask } from '../data/dataset.js';
import { loadDataset } from '../data/dataset.js';
import {
  DECLINED_FINISH_REASON,
  H_DECLINED,
  readProtocolHeaders,
  type ProtocolFields,
} from '../llm/protocol.js';
import { countPromptTokens, countTextTokens } from '../llm/tokens.js';
import type { ChatMessage } from '../types.js';
import { ReplayModel } from './model.js';

export const REPLAY_MODEL_NAME = 'replay';

export interface ReplayServerOptions {
  /** Recorded tasks, or a dataset file to load them from. */
  tasks?: DatasetTask[];
  datasetPath?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * How long a request waits for the earlier requests of its (session, task, stage.purpose) sequence before
   * it is answered anyway (default 6 minutes: longer than the client retries one request, so that a request
   * held up by a flaky network still gets its place in the recordings). Only matters when a client skips a
   * sequence number or an earlier request is being retried.
   */
  maxSeqWaitMs?: number;
  /** Receives a line for each refused request and the first decline per task and purpose (default: none). */
  log?: (line: string) => void;
}

export interface ReplayServer {
  /** Base URL for an OpenAI client, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  port: number;
  host: string;
  model: ReplayModel;
  /** How many chat-completion requests were answered (repeats included). */
  requestCount(): number;
  close(): Promise<void>;
}

const MAX_BODY = 32 * 1024 * 1024;

function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function errorBody(message: string, type = 'invalid_request_error'): string {
  return JSON.stringify({ error: { message, type, code: null, param: null } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface SeqState {
  next: number;
  waiters: Map<number, () => void>;
}

export async function startReplayServer(opts: ReplayServerOptions): Promise<ReplayServer> {
  const tasks = opts.tasks ?? (opts.datasetPath ? await loadDataset(opts.datasetPath) : undefined);
  if (!tasks) throw new Error('startReplayServer needs tasks or datasetPath');
  const model = new ReplayModel(tasks);
  const host = opts.host ?? '127.0.0.1';
  const maxSeqWaitMs = opts.maxSeqWaitMs ?? 360_000;
  const replies = new Map<string, Promise<{ body: string; declined: number; note?: string }>>();
  const seqStates = new Map<string, SeqState>();
  const timers = new Set<NodeJS.Timeout>();
  let answered = 0;
  const refused = new Set<string>();
  const declinesLogged = new Set<string>();

  /** Waits until every earlier request of this sequence was answered (or the wait times out). */
  function waitTurn(key: string, seq: number): Promise<void> {
    let st = seqStates.get(key);
    if (!st) seqStates.set(key, (st = { next: 0, waiters: new Map() }));
    if (seq <= st.next) return Promise.resolve();
    const state = st;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        state.waiters.delete(seq);
        resolve();
      }, maxSeqWaitMs);
      timers.add(timer);
      state.waiters.set(seq, () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      });
    });
  }

  function done(key: string, seq: number): void {
    const st = seqStates.get(key)!;
    if (seq + 1 > st.next) st.next = seq + 1;
    const w = st.waiters.get(st.next);
    if (w) {
      st.waiters.delete(st.next);
      w();
    }
  }

  async function answer(
    fields: ProtocolFields,
    body: Record<string, unknown>,
  ): Promise<{ body: string; declined: number; note?: string }> {
    const n = typeof body.n === 'number' ? body.n : 1;
    const seqKey = `${fields.session ?? ''}\u0000${fields.task}\u0000${fields.stage}.${fields.purpose}`;
    if (fields.seq !== undefined) await waitTurn(seqKey, fields.seq);
    let result;
    try {
      result = model.answer({
        stage: fields.stage,
        purpose: fields.purpose,
        task: fields.task,
        meta: fields.meta,
        n,
        requestId: fields.requestId,
        session: fields.session,
      });
    } finally {
      if (fields.seq !== undefined) done(seqKey, fields.seq);
    }
    const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMessage[];
    const promptTokens = await countPromptTokens(
      messages.map((m) => ({
        role: m.role,
        content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
      })),
    );
    let completionTokens = 0;
    for (const ch of result.choices) completionTokens += await countTextTokens(ch.text ?? '');
    const reply = {
      id: `chatcmpl-replay-${fields.requestId ?? answered}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: REPLAY_MODEL_NAME,
      choices: result.choices.map((ch, index) => ({
        index,
        message: { role: 'assistant', content: ch.text ?? '', refusal: null },
        finish_reason: ch.text === null ? DECLINED_FINISH_REASON : 'stop',
        logprobs: null,
      })),
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
    return {
      body: JSON.stringify(reply),
      declined: result.declined,
      ...(result.note ? { note: result.note } : {}),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    if (req.method === 'GET' && path.endsWith('/models')) {
      sendJson(
        res,
        200,
        JSON.stringify({
          object: 'list',
          data: [{ id: REPLAY_MODEL_NAME, object: 'model', created: 0, owned_by: 'cosplay' }],
        }),
      );
      return;
    }
    if (!path.endsWith('/chat/completions')) {
      sendJson(
        res,
        404,
        errorBody(`no route ${req.method} ${path}; the replay server answers POST <base>/chat/completions`),
      );
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, errorBody('use POST'));
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed = JSON.parse(await readBody(req));
      if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.messages))
        throw new Error('messages missing');
      body = parsed;
    } catch (err) {
      sendJson(res, 400, errorBody(`the body must be a chat completion request: ${(err as Error).message}`));
      return;
    }
    if (
      body.n !== undefined &&
      !(typeof body.n === 'number' && Number.isInteger(body.n) && body.n >= 1 && body.n <= 128)
    ) {
      sendJson(res, 400, errorBody('n must be an integer from 1 to 128'));
      return;
    }
    if (body.stream === true) {
      sendJson(res, 400, errorBody('the replay server does not stream'));
      return;
    }
    const fields = readProtocolHeaders(req.headers);
    if (!model.has(fields.task)) {
      const known = model.taskIds();
      const message =
        `the replay server has no recordings for task ${JSON.stringify(fields.task)}; it serves ${known.length} ` +
        `recorded task(s) (${known.slice(0, 3).join(', ')}${known.length > 3 ? ', ...' : ''}). Name one: ` +
        `\`cosplay solve TASK.md --task-id ${known[0] ?? 'ID'}\`, or \`id: ${known[0] ?? 'ID'}\` in the spec`;
      if (!refused.has(fields.task)) {
        refused.add(fields.task);
        opts.log?.(
          `replay server: refused ${fields.stage}.${fields.purpose} for task ${JSON.stringify(fields.task)}: no recordings for it`,
        );
      }
      sendJson(
        res,
        404,
        JSON.stringify({ error: { message, type: 'not_found_error', code: 'task_not_found', param: null } }),
      );
      return;
    }
    let reply: Promise<{ body: string; declined: number; note?: string }>;
    const cacheKey = fields.requestId ? `${fields.session ?? ''}\u0000${fields.requestId}` : undefined;
    const cached = cacheKey ? replies.get(cacheKey) : undefined;
    if (cached) reply = cached;
    else {
      reply = answer(fields, body);
      if (cacheKey) {
        replies.set(cacheKey, reply);
        if (replies.size > 50_000) replies.delete(replies.keys().next().value!);
      }
    }
    const { body: text, declined, note } = await reply;
    answered++;
    if (declined && note) {
      const key = `${fields.task}\u0000${fields.stage}.${fields.purpose}\u0000${note}`;
      if (!declinesLogged.has(key)) {
        declinesLogged.add(key);
        opts.log?.(
          `replay server: declined ${fields.stage}.${fields.purpose} of task ${fields.task}: ${note}`,
        );
      }
    }
    sendJson(res, 200, text, { 'x-cosplay-replay': '1', ...(declined ? { [H_DECLINED]: '1' } : {}) });
  }

  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent)
        sendJson(res, 500, errorBody(`replay server error: ${(err as Error).message}`, 'server_error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    host,
    model,
    requestCount: () => answered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const st of seqStates.values()) for (const w of st.waiters.values()) w();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
