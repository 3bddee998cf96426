// A misbehaving HTTP proxy in front of an OpenAI-compatible server (the replay server in the tests): it fails
// a share of the requests with a seeded, reproducible sequence of faults, the ones real endpoints and proxies
// produce:
//   rate-limit   429 with `retry-after: 1`, before the server sees the request
//   server-error 500, before the server sees the request
//   bad-gateway  502 after the server has answered (the answer is thrown away)
//   truncated    the server's 200 answer, cut in the middle of its JSON body
//   reset        the connection is destroyed, before the server sees the request
// `longRun` forces a run of faults on the first request whose x-cosplay-stage matches, on every attempt of
// that request (its x-cosplay-request-id stays the same across retries) until the run is used up.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyFault = 'rate-limit' | 'server-error' | 'bad-gateway' | 'truncated' | 'reset';
export const PROXY_FAULTS: readonly ProxyFault[] = [
  'rate-limit',
  'server-error',
  'bad-gateway',
  'truncated',
  'reset',
];

export interface FaultyProxyOptions {
  /** Base URL of the server behind the proxy, e.g. `http://127.0.0.1:1234/v1`. */
  upstream: string;
  /** Seed of the fault sequence. */
  seed: number;
  /** Share of the requests that meet a fault (default 1/3). */
  rate?: number;
  /** A run of faults on every attempt of the first request of this stage.purpose. */
  longRun?: { stage: string; faults: ProxyFault[] };
}

export interface ProxyEvent {
  stage: string;
  requestId: string;
  fault: ProxyFault | null;
}

export interface FaultyProxy {
  url: string;
  /** Every request, in arrival order, with the fault it met (null: passed through). */
  events: ProxyEvent[];
  close(): Promise<void>;
}

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function startFaultyProxy(opts: FaultyProxyOptions): Promise<FaultyProxy> {
  const up = new URL(opts.upstream);
  const upPath = up.pathname.replace(/\/+$/, '');
  const random = prng(opts.seed);
  const rate = opts.rate ?? 1 / 3;
  const events: ProxyEvent[] = [];
  let longRunId: string | undefined;
  let longRunLeft = opts.longRun ? [...opts.longRun.faults] : [];

  function choose(stage: string, requestId: string): ProxyFault | null {
    if (opts.longRun && longRunLeft.length > 0) {
      if (longRunId === undefined && stage === opts.longRun.stage) longRunId = requestId;
      if (longRunId === requestId) return longRunLeft.shift()!;
    }
    // one draw for "fault or not" and one for which, so the sequence depends on the seed alone
    const hit = random() < rate;
    const which = PROXY_FAULTS[Math.floor(random() * PROXY_FAULTS.length)]!;
    return hit ? which : null;
  }

  function forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const path = upPath + (req.url ?? '/').replace(/^\/v1/, '');
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: up.host, 'content-length': String(body.length) };
      const r = httpRequest(
        { host: up.hostname, port: up.port, method: req.method, path, headers },
        (res) => {
          readAll(res).then(
            (b) =>
              resolve({
                status: res.statusCode ?? 502,
                headers: Object.fromEntries(
                  Object.entries(res.headers).filter(([, v]) => typeof v === 'string') as [string, string][],
                ),
                body: b,
              }),
            reject,
          );
        },
      );
      r.on('error', reject);
      r.end(body);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const stage = String(req.headers['x-cosplay-stage'] ?? '');
    const requestId = String(req.headers['x-cosplay-request-id'] ?? '');
    const fault = req.method === 'POST' ? choose(stage, requestId) : null;
    events.push({ stage, requestId, fault });
    const error = (status: number, message: string, extra: Record<string, string> = {}) => {
      const text = JSON.stringify({ error: { message, type: 'proxy_error' } });
      res.writeHead(status, { 'content-type': 'application/json', ...extra });
      res.end(text);
    };
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'rate-limit') return error(429, 'slow down', { 'retry-after': '1' });
    if (fault === 'server-error') return error(500, 'the proxy had a bad moment');
    const answer = await forward(req, body);
    if (fault === 'bad-gateway') return error(502, 'bad gateway (the upstream answer was lost)');
    if (fault === 'truncated') {
      // no content-length: the body just ends, half way through its JSON
      res.writeHead(200, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      res.end(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      return;
    }
    const { 'content-length': _len, 'transfer-encoding': _te, connection: _c, ...keep } = answer.headers;
    res.writeHead(answer.status, { ...keep, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `proxy: ${err.message}` } }));
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        longRunLeft = [];
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
