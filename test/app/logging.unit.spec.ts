import { describe, expect, it } from 'vitest';
import { closestName, ConfigError, describeUnknownVariable, KNOWN_VARIABLES, levenshtein, loadConfig, unknownVariables } from '../../src/app/config.js';
import { createLogger, prettyLine, registerSecret } from '../../src/observability/logger.js';

describe('unknown variables: the closest known name', () => {
  it('levenshtein counts insertions, deletions and substitutions', () => {
    expect(levenshtein('', '')).toBe(0);
    expect(levenshtein('abc', '')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('CONCUR_CLIENTID', 'CONCUR_CLIENT_ID')).toBe(1);
    expect(levenshtein('ML_SECERT_KEY', 'ML_SECRET_KEY')).toBe(2);
    expect(levenshtein('flaw', 'lawn')).toBe(2);
  });

  it('suggests the name meant, or nothing when no name is close', () => {
    expect(closestName('CONCUR_CLIENTID')).toBe('CONCUR_CLIENT_ID');
    expect(closestName('CONCUR_CLIENT_SECRETS')).toBe('CONCUR_CLIENT_SECRET');
    expect(closestName('INTACCT_SENDERID')).toBe('INTACCT_SENDER_ID');
    expect(closestName('ML_SECERT_KEY')).toBe('ML_SECRET_KEY');
    expect(closestName('KAFKA_BROKER')).toBe('KAFKA_BROKERS');
    expect(closestName('ml_store')).toBe('ML_STORE');
    expect(closestName('INTACCT_MAX_CONCURENCY')).toBe('INTACCT_MAX_CONCURRENCY');
    expect(closestName('ML_SOMETHING_ELSE_ENTIRELY')).toBeNull();
  });

  it('lists only CONCUR_, INTACCT_, ML_ and KAFKA_ names that are not known, sorted', () => {
    const env = {
      CONCUR_CLIENTID: 'x',
      CONCUR_CLIENT_SECRET: 'y',
      PATH: '/bin',
      LOG_LEVEL: 'info',
      KAFKA_BROKER: 'b:9092',
      ML_FOO_BAR_BAZ_QUUX: '1',
      npm_lifecycle_event: 'start',
    };
    expect(unknownVariables(env)).toEqual([
      { name: 'CONCUR_CLIENTID', suggestion: 'CONCUR_CLIENT_ID' },
      { name: 'KAFKA_BROKER', suggestion: 'KAFKA_BROKERS' },
      { name: 'ML_FOO_BAR_BAZ_QUUX', suggestion: null },
    ]);
    expect(unknownVariables(Object.fromEntries(KNOWN_VARIABLES.map((n) => [n, 'x'])))).toEqual([]);
    expect(describeUnknownVariable({ name: 'CONCUR_CLIENTID', suggestion: 'CONCUR_CLIENT_ID' })).toBe(
      'unknown variable CONCUR_CLIENTID (did you mean CONCUR_CLIENT_ID?): ml-connector does not read it',
    );
    expect(describeUnknownVariable({ name: 'ML_X', suggestion: null })).toBe('unknown variable ML_X: ml-connector does not read it');
  });
});

describe('LOG_FORMAT', () => {
  it('is json or pretty; unset leaves the choice to the terminal; anything else is refused', () => {
    expect(loadConfig({}).logFormat).toBeNull();
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT must be one of json, pretty \(got "text"\)/);
  });

  it('pretty: one line per event, time, level, message, key=value (quoted when needed)', () => {
    const line = prettyLine(new Date('2026-12-03T09:01:37.347Z'), 'warn', 'expense document D1 "Trip" waits for mappings', {
      actor: 'system:document-pipeline',
      documentId: 'D1',
      reportName: 'Trip to Oslo',
      gaps: ['accounts:479100'],
      amount: null,
      count: 3,
    });
    expect(line).toBe(
      '2026-12-03T09:01:37.347Z WARN  expense document D1 "Trip" waits for mappings  actor=system:document-pipeline documentId=D1 reportName="Trip to Oslo" gaps=["accounts:479100"] amount=null count=3',
    );
    const broken = prettyLine(new Date(0), 'error', 'two\nlines', { detail: 'a\nb', empty: '' });
    expect(broken.split('\n')).toHaveLength(1);
    expect(broken).toBe('1970-01-01T00:00:00.000Z ERROR two\\nlines  detail="a\\nb" empty=""');
  });

  it('createLogger writes pretty or JSON lines, secrets redacted in both', () => {
    registerSecret('pretty-secret-value-42');
    const pretty: string[] = [];
    createLogger({ format: 'pretty', write: (l) => pretty.push(l) })
      .child({ component: 'operator' })
      .info('set by user:ops', { actor: 'user:ops', token: 'abc', note: 'has pretty-secret-value-42 inside' });
    expect(pretty).toHaveLength(1);
    expect(pretty[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}set by user:ops {2}component=operator actor=user:ops token=\[REDACTED\] note="has \[REDACTED\] inside"$/,
    );
    const json: string[] = [];
    createLogger({ format: 'json', write: (l) => json.push(l) }).warn('x', { actor: 'user:ops' });
    expect(JSON.parse(json[0]!)).toMatchObject({ level: 'warn', msg: 'x', actor: 'user:ops' });
    // `format` wins over the older `json` switch.
    const both: string[] = [];
    createLogger({ format: 'pretty', json: true, write: (l) => both.push(l) }).info('y');
    expect(both[0]).toMatch(/ INFO {2}y$/);
  });
});
