/**
 * Field readers for FIS JSON that fail with a `FisDocumentError` naming the document and the exact
 * path (`document.expenseEntry[2].allocation[0].journal[1].amountGross`), so a person can find it.
 * Absent, `null` and `""` all mean "not given": Concur writes all three for the same field.
 */
import { currencyExponent, MoneyError, parseMinorWithExponent } from '../money/money.js';
import { codePoints, cutAtGrapheme, toWellFormed } from '../unicode.js';
import type { FisFields } from './model.js';
import { neededFor } from './required.js';
import { ConnectorError } from '../errors.js';

export class FisDocumentError extends ConnectorError {
  override readonly name = 'FisDocumentError';
  constructor(
    readonly documentId: string,
    readonly path: string,
    readonly problem: string,
  ) {
    const why = neededFor(path);
    super(
      `Concur FIS document ${documentId}: ${path} ${problem}${why ? ` (posting needs it: ${why})` : ''}. ` +
        'The document cannot be posted as received; check it in Concur (or the FIS payload) and resubmit.',
    );
  }
}

/** `path.key`, or `key` at the top of the FIS item (path ''). */
export const pathOf = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

export class FisReader {
  private readonly exponent: number;
  constructor(
    readonly documentId: string,
    readonly currency: string,
  ) {
    this.exponent = currencyExponent(currency);
  }

  fail(path: string, problem: string): never {
    throw new FisDocumentError(this.documentId, path, problem);
  }

  object(value: unknown, path: string): FisFields {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, `must be an object, got ${describe(value)}`);
    return value as FisFields;
  }

  // Readers take the value, read at the call site with a literal key (`o['entryId']`): keeps
  // property access monomorphic on this hot path. The path is only built when something fails.

  array(value: unknown, path: string, key: string, required = true): readonly unknown[] {
    if (!given(value)) {
      if (required) this.fail(pathOf(path, key), 'is missing');
      return [];
    }
    if (!Array.isArray(value)) this.fail(pathOf(path, key), `must be an array, got ${describe(value)}`);
    return value;
  }

  string(value: unknown, path: string, key: string): string {
    const text = this.optionalString(value, path, key);
    if (text === null) this.fail(pathOf(path, key), 'is missing or empty');
    return text;
  }

  optionalString(value: unknown, path: string, key: string): string | null {
    // Well-formed: a lone surrogate (a JSON escape without its pair) becomes U+FFFD here, once, so no
    // name, memo or code read from Concur can carry one into Intacct, an event's summary or GraphQL.
    if (typeof value === 'string') return value === '' || value.trim() === '' ? null : toWellFormed(value);
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    this.fail(pathOf(path, key), `must be a string, got ${describe(value)}`);
  }

  amount(value: unknown, path: string, key: string): number {
    const minor = this.optionalAmount(value, path, key);
    if (minor === null) this.fail(pathOf(path, key), 'is missing');
    return minor;
  }

  optionalAmount(value: unknown, path: string, key: string): number | null {
    if (!given(value)) return null;
    try {
      return parseMinorWithExponent(value, this.exponent, this.currency);
    } catch (error) {
      if (error instanceof MoneyError) this.fail(pathOf(path, key), `is not a valid ${this.currency} amount (${error.message})`);
      throw error;
    }
  }

  /** First of several accepted names (shapes not confirmed by a Concur sample): [value, path, key]. */
  first(obj: FisFields, keys: readonly string[], path: string): [unknown, string, string] {
    const key = keys.find((k) => given(obj[k])) ?? keys[0]!;
    return [obj[key], path, key];
  }

  /** Like `first`, but one of the names must be given; the failure names every path looked at. */
  requiredFirst(obj: FisFields, keys: readonly string[], path: string): [unknown, string, string] {
    const found = this.first(obj, keys, path);
    if (!given(found[0]))
      this.fail(
        pathOf(path, keys[0]!),
        `is missing, and so is each of ${keys
          .slice(1)
          .map((k) => pathOf(path, k))
          .join(', ')}`,
      );
    return found;
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  // Quoted in an error that is recorded and shown: 40 characters, cut between grapheme clusters, well-formed.
  if (typeof value === 'string') return `"${codePoints(value) > 40 ? `${cutAtGrapheme(toWellFormed(value), 40)}…` : toWellFormed(value)}"`;
  return typeof value;
}
