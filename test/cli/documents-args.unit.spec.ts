import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../src/cli/args.js';
import { clip } from '../../src/cli/commands/documents.js';

describe('CLI arguments of list, show and report', () => {
  it('list takes statuses (any case, comma-separated), a text and a limit', () => {
    expect(parseCommand(['list'])).toEqual({ name: 'list', status: [], text: null, limit: 50 });
    expect(parseCommand(['list', '--status', 'rejected,awaiting-mapping', '--text', ' Berlin ', '--limit', '200'])).toEqual({
      name: 'list',
      status: ['REJECTED', 'AWAITING_MAPPING'],
      text: 'Berlin',
      limit: 200,
    });
    expect(() => parseCommand(['list', '--status', 'DONE'])).toThrow(/unknown status "DONE"/);
    expect(() => parseCommand(['list', '--limit', '0'])).toThrow(UsageError);
    expect(() => parseCommand(['list', 'extra'])).toThrow(/takes no argument/);
  });

  it('show takes exactly one id', () => {
    expect(parseCommand(['show', 'abc'])).toEqual({ name: 'show', id: 'abc' });
    expect(() => parseCommand(['show'])).toThrow(/exactly one document id/);
  });

  it('report needs a real date range; --csv is optional', () => {
    expect(parseCommand(['report', '--from', '2026-11-01', '--to', '2026-11-30', '--csv'])).toEqual({
      name: 'report',
      from: '2026-11-01',
      to: '2026-11-30',
      csv: true,
    });
    expect(parseCommand(['report', '--from', '2026-11-01', '--to', '2026-11-30'])).toMatchObject({ csv: false });
    expect(() => parseCommand(['report', '--from', '2026-11-01'])).toThrow(/needs --from/);
    expect(() => parseCommand(['report', '--from', '2026-02-30', '--to', '2026-03-01'])).toThrow(/real day/);
    expect(() => parseCommand(['report', '--from', '2026-12-01', '--to', '2026-11-01'])).toThrow(/after/);
  });
});

describe('CLI table cells', () => {
  it('are clipped by character between grapheme clusters, never leaving half a surrogate pair', () => {
    expect(clip(null, 10)).toBe('');
    expect(clip('Trip to Berlin', 40)).toBe('Trip to Berlin');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
    expect(clip(`${'x'.repeat(38)}😀😀😀`, 40)).toBe(`${'x'.repeat(38)}😀…`);
    expect(clip(`${'x'.repeat(38)}e\u0301tail`, 40)).toBe(`${'x'.repeat(38)}…`);
    expect(clip('𝒜'.repeat(30), 40)).toBe('𝒜'.repeat(30));
  });
});
