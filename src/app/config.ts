import { existsSync, readFileSync } from 'node:fs';
import { KafkaConfigError, kafkaConfigFromEnv, type KafkaConfig } from '../adapters/kafka/kafka-config.js';
import { ApiTokenConfigError, parseApiTokens } from '../graphql/auth.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../http/http-server.js';
import { ConnectorError } from '../domain/errors.js';

export { DEFAULT_HTTP_LIMITS, type HttpLimits };
import { LOG_FORMATS, type LogFormat } from '../observability/logger.js';

/**
 * Configuration from the environment (docs/contract.md, Configuration; the variables are the README's table), with `.env` read first when present (real
 * environment variables win). Every problem is reported at once, each naming the variable.
 */
export interface Config {
  port: number;
  store: { kind: 'sqlite'; path: string } | { kind: 'eventstoredb'; connectionString: string };
  dataDir: string;
  sandbox: boolean;
  apiTokens: string;
  secretKey: string | null;
  concur: {
    authBaseUrl: string;
    clientId: string | null;
    clientSecret: string | null;
    refreshToken: string | null;
    companyUuid: string | null;
    companyRequestToken: string | null;
    webhookPublicKeys: string[];
    webhookVerify: 'signature' | 'none';
    pollIntervalS: number;
  };
  intacct: {
    endpoint: string;
    senderId: string | null;
    senderPassword: string | null;
    companyId: string | null;
    userId: string | null;
    userPassword: string | null;
    entityId: string | null;
    journal: string;
    maxConcurrency: number;
  };
  /** Limits of the HTTP server (README, Configuration: ML_HTTP_*). */
  http: HttpLimits;
  readiness: {
    /** How often the `/readyz` checks run in the background. */
    intervalMs: number;
    /** A check without an answer by then is failed. */
    timeoutMs: number;
  };
  graphql: {
    /** Requests per minute per API token (token bucket holding one minute's worth); 0 = no limit. */
    rateLimitPerMinute: number;
  };
  referenceSync: {
    /** A kind is read whole again when its last full read is older than this (`ML_REFERENCE_FULL_SYNC_DAYS`). */
    fullSyncDays: number;
  };
  kafka: KafkaConfig | null;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `LOG_FORMAT`; null: JSON unless stdout is a terminal. */
  logFormat: LogFormat | null;
}

export const DEFAULT_GRAPHQL_RATE_LIMIT = 600;

export class ConfigError extends ConnectorError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses a .env file: KEY=VALUE lines, # comments, optional single or double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[match[1]!] = value;
  }
  return out;
}

