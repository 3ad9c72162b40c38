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
});
