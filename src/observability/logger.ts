/**
 * Structured logger. Lines are JSON when stdout is not a TTY (for log shippers) and short text on a
 * TTY. Secrets never reach a line: values registered with `registerSecret` are replaced wherever they
 * appear, and fields whose name looks secret (password, secret, token, authorization, key) are masked.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /(password|secret|token|authorization|apikey|api_key|privatekey|private_key|sessionid)/i;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const secrets = new Set<string>();

/** Registers a secret value so that no log line ever contains it. Short values are ignored (too generic). */
export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  return out;
}

function redactFields(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return redact(value.message);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) && v ? '[REDACTED]' : redactFields(v, depth + 1)]));
  }
  return value;
}

export interface LoggerOptions {
  level?: LogLevel;
  json?: boolean;
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}, bound: Record<string, unknown> = {}): Logger {
  const level = options.level ?? 'info';
  const json = options.json ?? !process.stdout.isTTY;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (lvl: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    const all = redactFields({ ...bound, ...fields }) as Record<string, unknown>;
    const msg = redact(message);
    if (json) {
      write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...all }));
    } else {
      const extra = Object.entries(all).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      write(`${new Date().toISOString().slice(11, 19)} ${lvl.toUpperCase().padEnd(5)} ${msg}${extra ? `  ${extra}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
