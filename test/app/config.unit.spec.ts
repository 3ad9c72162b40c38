import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDotEnv } from '../../src/app/config.js';
import { createLogger, registerSecret } from '../../src/observability/logger.js';

const production = {
  ML_API_TOKENS: 'ops:admin:abcdefabcdefabcdef',
  ML_SECRET_KEY: 'x'.repeat(64),
  CONCUR_CLIENT_ID: 'cid',
  CONCUR_CLIENT_SECRET: 'csecret',
  CONCUR_REFRESH_TOKEN: 'rt',
  CONCUR_WEBHOOK_VERIFY: 'none',
  INTACCT_SENDER_ID: 's',
  INTACCT_SENDER_PASSWORD: 'sp',
  INTACCT_COMPANY_ID: 'c',
  INTACCT_USER_ID: 'u',
  INTACCT_USER_PASSWORD: 'up',
};

describe('configuration', () => {
  it('defaults to sandbox with nothing set, with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.sandbox).toBe(true);
    expect(config.port).toBe(4000);
    expect(config.store).toEqual({ kind: 'sqlite', path: './data/ml-connector.db' });
    expect(config.intacct.journal).toBe('EXPJ');
    expect(config.intacct.maxConcurrency).toBe(2);
    expect(config.concur.pollIntervalS).toBe(300);
    expect(config.kafka).toBeNull();
  });

  it('leaves sandbox when credentials are set and then requires tokens and a secret key', () => {
    const error = catchConfig({ CONCUR_CLIENT_ID: 'x' });
    expect(error.problems.join('\n')).toMatch(/ML_API_TOKENS is required/);
    expect(error.problems.join('\n')).toMatch(/ML_SECRET_KEY is required/);
    expect(error.problems.join('\n')).toMatch(/INTACCT_SENDER_ID/);
    expect(loadConfig(production).sandbox).toBe(false);
  });

  it('ML_SANDBOX=0 forbids the simulators; =1 forces them', () => {
    expect(catchConfig({ ML_SANDBOX: '0' }).problems.join('\n')).toMatch(/Concur credentials are incomplete/);
    expect(loadConfig({ ...production, ML_SANDBOX: '1' }).sandbox).toBe(true);
  });

  it('names the variable and what is wrong', () => {
    const error = catchConfig({ PORT: 'eighty', ML_STORE: 'postgres://x', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'a b', ML_SECRET_KEY: 'short' });
    expect(error.message).toContain('PORT must be a whole number');
    expect(error.message).toContain('ML_STORE must be sqlite:<path>');
    expect(error.message).toContain('LOG_LEVEL must be one of');
    expect(error.message).toContain('KAFKA_BROKERS must be a comma list of host:port');
    expect(error.message).toContain('ML_SECRET_KEY must be at least 32 characters');
  });

  it('refuses unsigned webhooks outside sandbox unless explicitly set', () => {
    const { CONCUR_WEBHOOK_VERIFY: _, ...rest } = production;
    expect(catchConfig(rest).message).toContain('CONCUR_WEBHOOK_PUBLIC_KEYS is required');
  });

  it('reads EventStoreDB connection strings and Kafka settings', () => {
    const config = loadConfig({ ML_STORE: 'esdb://localhost:2113?tls=false', KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(config.store).toEqual({ kind: 'eventstoredb', connectionString: 'esdb://localhost:2113?tls=false' });
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], concurTopic: 'concur.events', domainTopic: 'ml-connector.events', groupId: 'ml-connector' });
  });

  it('checks ML_API_TOKENS entries without echoing the tokens', () => {
    const error = catchConfig({ ...production, ML_API_TOKENS: 'ops:root:abcdefabcdefabcdef,short:viewer:tiny' });
    expect(error.message).toContain('role "root" must be viewer, operator or admin');
    expect(error.message).toContain('token must be at least');
    expect(error.message).not.toContain('abcdefabcdefabcdef');
  });

  it('reads the HTTP limits and the GraphQL rate limit, with the documented defaults', () => {
    expect(loadConfig({}).http).toEqual({ headersTimeoutMs: 5_000, requestTimeoutMs: 15_000, keepAliveTimeoutMs: 65_000, maxConnections: 1_000 });
    expect(loadConfig({}).graphql).toEqual({ rateLimitPerMinute: 600 });
    expect(loadConfig({}).readiness).toEqual({ intervalMs: 10_000, timeoutMs: 5_000 });
    expect(loadConfig({ ML_READINESS_INTERVAL_S: '3', ML_READINESS_TIMEOUT_MS: '800' }).readiness).toEqual({ intervalMs: 3_000, timeoutMs: 800 });
    expect(catchConfig({ ML_READINESS_INTERVAL_S: '0' }).message).toContain('ML_READINESS_INTERVAL_S must be a whole number from 1');
    const config = loadConfig({
      ML_HTTP_HEADERS_TIMEOUT_MS: '2000',
      ML_HTTP_REQUEST_TIMEOUT_MS: '4000',
      ML_HTTP_KEEPALIVE_TIMEOUT_MS: '7000',
      ML_HTTP_MAX_CONNECTIONS: '50',
      ML_GRAPHQL_RATE_LIMIT: '0',
    });
    expect(config.http).toEqual({ headersTimeoutMs: 2_000, requestTimeoutMs: 4_000, keepAliveTimeoutMs: 7_000, maxConnections: 50 });
    expect(config.graphql.rateLimitPerMinute).toBe(0);
    const error = catchConfig({
      ML_HTTP_HEADERS_TIMEOUT_MS: '9000',
      ML_HTTP_REQUEST_TIMEOUT_MS: '3000',
      ML_HTTP_MAX_CONNECTIONS: '0',
      ML_GRAPHQL_RATE_LIMIT: 'lots',
    });
    expect(error.message).toContain('ML_HTTP_HEADERS_TIMEOUT_MS (9000) must not be larger than ML_HTTP_REQUEST_TIMEOUT_MS (3000)');
    expect(error.message).toContain('ML_HTTP_MAX_CONNECTIONS must be a whole number from 1');
    expect(error.message).toContain('ML_GRAPHQL_RATE_LIMIT must be a whole number from 0');
  });

  it('parses .env files', () => {
    expect(parseDotEnv('# c\nA=1\nexport B="two words"\nC=3 # note\nD=\'q\'')).toEqual({ A: '1', B: 'two words', C: '3', D: 'q' });
  });
});

describe('logger', () => {
  it('never writes a registered secret or a secret-looking field', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', json: true, write: (l) => lines.push(l) });
    registerSecret('super-secret-password');
    log.info('login with super-secret-password failed', { password: 'p4ssw0rd!', nested: { refresh_token: 'abc', note: 'x super-secret-password y' } });
    const text = lines.join('\n');
    expect(text).not.toContain('super-secret-password');
    expect(text).not.toContain('p4ssw0rd!');
    expect(text).not.toContain('"abc"');
    expect(text).toContain('[REDACTED]');
  });
});

function catchConfig(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
