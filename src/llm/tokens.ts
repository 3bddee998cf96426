// Token counting for servers that report no `usage`: the o200k tokenizer of gpt-tokenizer, loaded lazily
// (it costs a few hundred milliseconds and some memory, and most servers report usage).
import type { ChatMessage } from '../types.js';

type CountFn = (text: string) => number;
let loading: Promise<CountFn> | null = null;

function load(): Promise<CountFn> {
  // eager: bundled into the main file by ncc (no extra chunk), still evaluated only on first use
  loading ??= import(/* webpackMode: "eager" */ 'gpt-tokenizer').then(
    (m) => (text: string) => m.countTokens(text, { disallowedSpecial: new Set() }),
    () => (text: string) => Math.ceil(text.length / 4),
  );
  return loading;
}

/** Tokens of a text. */
export async function countTextTokens(text: string): Promise<number> {
  if (!text) return 0;
  const count = await load();
  try {
    return count(text);
  } catch {
    return Math.ceil(text.length / 4);
  }
}

/** Tokens of a chat prompt: the messages' contents plus the usual 3 tokens of framing per message and 3 for the reply. */
export async function countPromptTokens(messages: ChatMessage[]): Promise<number> {
  let total = 3;
  for (const m of messages) total += 3 + (await countTextTokens(m.role)) + (await countTextTokens(m.content));
  return total;
}
