// Secret redaction for traces and logs: the configured API key, environment secrets and anything shaped
// like a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), an OpenAI-style key (sk-...) or a
// bearer credential.

export const REDACTED = '[REDACTED]';

const PATTERNS: RegExp[] = [
  /\bgithub_pat_[A-Za-z0-9_]{10,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{10,}/g,
  /\bsk-[A-Za-z0-9_-]{10,}/g,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/g,
];

/** Names of environment variables whose values are redacted wherever they appear. */
const SECRET_ENV = /(TOKEN|SECRET|PASSWORD|API_?KEY|PRIVATE_KEY|CREDENTIAL)/i;

export type Redactor = (text: string) => string;

/**
 * A function that removes `secrets` (exact strings, at least 6 characters; also in their JSON-escaped form),
 * the values of secret-looking environment variables in `env`, and token-shaped strings from a text.
 */
export function makeRedactor(secrets: Array<string | undefined>, env: NodeJS.ProcessEnv = {}): Redactor {
  const exact = new Set<string>();
  const add = (s: string | undefined) => {
    if (!s || s.length < 6) return;
    exact.add(s);
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s) exact.add(escaped);
  };
  secrets.forEach(add);
  for (const [k, v] of Object.entries(env)) if (SECRET_ENV.test(k)) add(v);
  const list = [...exact].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const s of list) if (out.includes(s)) out = out.split(s).join(REDACTED);
    for (const re of PATTERNS) {
      out = out.replace(re, (m, scheme?: string) =>
        typeof scheme === 'string' ? `${scheme} ${REDACTED}` : REDACTED,
      );
    }
    return out;
  };
}