export function environmentWithDotEnv(env: NodeJS.ProcessEnv = process.env, file = '.env'): Record<string, string | undefined> {
  if (!existsSync(file)) return { ...env };
  return { ...parseDotEnv(readFileSync(file, 'utf8')), ...env };
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const str = (name: string): string | null => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = str(name);
    if (v === null) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${v}")`);
      return fallback;
    }
    return Number(v);
  };
  const url = (name: string, fallback: string): string => {
    const v = str(name) ?? fallback;
    try {
      const u = new URL(v);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${v}")`);
    }
    return v;
  };

  const dataDir = str('ML_DATA_DIR') ?? './data';
  const storeSpec = str('ML_STORE') ?? `sqlite:${dataDir.replace(/\/$/, '')}/ml-connector.db`;
  let store: Config['store'] = { kind: 'sqlite', path: `${dataDir}/ml-connector.db` };
  if (storeSpec.startsWith('sqlite:')) {
    const path = storeSpec.slice('sqlite:'.length);
    if (!path) problems.push('ML_STORE "sqlite:" needs a file path, e.g. sqlite:./data/ml-connector.db');
    store = { kind: 'sqlite', path };
  } else if (/^esdb(\+discover)?:\/\//.test(storeSpec)) {
    store = { kind: 'eventstoredb', connectionString: storeSpec };
  } else {
    problems.push(`ML_STORE must be sqlite:<path> or an EventStoreDB connection string esdb://… / esdb+discover://… (got "${storeSpec}")`);
  }

  const concur = {
    authBaseUrl: url('CONCUR_AUTH_BASE_URL', 'https://us.api.concursolutions.com'),
    clientId: str('CONCUR_CLIENT_ID'),
    clientSecret: str('CONCUR_CLIENT_SECRET'),
    refreshToken: str('CONCUR_REFRESH_TOKEN'),
    companyUuid: str('CONCUR_COMPANY_UUID'),
    companyRequestToken: str('CONCUR_COMPANY_REQUEST_TOKEN'),
    webhookPublicKeys: (str('CONCUR_WEBHOOK_PUBLIC_KEYS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    webhookVerify: 'signature' as 'signature' | 'none',
    pollIntervalS: int('CONCUR_POLL_INTERVAL_S', 300, 0, 86_400),
  };
  const verify = str('CONCUR_WEBHOOK_VERIFY') ?? 'signature';
  if (verify !== 'signature' && verify !== 'none') problems.push(`CONCUR_WEBHOOK_VERIFY must be "signature" or "none" (got "${verify}")`);
  else concur.webhookVerify = verify;

  const intacct = {
    endpoint: url('INTACCT_ENDPOINT', 'https://api.intacct.com/ia/xml/xmlgw.phtml'),
    senderId: str('INTACCT_SENDER_ID'),
    senderPassword: str('INTACCT_SENDER_PASSWORD'),
    companyId: str('INTACCT_COMPANY_ID'),
    userId: str('INTACCT_USER_ID'),
    userPassword: str('INTACCT_USER_PASSWORD'),
    entityId: str('INTACCT_ENTITY_ID'),
    journal: str('INTACCT_JOURNAL') ?? 'EXPJ',
    maxConcurrency: int('INTACCT_MAX_CONCURRENCY', 2, 1, 64),
  };

  const anyConcur = Boolean(concur.clientId || concur.clientSecret || concur.refreshToken || concur.companyUuid || concur.companyRequestToken);
  const anyIntacct = Boolean(intacct.senderId || intacct.senderPassword || intacct.companyId || intacct.userId || intacct.userPassword);
  const sandboxFlag = str('ML_SANDBOX');
  if (sandboxFlag !== null && sandboxFlag !== '0' && sandboxFlag !== '1') problems.push(`ML_SANDBOX must be 1 or 0 (got "${sandboxFlag}")`);
  const sandbox = sandboxFlag === '1' ? true : sandboxFlag === '0' ? false : !anyConcur && !anyIntacct;

  const apiTokens = str('ML_API_TOKENS') ?? '';
  try {
    parseApiTokens(apiTokens);
  } catch (error) {
    if (!(error instanceof ApiTokenConfigError)) throw error;
    problems.push(error.message);
  }
  const secretKey = str('ML_SECRET_KEY');
  if (!sandbox) {
    if (!apiTokens) problems.push('ML_API_TOKENS is required outside sandbox mode: a comma list of name:role:token (roles viewer, operator, admin)');
    if (!secretKey) problems.push('ML_SECRET_KEY is required outside sandbox mode: at least 32 characters, e.g. the output of `openssl rand -hex 32`');
    requireAll(problems, 'Concur', {
      CONCUR_CLIENT_ID: concur.clientId,
      CONCUR_CLIENT_SECRET: concur.clientSecret,
    });
    if (!concur.refreshToken && !(concur.companyUuid && concur.companyRequestToken)) {
      problems.push('Concur needs CONCUR_REFRESH_TOKEN, or CONCUR_COMPANY_UUID together with CONCUR_COMPANY_REQUEST_TOKEN');
    }
    requireAll(problems, 'Intacct', {
      INTACCT_SENDER_ID: intacct.senderId,
      INTACCT_SENDER_PASSWORD: intacct.senderPassword,
      INTACCT_COMPANY_ID: intacct.companyId,
      INTACCT_USER_ID: intacct.userId,
      INTACCT_USER_PASSWORD: intacct.userPassword,
    });
    if (concur.webhookVerify === 'signature' && concur.webhookPublicKeys.length === 0) {
      problems.push(
        'CONCUR_WEBHOOK_PUBLIC_KEYS is required to verify webhooks outside sandbox (comma list of PEM files), or set CONCUR_WEBHOOK_VERIFY=none explicitly',
      );
    }
    for (const file of concur.webhookPublicKeys) if (!existsSync(file)) problems.push(`CONCUR_WEBHOOK_PUBLIC_KEYS names ${file}, which does not exist`);
  }
  if (secretKey !== null && secretKey.length < 32) problems.push('ML_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)');

  let kafka: KafkaConfig | null = null;
  try {
    kafka = kafkaConfigFromEnv(env);
  } catch (error) {
    if (!(error instanceof KafkaConfigError)) throw error;
    problems.push(error.message);
  }

  const http: HttpLimits = {
    headersTimeoutMs: int('ML_HTTP_HEADERS_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.headersTimeoutMs, 100, 600_000),
    requestTimeoutMs: int('ML_HTTP_REQUEST_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.requestTimeoutMs, 100, 3_600_000),
    keepAliveTimeoutMs: int('ML_HTTP_KEEPALIVE_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs, 100, 3_600_000),
    maxConnections: int('ML_HTTP_MAX_CONNECTIONS', DEFAULT_HTTP_LIMITS.maxConnections, 1, 1_000_000),
  };
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    problems.push(
      `ML_HTTP_HEADERS_TIMEOUT_MS (${http.headersTimeoutMs}) must not be larger than ML_HTTP_REQUEST_TIMEOUT_MS (${http.requestTimeoutMs}): the request timeout covers the headers too`,
    );
  }
  const readiness = {
    intervalMs: int('ML_READINESS_INTERVAL_S', 10, 1, 3_600) * 1000,
    timeoutMs: int('ML_READINESS_TIMEOUT_MS', 5_000, 100, 120_000),
  };
  const graphql = { rateLimitPerMinute: int('ML_GRAPHQL_RATE_LIMIT', DEFAULT_GRAPHQL_RATE_LIMIT, 0, 1_000_000) };
  const referenceSync = { fullSyncDays: int('ML_REFERENCE_FULL_SYNC_DAYS', 7, 0, 3_650) };

  const logLevel = (str('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const logFormat = str('LOG_FORMAT') as LogFormat | null;
  if (logFormat !== null && !LOG_FORMATS.includes(logFormat)) problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')} (got "${logFormat}")`);

  const config: Config = {
    port: int('PORT', 4000, 0, 65_535),
    store,
    dataDir,
    sandbox,
    apiTokens,
    secretKey,
    concur,
    intacct,
    http,
    readiness,
    graphql,
    referenceSync,
    kafka,
    logLevel,
    logFormat,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function requireAll(problems: string[], system: string, values: Record<string, string | null>): void {
  const missing = Object.entries(values)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) problems.push(`${system} credentials are incomplete outside sandbox mode: set ${missing.join(', ')}`);
}

/**
 * Every variable with one of ml-connector's prefixes that something of the project reads: the
 * service (README, Configuration), the CLI (`ML_URL`, `ML_TOKEN`), tests, benchmarks and the Kafka
 * scripts. Anything else with these prefixes is most likely a typo, reported at start.
 */
export const KNOWN_VARIABLES: readonly string[] = [
  'ML_STORE',
  'ML_DATA_DIR',
  'ML_SANDBOX',
  'ML_API_TOKENS',
  'ML_SECRET_KEY',
  'ML_URL',
  'ML_TOKEN',
  'ML_SKIP_BROWSER_TESTS',
  'ML_BENCH_DIR',
  'ML_REFERENCE_FULL_SYNC_DAYS',
  'CONCUR_AUTH_BASE_URL',
  'CONCUR_CLIENT_ID',
  'CONCUR_CLIENT_SECRET',
  'CONCUR_REFRESH_TOKEN',
  'CONCUR_COMPANY_UUID',
  'CONCUR_COMPANY_REQUEST_TOKEN',
  'CONCUR_WEBHOOK_PUBLIC_KEYS',
  'CONCUR_WEBHOOK_VERIFY',
  'CONCUR_POLL_INTERVAL_S',
  'INTACCT_ENDPOINT',
  'INTACCT_SENDER_ID',
  'INTACCT_SENDER_PASSWORD',
  'INTACCT_COMPANY_ID',
  'INTACCT_USER_ID',
  'INTACCT_USER_PASSWORD',
  'INTACCT_ENTITY_ID',
  'INTACCT_JOURNAL',
  'INTACCT_MAX_CONCURRENCY',
  'INTACCT_LATENCY_MS',
  'KAFKA_BROKERS',
  'KAFKA_CONCUR_TOPIC',
  'KAFKA_DOMAIN_TOPIC',
  'KAFKA_GROUP_ID',
  'KAFKA_LIBS_DIR',
];
const CHECKED_PREFIXES = ['CONCUR_', 'INTACCT_', 'ML_', 'KAFKA_'];

/** Edit distance (insertions, deletions, substitutions, each 1) between two strings. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name closest to `name` (case ignored), when close enough to be the one meant: at most a
 * third of the name's length in edits (at least 2). Ties go to the first in `known`.
 */
export function closestName(name: string, known: readonly string[] = KNOWN_VARIABLES): string | null {
  const upper = name.toUpperCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = levenshtein(upper, candidate);
    if (d < bestDistance) (best = candidate), (bestDistance = d);
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

export interface UnknownVariable {
  name: string;
  suggestion: string | null;
}

/** Variables with a CONCUR_, INTACCT_, ML_ or KAFKA_ prefix that ml-connector does not know, with the closest known name. */
export function unknownVariables(env: Record<string, string | undefined>): UnknownVariable[] {
  return Object.keys(env)
    .filter((name) => CHECKED_PREFIXES.some((p) => name.toUpperCase().startsWith(p)) && !KNOWN_VARIABLES.includes(name))
    .sort()
    .map((name) => ({ name, suggestion: closestName(name) }));
}

/** "unknown variable CONCUR_CLIENTID (did you mean CONCUR_CLIENT_ID?): ml-connector does not read it" */
export function describeUnknownVariable(v: UnknownVariable): string {
  return `unknown variable ${v.name}${v.suggestion ? ` (did you mean ${v.suggestion}?)` : ''}: ml-connector does not read it`;
}
