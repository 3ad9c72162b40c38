/**
 * Secrets never reach GraphQL output (docs/contract.md, Secrets). Event payloads and recorded XML pass through
 * here: Intacct credentials and session ids are blanked inside XML, secret-looking JSON fields are
 * masked, and any configured secret value is replaced wherever it appears.
 */
export const REDACTED = '[REDACTED]';

const SECRET_FIELD = /(password|secret|token|authorization|apikey|api_key|privatekey|private_key|sessionid|session_id|signature)/i;
/** Intacct envelope elements that carry credentials (`<password>` appears for sender and user). */
const SECRET_XML_ELEMENTS = ['password', 'userpassword', 'sessionid', 'senderpassword'];

export function redactXml(xml: string): string {
  let out = xml;
  for (const name of SECRET_XML_ELEMENTS) {
    out = out.replace(new RegExp(`(<${name}(?:\\s[^>]*)?>)[\\s\\S]*?(</${name}>)`, 'gi'), `$1${REDACTED}$2`);
  }
  return out;
}

/** `password=…`, `token: …`, `Bearer …` quoted in free text (an error message echoing a config value). */
const SECRET_ASSIGNMENT = /\b((?:[a-z_]*password|[a-z_]*secret|[a-z_]*token|sessionid|api[_-]?key)\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;)&<]+)/gi;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.includes('<') ? redactXml(text) : text;
  for (const secret of secrets) if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out.replace(SECRET_ASSIGNMENT, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
}

/** A JSON-safe, redacted copy (bigint positions become text). */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (depth > 32) return '[…]';
  if (typeof value === 'string') return redactText(value, secrets);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_FIELD.test(k) && v !== null && v !== '' ? REDACTED : redactValue(v, secrets, depth + 1),
      ]),
    );
  }
  return value;
}
