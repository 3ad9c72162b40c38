import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../src/cli/args.js';

describe('CLI arguments of list, show and report', () => {
  it('list takes statuses (any case, comma-separated), a text and a limit', () => {
    expect(parseCommand(['list'])).toEqual({ name: 'list', status: [], text: null, limit: 50 });
    expect(parseCommand(['list', '--status', 'rejected,awaiting-mapping', '--text', ' Berlin ', '--limit', '200'])).toEqual({ name: 'list', status: ['REJECTED', 'AWAITING_MAPPING'], text: 'Berlin', limit: 200 });
    expect(() => parseCommand(['list', '--status', 'DONE'])).toThrow(/unknown status "DONE"/);
    expect(() => parseCommand(['list', '--limit', '0'])).toThrow(UsageError);
    expect(() => parseCommand(['list', 'extra'])).toThrow(/takes no argument/);
  });

  it('show takes exactly one id', () => {
    expect(parseCommand(['show', 'abc'])).toEqual({ name: 'show', id: 'abc' });
    expect(() => parseCommand(['show'])).toThrow(/exactly one document id/);
  });

  it('report needs a real date range; --csv is optional', () => {
    expect(parseCommand(['report', '--from', '2026-11-01', '--to', '2026-11-30', '--csv'])).toEqual({ name: 'report', from: '2026-11-01', to: '2026-11-30', csv: true });
    expect(parseCommand(['report', '--from', '2026-11-01', '--to', '2026-11-30'])).toMatchObject({ csv: false });
    expect(() => parseCommand(['report', '--from', '2026-11-01'])).toThrow(/needs --from/);
    expect(() => parseCommand(['report', '--from', '2026-02-30', '--to', '2026-03-01'])).toThrow(/real day/);
    expect(() => parseCommand(['report', '--from', '2026-12-01', '--to', '2026-11-01'])).toThrow(/after/);
  });
});
