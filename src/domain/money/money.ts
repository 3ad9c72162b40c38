/**
 * Exact money: amounts are safe integers of minor units (cents for USD, yen for JPY, fils for KWD)
 * with a per-currency exponent. Concur sends amounts as JSON numbers (24.3, -12.5) or strings
 * ("24.30"); they are read through their shortest decimal string, never through float arithmetic,
 * so 0.1 + 0.2 style errors cannot reach a ledger.
 */
import { ConnectorError } from '../errors.js';

export class MoneyError extends ConnectorError {
  override readonly name = 'MoneyError';
}

/**
 * ISO 4217 currencies whose minor unit is not 2 decimals. Every other code uses 2. A Map: the code
 * comes from the document, and no code (`constructor`, `__proto__`) may find an Object.prototype member.
 */
const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map((c): [string, number] => [
    c,
    0,
  ]),
  ...['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((c): [string, number] => [c, 3]),
  ...['CLF', 'UYW'].map((c): [string, number] => [c, 4]),
]);

// Exponents by the code as written, so the hot path skips toUpperCase; bounded, codes are few.
const exponentCache = new Map<string, number>();

export function currencyExponent(currency: string): number {
  let exponent = exponentCache.get(currency);
  if (exponent === undefined) {
    exponent = EXPONENTS.get(currency.toUpperCase()) ?? 2;
    if (exponentCache.size < 512) exponentCache.set(currency, exponent);
  }
  return exponent;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$/;
const SCIENTIFIC = /^([+-])?(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/;

/** The plain decimal string of a JSON number or numeric string ("1e-7" -> "0.0000001"). */
export function toDecimalString(value: number | string): string {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const sci = SCIENTIFIC.exec(text);
  if (!sci) return text;
  const [, sign = '', intPart = '', fracPart = '', expText = '0'] = sci;
  const digits = intPart + fracPart;
  const point = intPart.length + Number(expText);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign === '-' ? `-${out}` : out;
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyError(`amount ${value} is not a finite number`);
  // String() gives the shortest decimal that round-trips, i.e. what Concur wrote in the JSON.
  return String(value);
}

/**
 * Parses an amount into minor units of `currency`. Extra decimals are accepted only when they are
 * zeros ("24.300"); anything finer than the currency allows is an error, never a silent rounding.
 */
export function parseMinor(value: unknown, currency: string): number {
  return parseMinorWithExponent(value, currencyExponent(currency), currency);
}

/** `parseMinor` with the exponent already known (hot path: one lookup per document, not per amount). */
export function parseMinorWithExponent(value: unknown, exponent: number, currency: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new MoneyError(`amount must be a number or a decimal string, got ${value === null ? 'null' : typeof value}`);
  }
  if (typeof value === 'number') {
    const fast = numberToMinor(value, POW10[exponent]!);
    if (fast !== null) return fast;
  }
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const fast = plainDecimalToMinor(text, exponent);
  if (fast !== null) return fast;
  return slowParse(toDecimalString(text), exponent, currency);
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/**
 * Fast path for JSON numbers, with the same result as reading their decimal text, without building it.
 * Candidate r = round(value * scale); it is accepted only when r / scale === value, i.e. when `value`
 * is the double nearest to the decimal D = r / scale (IEEE division of two exact integers rounds
 * correctly). With |r| < 10^15, D has at most 15 significant digits, and two different decimals of
 * <= 15 digits never share a double, so String(value), the shortest round-tripping decimal, is D
 * itself: the text path would return r too. Everything else (finer decimals, NaN, huge values) gets
 * null and goes through the text path, which explains the error exactly as before.
 */
function numberToMinor(value: number, scale: number): number | null {
  const r = Math.round(value * scale);
  if (r > -1e15 && r < 1e15 && r / scale === value) return r === 0 ? 0 : r; // r === 0: no negative zero
  return null;
}

/**
 * Digit-by-digit reading of "-123.45": integer arithmetic only. Returns null for anything it does not
 * handle (exponent notation, too many decimals, too large) so the slow path can explain the error.
 */
function plainDecimalToMinor(text: string, exponent: number): number | null {
  const n = text.length;
  let i = 0;
  let negative = false;
  if (n === 0) return null;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    i = 1;
  }
  let whole = 0;
  let digits = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    digits++;
  }
  if (digits === 0 || digits > 15) return null;
  let frac = 0;
  let fracDigits = 0;
  if (i < n) {
    if (text.charCodeAt(i) !== 46 /* . */) return null;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      if (fracDigits === exponent) {
        if (c !== 0) return null; // finer than the currency: the slow path reports it
        continue;
      }
      frac = frac * 10 + c;
      fracDigits++;
    }
  }
  const minor = whole * POW10[exponent]! + frac * POW10[exponent - fracDigits]!;
  if (!Number.isSafeInteger(minor)) return null;
  return negative && minor !== 0 ? -minor : minor;
}

