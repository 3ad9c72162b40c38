/**
 * Structured logger. `LOG_FORMAT=json` (the default when stdout is not a TTY, for log shippers): one
 * JSON object per line. `LOG_FORMAT=pretty` (the default on a TTY): one readable line per event for
 * people, `time LEVEL message  key=value …`. Secrets never reach a line: values registered with
 * `registerSecret` are replaced wherever they appear, and fields whose name looks secret (password,
 * secret, token, authorization, key) are masked.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];
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
  /** `json` or `pretty`; unset: `json` unless stdout is a TTY (or as `json` says). */
  format?: LogFormat | null;
  /** Older switch for the same choice: true = `json`, false = `pretty`. */
  json?: boolean;
  write?: (line: string) => void;
}

/** One line, whatever the text holds: line breaks and other control characters are escaped. */
const oneLine = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u001f\u007f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `key=value`: bare when the value is a plain word, JSON (quoted, escaped) otherwise. */
function prettyValue(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value === 'string') return value !== '' && /^[^\s"'=\u0000-\u001f\u007f\\]+$/.test(value) ? value : oneLine(JSON.stringify(value));
  if (value === undefined) return 'undefined';
  return oneLine(JSON.stringify(value) ?? String(value));
}

/** `2026-12-03T09:01:37.347Z WARN  message  key=value key="two words"`: one line per event. */
export function prettyLine(time: Date, level: LogLevel, message: string, fields: Record<string, unknown>): string {
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${prettyValue(v)}`)
    .join(' ');
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${oneLine(message)}${extra ? `  ${extra}` : ''}`;
}

export function createLogger(options: LoggerOptions = {}, bound: Record<string, unknown> = {}): Logger {
  const level = options.level ?? 'info';
  const json = options.format ? options.format === 'json' : (options.json ?? !process.stdout.isTTY);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (lvl: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    const all = redactFields({ ...bound, ...fields }) as Record<string, unknown>;
    const msg = redact(message);
    if (json) {
      write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...all }));
    } else {
      write(prettyLine(new Date(), lvl, msg, all));
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
