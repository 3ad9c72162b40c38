import { describe, expect, it } from 'vitest';
import { allocateByPercentages, formatMinor, MoneyError, parseMinor, toDecimalString } from './money.js';

describe('money', () => {
  it('reads Concur numbers and strings exactly through their decimal text', () => {
    expect(parseMinor(24.3, 'USD')).toBe(2430);
    expect(parseMinor('24.30', 'USD')).toBe(2430);
    expect(parseMinor(-12.5, 'USD')).toBe(-1250);
    expect(parseMinor(0.1 + 0.2 === 0.3 ? 0.3 : 0.3, 'USD')).toBe(30);
    expect(parseMinor(8.4, 'EUR')).toBe(840);
    expect(parseMinor(1.6, 'EUR')).toBe(160);
    expect(parseMinor(56.1, 'USD')).toBe(5610);
    expect(parseMinor('24.300', 'USD')).toBe(2430);
    expect(parseMinor(1500, 'JPY')).toBe(1500);
    expect(parseMinor('1.234', 'KWD')).toBe(1234);
    expect(parseMinor(-0, 'USD')).toBe(0);
    expect(parseMinor('+7', 'USD')).toBe(700);
    expect(parseMinor(1e21 / 1e21, 'USD')).toBe(100);
  });

  it('refuses what it cannot hold exactly, saying why', () => {
    expect(() => parseMinor(24.305, 'USD')).toThrow('amount 24.305 has more decimals than USD allows (2)');
    expect(() => parseMinor(1.5, 'JPY')).toThrow('has more decimals than JPY allows (0)');
    expect(() => parseMinor('12,50', 'EUR')).toThrow('amount "12,50" is not a decimal number');
    expect(() => parseMinor(null, 'EUR')).toThrow(MoneyError);
    expect(() => parseMinor(Number.NaN, 'EUR')).toThrow('not a finite number');
    expect(() => parseMinor(1e300, 'USD')).toThrow('too large');
    expect(() => parseMinor(1e-7, 'USD')).toThrow('0.0000001 has more decimals');
  });

  it('formats with exactly the currency decimals', () => {
    expect(formatMinor(2430, 'USD')).toBe('24.30');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(1500, 'JPY')).toBe('1500');
    expect(formatMinor(1234, 'KWD')).toBe('1.234');
    expect(formatMinor(0, 'EUR')).toBe('0.00');
    expect(() => formatMinor(1.5, 'USD')).toThrow(MoneyError);
  });

  it('expands exponent notation without floats', () => {
    expect(toDecimalString('1.5e3')).toBe('1500');
    expect(toDecimalString('-2.5E-3')).toBe('-0.0025');
    expect(toDecimalString(123.45)).toBe('123.45');
  });

  it('splits by percentages with the remainder to the largest share', () => {
    expect(allocateByPercentages(1000, ['33.33', '33.33', '33.34'])).toEqual([333, 333, 334]);
    expect(allocateByPercentages(100, [50, 50])).toEqual([50, 50]);
    expect(allocateByPercentages(1, [33.33, 66.67])).toEqual([0, 1]);
    expect(allocateByPercentages(-1001, [50, 50])).toEqual([-501, -500]);
    expect(allocateByPercentages(1000, [10, 60, 30])).toEqual([100, 600, 300]);
    expect(allocateByPercentages(1001, [10, 60, 30])).toEqual([100, 601, 300]);
    expect(() => allocateByPercentages(100, [50, 49])).toThrow('percentages add up to 99, not 100');
  });

  // parseMinor reads JSON numbers without building their text; it must agree with the text path
  // (String(value) is what Concur wrote) on every finite number, value or error message alike.
  it('reads numbers exactly as their decimal text, on edge cases and random values', () => {
    const outcome = (value: unknown, currency: string): string => {
      try {
        return `ok ${parseMinor(value, currency)}`;
      } catch (error) {
        return `error ${(error as Error).message}`;
      }
    };
    const edge = [
      0.1 + 0.2,
      0.3,
      0.1 + 0.7,
      1.1 * 3,
      24.305,
      24.3,
      -24.3,
      1e21,
      -1e21,
      1e15,
      1e15 - 1,
      9999999999999.99,
      9999999999999.999,
      99999999999999.99,
      0.005,
      -0.005,
      0.01,
      1e-7,
      5e-324,
      -0,
      0,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER / 100,
      2 ** 53 + 2,
      1.005,
      1.255,
      8.4,
      1.6,
      56.1,
      123456789.12,
      -123456789.123,
      4.35 * 100,
      0.07 * 100,
      1e300,
      Number.MAX_VALUE,
    ];
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values = [...edge];
    for (let i = 0; i < 3000; i++) {
      const decimals = Math.floor(random() * 7);
      const digits = Math.floor(random() * 17) + 1;
      const n = Math.floor(random() * 10 ** digits) * (random() < 0.3 ? -1 : 1);
      values.push(n / 10 ** decimals, n / 10 ** decimals + 10 ** -decimals / 3, (random() - 0.5) * 10 ** (digits - 6));
    }
    for (const currency of ['JPY', 'USD', 'KWD', 'CLF']) {
      for (const value of values) {
        expect([value, outcome(value, currency)]).toEqual([value, outcome(String(value), currency)]);
      }
    }
    expect(Object.is(parseMinor(-0, 'USD'), 0)).toBe(true);
    expect(Object.is(parseMinor(-0.001 * 0, 'USD'), 0)).toBe(true);
    expect(() => parseMinor(0.1 + 0.2, 'USD')).toThrow('has more decimals than USD allows (2)');
    expect(() => parseMinor(1e21, 'JPY')).toThrow('amount 1000000000000000000000 is too large to be handled exactly');
    expect(() => parseMinor(24.305, 'USD')).toThrow('amount 24.305 has more decimals than USD allows (2)');
    expect(parseMinor(9999999999999.99, 'USD')).toBe(999999999999999);
  });
});
