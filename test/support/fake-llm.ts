// An in-memory Llm answering by purpose (and optionally by stage), for tests of the method. Each handler
// returns the texts of the choices (one per choice); a missing handler declines (no texts), like the replay
// model. Optional virtual latency (with VirtualClock) and injected failures.
import type { Llm, LlmReply, LlmRequest, Purpose, Stage } from '../../src/types.js';

export type Handler = (req: LlmRequest, index: number) => string[] | Promise<string[]>;

export interface FakeLlmOptions {
  /** Virtual latency per request (needs `clock`). */
  latency?: (req: LlmRequest) => number;
  clock?: VirtualClock;
  /** Throw this error on the request with this 0-based index (and on every later one). */
  failFrom?: { index: number; error: () => Error };
  /** Usage reported per request. */
  usage?: (req: LlmRequest, texts: string[]) => { promptTokens: number; completionTokens: number };
}

export class FakeLlm implements Llm {
  readonly calls: LlmRequest[] = [];
  constructor(
    private readonly handlers: Partial<Record<Purpose | `${Stage}.${Purpose}`, Handler>>,
    private readonly opts: FakeLlmOptions = {},
  ) {}

  async complete(req: LlmRequest): Promise<LlmReply> {
    const index = this.calls.length;
    this.calls.push(req);
    if (this.opts.failFrom && index >= this.opts.failFrom.index) throw this.opts.failFrom.error();
    if (this.opts.clock) await this.opts.clock.sleep(this.opts.latency?.(req) ?? 0);
    else await Promise.resolve();
    const h = this.handlers[`${req.stage}.${req.purpose}`] ?? this.handlers[req.purpose];
    const texts = h ? (await h(req, index)).slice(0, req.n ?? 1) : [];
    const usage = this.opts.usage?.(req, texts) ?? {
      promptTokens: req.messages.reduce((s, m) => s + m.content.length, 0),
      completionTokens: texts.reduce((s, t) => s + t.length, 0),
    };
    return { texts, usage };
  }

  /** Requests made for a purpose (optionally of one stage). */
  count(purpose: Purpose, stage?: Stage): number {
    return this.calls.filter((c) => c.purpose === purpose && (!stage || c.stage === stage)).length;
  }

  /** The user message of every request for a purpose. */
  prompts(purpose: Purpose, stage?: Stage): string[] {
    return this.calls
      .filter((c) => c.purpose === purpose && (!stage || c.stage === stage))
      .map((c) => c.messages.map((m) => m.content).join('\n'));
  }
}

/** A `code` / `fix` reply. */
export function codeReply(code: string, language = 'python'): string {
  return `Here is the program.\n\n\`\`\`${language}\n${code.replace(/\s+$/, '')}\n\`\`\`\n`;
}

/** A JSON reply in a ```json fence. */
export function jsonReply(obj: unknown): string {
  return `\`\`\`json\n${JSON.stringify(obj)}\n\`\`\``;
}

/** The UT input a `ut-output` request asks about. */
export function metaInput(req: LlmRequest): string {
  return String(req.meta?.input ?? '');
}

/** The count a `ut-input` / `inputs` request asks for. */
export function metaCount(req: LlmRequest): number {
  return Number(req.meta?.count ?? 1);
}

/** Hands out items from a list in order across calls (like the replay model's cursors). */
export function cursor<T>(items: T[]): (k: number) => T[] {
  let at = 0;
  return (k: number) => {
    const out = items.slice(at, at + k);
    at += out.length;
    return out;
  };
}

// A deterministic virtual clock for measuring wall time and critical paths in tests without real timing:
// `sleep(ms)` resolves when the clock reaches now + ms; the clock jumps to the next timer only once every
// pending microtask and immediate has run (so every call issued concurrently is registered first).
export class VirtualClock {
  t = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  private seq = 0;
  private pumping = false;

  now = (): number => this.t;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const tick = () => {
      // Let everything runnable settle (several immediates: promise chains may hop through macrotasks).
      setImmediate(() =>
        setImmediate(() => {
          if (this.timers.length === 0) {
            this.pumping = false;
            return;
          }
          this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
          const at = this.timers[0].at;
          this.t = at;
          const due = this.timers.filter((x) => x.at === at);
          this.timers = this.timers.filter((x) => x.at !== at);
          due.forEach((x) => x.resolve());
          tick();
        }),
      );
    };
    tick();
  }
}
