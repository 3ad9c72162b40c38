import { describe, expect, it } from 'vitest';
import { classifyIntacctErrors } from '../../src/adapters/intacct/classify.js';

const bl = (description2: string, correction = '') => [{ errorNo: 'BL01001973', description: '', description2, correction }];

describe('Intacct error classification', () => {
  it.each([
    ['Department D100 is restricted by GL account 6500.', 'validation', 'Department D100 is restricted for account 6500'],
    ['The transaction is missing the Department dimension for the Account 6100.', 'validation', 'Account 6100 requires a Department'],
    ['Account 9999 is not valid.', 'validation', 'GL account 9999 does not exist or is inactive'],
    ['Location 900 is not valid.', 'validation', 'Location 900 does not exist or is inactive'],
    [
      'The period for 12/15/2025 is closed. Date must be on or after 01/01/2026.',
      'closed-period',
      'Intacct refused the batch date: "The period for 12/15/2025 is closed. Date must be on or after 01/01/2026."',
    ],
    ['The function with control id ML-EXP-1-1 has already been executed; it was not run again.', 'duplicate', 'already sent'],
    ['Required field BATCH_TITLE is missing.', 'validation', 'Intacct rejected the entry'],
  ])('%s -> %s', (text, category, message) => {
    const e = classifyIntacctErrors(bl(text, 'Fix it.'), { level: 'result' });
    expect(e.category).toBe(category);
    expect(e.message).toContain(message);
    expect(e).toMatchObject({ errorNo: 'BL01001973', description2: text, correction: 'Fix it.' });
  });

  it('a closed period names the first open date, read from the dates Intacct writes', async () => {
    const { firstOpenDateIn } = await import('../../src/adapters/intacct/classify.js');
    const e = classifyIntacctErrors(bl('The period for 11/15/2026 is closed. Date must be on or after 12/01/2026.'), { level: 'result' });
    expect(e).toMatchObject({ category: 'closed-period', firstOpenDate: '2026-12-01' });
    expect(e.message).toMatch(/batch date 2026-12-01 or later/);
    expect(e.message).toMatch(/closedPeriodPolicy to next-open-period/);
    expect(firstOpenDateIn('Date must be on or after 2027-01-01')).toBe('2027-01-01');
    expect(firstOpenDateIn('Date must be on or after 01.12.2026')).toBe('2026-12-01');
    expect(firstOpenDateIn('Date must be on or after 02/30/2026')).toBeNull();
    expect(firstOpenDateIn('The books are closed')).toBeNull();
    expect(classifyIntacctErrors(bl('The books are closed.'), { level: 'result' }).firstOpenDate).toBeNull();
  });

  it('rate limits, authentication failures and 5xx', () => {
    expect(
      classifyIntacctErrors([{ errorNo: 'GW-0010', description: 'Too many', description2: null, correction: null }], { level: 'control', httpStatus: 429 })
        .category,
    ).toBe('rate-limit');
    expect(
      classifyIntacctErrors([{ errorNo: 'XL03000006', description: 'Sign-in information is incorrect', description2: null, correction: null }], {
        level: 'authentication',
      }).category,
    ).toBe('auth');
    expect(classifyIntacctErrors([], { level: 'http', httpStatus: 503 }).category).toBe('transient');
  });
});
