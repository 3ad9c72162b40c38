/**
 * Memo, title and date texts. Intacct's field lengths are not confirmed (intacct.md): memos and
 * titles are cut to 100 characters, conservatively. XML escaping is the serializer's job; here
 * control characters are removed and whitespace collapsed.
 */
import type { FisDocument } from '../fis/model.js';
import type { BatchDatePolicy } from '../mapping/model.js';

export const MEMO_MAX = 100;
export const TITLE_MAX = 100;

// eslint-disable-next-line no-control-regex
const NEEDS_CLEANING = /[\u0000-\u001f\u007f]|\s\s|^\s|\s$/;

export function cleanText(text: string, max: number): string {
  if (text.length <= max && !NEEDS_CLEANING.test(text)) return text;
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).trimEnd()}…`;
}

export function expenseMemo(typeName: string | null, vendor: string | null): string {
  return cleanText([typeName, vendor].filter((s): s is string => !!s && s.trim() !== '').join(' - '), MEMO_MAX);
}

/** Joins the distinct memos of merged lines. */
export function mergeMemos(memos: readonly string[]): string {
  if (memos.length === 1) return memos[0]!; // every memo is cleaned when its draft line is made
  const distinct = [...new Set(memos.filter((m) => m !== ''))];
  return cleanText(distinct.join('; '), MEMO_MAX);
}

/** "<name> (<id>)"; the name is cut first so the id always survives. */
export function batchTitle(name: string | null, id: string): string {
  const suffix = ` (${id})`;
  const room = TITLE_MAX - suffix.length;
  const cleanName = cleanText(name ?? '', Math.max(room, 0));
  return cleanText(cleanName === '' ? id : `${cleanName}${suffix}`, TITLE_MAX);
}

const isoDay = (value: string | null): string | null => (value && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null);

/**
 * BATCH_DATE (the UTC day of Concur's timestamp). Expense: the policy's date, then the next ones of
 * paymentProcessingDate -> submitDate -> userDefinedDate, then `today`. Invoice: payment date, invoice
 * date, today. Cash advance: issued date, today.
 */
export function batchDate(doc: FisDocument, policy: BatchDatePolicy, today: string): string {
  if (doc.kind === 'invoice') return isoDay(doc.paymentDate) ?? isoDay(doc.invoiceDate) ?? today;
  if (doc.kind === 'cashadvance') return isoDay(doc.issuedDate) ?? today;
  const r = doc.report;
  const chain = { paymentProcessingDate: r.paymentProcessingDate, submitDate: r.submitDate, userDefinedDate: r.userDefinedDate };
  const order = ['paymentProcessingDate', 'submitDate', 'userDefinedDate'] as const;
  for (const k of order.slice(order.indexOf(policy))) {
    const day = isoDay(chain[k]);
    if (day) return day;
  }
  return today;
}
