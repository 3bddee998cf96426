// Keeps a piece of code away from the LLM. The gate judges the PR's implementation as one more candidate, but
// the candidates and tests it is judged against must come from the spec alone: the engine's code fixing would
// send a failing seed to the model ("repair this program"), and breaking a spurious coupling may show a code
// that passed a UT. Requests whose messages contain the withheld code are answered locally with no text, which
// the engine treats like a declined request (the seed stays as written; the regenerated UT is dropped).
import type { Llm, LlmReply, LlmRequest } from '../../types.js';

export interface GuardedLlm extends Llm {
  /** Requests answered locally because they contained withheld code, by `stage.purpose`. */
  readonly withheld: Record<string, number>;
}

/** Lines of `code` that carry content (not blank, not only brackets), for a whitespace-insensitive match. */
function fingerprint(code: string): string {
  return code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^[()[\]{};,]*$/.test(l))
    .join('\n');
}

function contains(haystack: string, needle: string): boolean {
  if (needle === '') return false;
  if (haystack.includes(needle)) return true;
  return fingerprint(haystack).includes(needle);
}

/**
 * An Llm that never sends `withheld` code (any of the strings, matched line by line ignoring indentation and
 * blank lines) to `llm`.
 */
export function withholdCode(llm: Llm, withheld: string[]): GuardedLlm {
  const prints = withheld.map(fingerprint).filter((p) => p !== '');
  const counts: Record<string, number> = {};
  return {
    withheld: counts,
    async complete(request: LlmRequest): Promise<LlmReply> {
      const leaks = request.messages.some((m) => prints.some((p) => contains(m.content, p)));
      if (leaks) {
        const key = `${request.stage}.${request.purpose}`;
        counts[key] = (counts[key] ?? 0) + 1;
        return { texts: [], usage: { promptTokens: 0, completionTokens: 0 } };
      }
      return llm.complete(request);
    },
  };
}
