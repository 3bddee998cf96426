// A scripted LLM world for end-to-end tests of the action: the task `count_vowels(text)` (Python, function).
// The scripted server answers every purpose of the wire protocol the way a decent model would: candidate
// programs from a fixed rotation (some right, some with a bug that only some inputs reveal), attack ideas and
// inputs, expected outputs computed from the true function (so self-consistency agrees), fixes that are
// right, and an input validator.
import {
  codeReply,
  jsonReply,
  startScriptedServer,
  type ScriptContext,
  type ScriptedServer,
  type ScriptedServerOptions,
} from '../support/scripted-server.js';

export const RIGHT = [
  'def count_vowels(text):\n    return sum(1 for c in text.lower() if c in "aeiou")\n',
  'def count_vowels(text):\n    return len([c for c in text if c in "aeiouAEIOU"])\n',
  'def count_vowels(text):\n    n = 0\n    for c in text:\n        if c.lower() in "aeiou":\n            n += 1\n    return n\n',
];
export const WRONG = [
  // Lower case only: wrong on capitals.
  'def count_vowels(text):\n    return sum(1 for c in text if c in "aeiou")\n',
  // Counts y as a vowel.
  'def count_vowels(text):\n    return sum(1 for c in text.lower() if c in "aeiouy")\n',
];
/** The order candidate programs come in. */
export const ROTATION = [RIGHT[0]!, WRONG[0]!, RIGHT[1]!, WRONG[1]!, RIGHT[2]!];

export const VALIDATOR = 'def count_vowels(text):\n    return isinstance(text, str)\n';

/** The same task in JavaScript: `countVowels(text)`. */
export const RIGHT_JS = [
  'function countVowels(text) {\n  return [...text.toLowerCase()].filter((c) => "aeiou".includes(c)).length;\n}\n',
  'function countVowels(text) {\n  let n = 0;\n  for (const c of text) if ("aeiouAEIOU".includes(c)) n++;\n  return n;\n}\n',
];
export const WRONG_JS = [
  'function countVowels(text) {\n  return [...text].filter((c) => "aeiou".includes(c)).length;\n}\n',
];
export const ROTATION_JS = [RIGHT_JS[0]!, WRONG_JS[0]!, RIGHT_JS[1]!];
export const VALIDATOR_JS = 'function countVowels(text) {\n  return typeof text === "string";\n}\n';

/** Test strings: the first ones separate the wrong programs from the right ones. */
const WORDS = ['Hello World', 'AEIOU', 'rhythm', 'Yay', 'Queue', 'bcd', 'Programming', 'OOPS', 'sky', 'aAeE'];

export function vowels(s: string): number {
  return [...s.toLowerCase()].filter((c) => 'aeiou'.includes(c)).length;
}

/** `count_vowels('...')` or `countVowels("...")` -> the string, or null. */
export function argOf(call: string): string | null {
  const m = /^\s*(?:count_vowels|countVowels)\(\s*(['"])(.*)\1\s*\)\s*$/s.exec(call);
  return m ? m[2]!.replace(/\\(['"\\])/g, '$1') : null;
}

export interface WorldOptions {
  language?: 'python' | 'javascript';
  /** Programs in the order they are handed out (default ROTATION, or ROTATION_JS). */
  rotation?: string[];
  faults?: ScriptedServerOptions['faults'];
}

export interface World {
  server: ScriptedServer;
  /** Programs handed out so far. */
  codesServed(): number;
  close(): Promise<void>;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const js = options.language === 'javascript';
  const rotation = options.rotation ?? (js ? ROTATION_JS : ROTATION);
  const lang = js ? 'javascript' : 'python';
  let nextCode = 0;
  let nextWord = 0;
  const word = () => {
    const i = nextWord++;
    return i < WORDS.length ? WORDS[i]! : `${WORDS[i % WORDS.length]!} ${i}`;
  };
  const call = (s: string) =>
    js ? `countVowels(${JSON.stringify(s)})` : `count_vowels(${JSON.stringify(s).replace(/^"|"$/g, "'")})`;
  const count = (ctx: ScriptContext, fallback: number) =>
    typeof ctx.meta?.count === 'number' ? (ctx.meta.count as number) : fallback;
  const script = (ctx: ScriptContext) => {
    switch (ctx.purpose) {
      case 'hints':
        return jsonReply({ observations: ['Count both lower and upper case vowels.', 'y is not a vowel.'] });
      case 'plans':
        return jsonReply({ observations: ['Lower-case the text, then count characters in "aeiou".'] });
      case 'code':
        return Array.from({ length: ctx.n }, () => codeReply(rotation[nextCode++ % rotation.length]!, lang));
      case 'fix':
        return codeReply(js ? RIGHT_JS[0]! : RIGHT[0]!, lang);
      case 'attack':
        return jsonReply({
          ideas: Array.from({ length: count(ctx, 2) }, (_, i) => `Mixed case and y, variant ${i}`),
        });
      case 'ut-input':
        if (ctx.stage === 'stage2') {
          const w = word();
          return jsonReply({ ideas: [`the word ${w}`], inputs: [call(w)] });
        }
        return jsonReply({ inputs: Array.from({ length: count(ctx, 2) }, () => call(word())) });
      case 'inputs':
        return jsonReply({ inputs: Array.from({ length: count(ctx, 4) }, () => call(word())) });
      case 'ut-output': {
        const arg = argOf(String(ctx.meta?.input ?? ''));
        return arg === null ? null : jsonReply({ expected: String(vowels(arg)) });
      }
      case 'generator':
        return codeReply(js ? VALIDATOR_JS : VALIDATOR, lang);
      default:
        return null;
    }
  };
  const server = await startScriptedServer({ script, faults: options.faults });
  return {
    server,
    codesServed: () => nextCode,
    close: () => server.close(),
  };
}
