/**
 * The logger the Concur adapter writes to, and the redaction every line goes through. Concur
 * credentials (client secret, refresh and access tokens, company request token) must never reach a
 * log line, so the adapter never logs a raw value: fields pass through `redact`, which blanks
 * secret-named keys and any registered secret substring wherever it appears.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface ConcurLogger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

const SECRET_KEY = /(secret|token|password|authorization|assertion|credential|refresh|signature|cookie)/i;
const MASK = '[redacted]';

/** Secret values known at runtime (tokens issued during the process's life are added as they arrive). */
export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: string | null | undefined): void {
    // Very short values would blank innocent text; real Concur secrets are long.
    if (value && value.length >= 8) this.values.add(value);
  }

  scrub(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  }
}

export function redact(value: unknown, secrets: SecretRegistry, key = ''): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'boolean' && typeof value !== 'number') return MASK;
  if (typeof value === 'string') return secrets.scrub(value);
  if (value instanceof Error) return secrets.scrub(`${value.name}: ${value.message}`);
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets));
  if (value && typeof value === 'object') {
    // fromEntries: a field named __proto__ stays a field (an assignment would set the prototype).
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secrets, k)]));
  }
  return value;
}

/** Wraps a logger so that every message and field is redacted before it is written. */
export function redactingLogger(inner: ConcurLogger, secrets: SecretRegistry): ConcurLogger {
  return {
    log(level, message, fields) {
      inner.log(level, secrets.scrub(message), fields ? (redact(fields, secrets) as LogFields) : undefined);
    },
  };
}

/** JSON lines on stderr; the default when the composition root gives no logger. */
export const consoleLogger: ConcurLogger = {
  log(level, message, fields) {
    if (level === 'debug' && process.env.LOG_LEVEL !== 'debug') return;
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), component: 'concur', message, ...fields })}\n`);
  },
};

export const silentLogger: ConcurLogger = { log() {} };

/** Adapts a logger with one method per level (the app's structured logger) to the adapter's port. */
export function levelMethodLogger(inner: Record<LogLevel, (message: string, fields?: LogFields) => void>): ConcurLogger {
  return { log: (level, message, fields) => inner[level](message, fields) };
}
