import { describe, expect, it } from 'vitest';
import { isCalendarDate, parseCommand, UsageError } from '../../src/cli/args.js';
import { serviceTarget } from '../../src/cli/graphql-client.js';

const usageError = (argv: string[]): string => {
  try {
    parseCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`parseCommand(${argv.join(' ')}) did not fail`);
};

describe('CLI arguments', () => {
  it('parses every command', () => {
    expect(parseCommand([])).toEqual({ name: 'help' });
    expect(parseCommand(['ping'])).toEqual({ name: 'ping' });
    expect(parseCommand(['backfill', '--from', '2026-10-01', '--to', '2026-10-31', '--dry-run'])).toEqual({
      name: 'backfill',
      from: '2026-10-01',
      to: '2026-10-31',
      dryRun: true,
    });
    expect(parseCommand(['backfill', '--to=2026-10-31', '--from=2026-10-01'])).toMatchObject({ dryRun: false });
    expect(parseCommand(['replay'])).toEqual({ name: 'replay', projection: null });
    expect(parseCommand(['replay', '--projection', 'posting-state'])).toEqual({ name: 'replay', projection: 'posting-state' });
    expect(parseCommand(['sync'])).toEqual({ name: 'sync', kinds: [], full: false });
    expect(parseCommand(['sync', 'Employees', 'vendors', 'employees'])).toEqual({ name: 'sync', kinds: ['employees', 'vendors'], full: false });
    expect(parseCommand(['sync', 'dimensions', '--full'])).toEqual({ name: 'sync', kinds: ['dimensions'], full: true });
    expect(parseCommand(['mappings', 'import', 'm.json', '--reason', 'Q4'])).toEqual({
      name: 'mappings-import',
      file: 'm.json',
      reason: 'Q4',
      replace: false,
      dryRun: false,
      force: false,
    });
    expect(parseCommand(['mappings', 'import', 'm.json', '--replace', '--dry-run'])).toEqual({
      name: 'mappings-import',
      file: 'm.json',
      reason: null,
      replace: true,
      dryRun: true,
      force: false,
    });
    expect(parseCommand(['mappings', 'import', 'm.json', '--force', '--reason', 'new account'])).toMatchObject({ force: true, reason: 'new account' });
    expect(parseCommand(['mappings', 'export'])).toEqual({ name: 'mappings-export', out: null });
    expect(parseCommand(['mappings', 'export', '--out', 'm.json'])).toEqual({ name: 'mappings-export', out: 'm.json' });
  });

  it('explains each mistake', () => {
    expect(usageError(['backfill', '--from', '2026-10-01'])).toMatch(/backfill needs --from YYYY-MM-DD and --to YYYY-MM-DD/);
    expect(usageError(['backfill', '--from', '10/01/2026', '--to', '2026-10-31'])).toBe('--from must be YYYY-MM-DD, a real day (got "10/01/2026")');
    expect(usageError(['backfill', '--from', '2026-10-01', '--to', '2026-02-29'])).toBe('--to must be YYYY-MM-DD, a real day (got "2026-02-29")');
    expect(usageError(['backfill', '--from', '2026-11-01', '--to', '2026-10-31'])).toBe('--from (2026-11-01) is after --to (2026-10-31)');
    expect(usageError(['backfill', '--form', '2026-10-01'])).toMatch(/^backfill: Unknown option '--form'/);
    expect(usageError(['sync', 'customers'])).toBe('sync: unknown kind "customers": use employees, vendors, dimensions (or nothing for all)');
    expect(usageError(['mappings', 'import'])).toMatch(/needs exactly one FILE/);
    expect(usageError(['mappings', 'import', 'm.json', '--force'])).toBe(
      'mappings import --force needs --reason TEXT: say why values Intacct does not have are recorded anyway',
    );
    expect(usageError(['mappings', 'export', '--out', ' '])).toMatch(/--out needs a file name/);
    expect(usageError(['mappings', 'export', 'm.json'])).toMatch(/mappings export takes no argument "m.json"/);
    expect(usageError(['mappings'])).toMatch(/mappings needs "import FILE" or "export" \(got nothing\)/);
    expect(usageError(['replay', '--projection', ''])).toMatch(/--projection needs a name/);
    expect(usageError(['ping', 'now'])).toMatch(/ping takes no argument "now"/);
    expect(usageError(['deploy'])).toBe('Unknown command "deploy"');
  });

  it('accepts only real calendar days', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
  });
});

describe('service target', () => {
  it('defaults to localhost:PORT and adds /graphql once', () => {
    expect(serviceTarget({}).graphqlUrl).toBe('http://localhost:4000/graphql');
    expect(serviceTarget({ PORT: '4100' }).graphqlUrl).toBe('http://localhost:4100/graphql');
    expect(serviceTarget({ ML_URL: 'http://127.0.0.1:5000/' }).graphqlUrl).toBe('http://127.0.0.1:5000/graphql');
    expect(serviceTarget({ ML_URL: 'http://127.0.0.1:5000/graphql' }).graphqlUrl).toBe('http://127.0.0.1:5000/graphql');
  });

  it('uses ML_TOKEN, else the strongest token of ML_API_TOKENS, else none', () => {
    const tokens = 'vera:viewer:viewer-token-0000000,ada:admin:admin-token-00000000,al:admin:second-admin-0000000';
    expect(serviceTarget({ ML_TOKEN: 'explicit-token', ML_API_TOKENS: tokens }).token).toBe('explicit-token');
    expect(serviceTarget({ ML_API_TOKENS: tokens }).token).toBe('admin-token-00000000');
    expect(serviceTarget({ ML_API_TOKENS: 'vera:viewer:viewer-token-0000000, otto:operator:operator-token-000' }).token).toBe('operator-token-000');
    expect(serviceTarget({}).token).toBeNull();
  });
});
