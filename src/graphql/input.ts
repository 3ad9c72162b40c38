import type { PostingFilter } from '../projections/posting-queries.js';
import { decodeCursor } from '../projections/posting-queries.js';
import { badInput } from './errors.js';
import { DOCUMENT_TYPES } from './types/enums.js';
import type { PostingFilterInput } from './types/posting.js';

/** Checks of user input that the schema's types cannot express, each with a message saying what to send. */

export const MAX_PAGE_SIZE = 100;
const DECIMAL = /^-?\d{1,13}(\.\d{1,6})?$/;

export function checkPage(first: number | null | undefined, after: string | null | undefined): { first: number; after: string | undefined } {
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE)
    throw badInput(`"first" must be between 0 and ${MAX_PAGE_SIZE} (got ${size}); page on with "after"`, 'first');
  if (after !== null && after !== undefined) {
    try {
      decodeCursor(after);
    } catch {
      throw badInput(`"after" is not a cursor of this API: pass pageInfo.endCursor of the previous page`, 'after');
    }
  }
  return { first: size, after: after ?? undefined };
}

export function toPostingFilter(input: PostingFilterInput | null | undefined): PostingFilter {
  if (!input) return {};
  const filter: PostingFilter = {};
  if (input.status?.length) filter.status = [...input.status];
  if (input.docType?.length) {
    const unknown = input.docType.filter((t) => !(DOCUMENT_TYPES as readonly string[]).includes(t));
    if (unknown.length) throw badInput(`Unknown document type ${unknown.map((t) => `"${t}"`).join(', ')}: use ${DOCUMENT_TYPES.join(', ')}`, 'filter.docType');
    filter.docType = [...input.docType];
  }
  if (input.employeeId) filter.employeeId = input.employeeId;
  if (input.reportId) filter.reportId = input.reportId;
  if (input.from) filter.updatedFrom = input.from;
  // A bare date as the upper bound covers the whole day (the query layer extends it).
  if (input.to) filter.updatedTo = input.to;
  if (input.from && input.to && input.from > input.to) throw badInput(`"from" (${input.from}) is after "to" (${input.to})`, 'filter.from');
  for (const name of ['minAmount', 'maxAmount'] as const) {
    const value = input[name];
    if (value === null || value === undefined || value === '') continue;
    if (!DECIMAL.test(value.trim())) throw badInput(`${name} must be a decimal amount such as "125.50" (got ${JSON.stringify(value)})`, `filter.${name}`);
    filter[name] = value.trim();
  }
  if (filter.minAmount && filter.maxAmount && compareDecimal(filter.minAmount, filter.maxAmount) > 0) {
    throw badInput(`minAmount (${filter.minAmount}) is greater than maxAmount (${filter.maxAmount})`, 'filter.minAmount');
  }
  if (input.text?.trim()) filter.text = input.text.trim();
  return filter;
}

/** Exact comparison of two decimal strings (no floats): scaled to a common number of decimals as bigint. */
export function compareDecimal(a: string, b: string): number {
  const scale = Math.max((a.split('.')[1] ?? '').length, (b.split('.')[1] ?? '').length);
  const units = (x: string): bigint => {
    const negative = x.startsWith('-');
    const [whole, frac = ''] = (negative ? x.slice(1) : x).split('.');
    const v = BigInt(`${whole}${frac.padEnd(scale, '0')}`);
    return negative ? -v : v;
  };
  const d = units(a) - units(b);
  return d === 0n ? 0 : d > 0n ? 1 : -1;
}

/** `to` as an inclusive upper bound on ISO timestamps. */
export const endOfDay = (day: string): string => `${day}T23:59:59.999Z`;

export function nonBlank(value: string, what: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw badInput(`${what} must not be empty`, what);
  return trimmed;
}