function slowParse(text: string, exponent: number, currency: string): number {
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError(`amount "${text}" is not a decimal number`);
  const [, sign, intPart = '0', fracRaw = ''] = match;
  const significant = fracRaw.replace(/0+$/, '');
  if (significant.length > exponent) {
    throw new MoneyError(`amount ${text} has more decimals than ${currency} allows (${exponent})`);
  }
  const minor = Number(intPart + significant.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`amount ${text} is too large to be handled exactly`);
  return sign === '-' && minor !== 0 ? -minor : minor;
}

/** Formats minor units as a decimal string with exactly the currency's decimals: 2430 -> "24.30". */
export function formatMinor(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`${minor} is not an exact amount in minor units`);
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  let digits = String(negative ? -minor : minor);
  if (digits.length <= exponent) digits = digits.padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}

/** Adds minor-unit amounts, refusing to leave the range where integers are exact. */
export function sumMinor(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  if (!Number.isSafeInteger(total)) throw new MoneyError('sum of amounts exceeds the exact integer range');
  return total;
}

/**
 * Splits `totalMinor` by percentages (decimal numbers or strings that must add up to exactly 100).
 * Each share is truncated toward zero; the remainder cents all go to the largest line (largest
 * percentage, the first one on a tie), so the shares always add up to the total exactly, as docs/posting-rules.md requires.
 */
export function allocateByPercentages(totalMinor: number, percentages: readonly (number | string)[]): number[] {
  if (percentages.length === 0) throw new MoneyError('cannot allocate an amount over no percentages');
  // Percentages are scaled to integers (hundred-thousandths of a percent) so the split is exact.
  const scaled = percentages.map((p) => {
    const text = toDecimalString(p);
    const match = DECIMAL.exec(text);
    if (!match || match[1] === '-') throw new MoneyError(`percentage "${text}" is not a non-negative decimal`);
    const frac = (match[3] ?? '').replace(/0+$/, '');
    if (frac.length > 5) throw new MoneyError(`percentage ${text} has more than 5 decimals`);
    return BigInt((match[2] ?? '0') + frac.padEnd(5, '0'));
  });
  const full = 100n * 100000n;
  const sum = scaled.reduce((a, b) => a + b, 0n);
  if (sum !== full) throw new MoneyError(`percentages add up to ${Number(sum) / 100000}, not 100`);
  const total = BigInt(totalMinor);
  const shares = scaled.map((p) => (total * p) / full); // BigInt division truncates toward zero
  const remainder = total - shares.reduce((a, b) => a + b, 0n);
  let largest = 0;
  // The largest line is the one with the largest percentage (its exact share is the largest).
  for (let i = 1; i < scaled.length; i++) {
    if (scaled[i]! > scaled[largest]!) largest = i;
  }
  shares[largest] = shares[largest]! + remainder;
  return shares.map(Number);
}
