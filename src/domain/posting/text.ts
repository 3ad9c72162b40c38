/**
 * Memo, title and date texts. Intacct's field lengths are not confirmed (docs/intacct.md): memos and
 * titles are cut to 100 characters, conservatively. XML escaping is the serializer's job; here
 * control characters are removed and whitespace collapsed.
 */
import type { FisDocument } from '../fis/model.js';
import type { JournalEntry } from '../journal/journal-entry.js';
import type { BatchDatePolicy } from '../mapping/model.js';

export const MEMO_MAX = 100;
export const TITLE_MAX = 100;

/** JavaScript's `\s` (WhiteSpace + LineTerminator) for one UTF-16 code unit. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Same answer as /[\u0000-\u001f\u007f]|\s\s|^\s|\s$/.test(text) (a control character, a double,
 * leading or trailing space), as one scan: every memo passes here, and the regex call showed in profiles.
 */
export function needsCleaning(text: string): boolean {
  const n = text.length;
  let previousSpace = true; // a space at the start counts as "double"
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x1f || c === 0x7f) return true;
    const space = isSpace(c);
    if (space && previousSpace) return true;
    previousSpace = space;
  }
  return previousSpace && n > 0;
}

export function cleanText(text: string, max: number): string {
  if (text.length <= max && !needsCleaning(text)) return text;
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
  if (memos.length > 1) {
    // Merged lines often repeat one memo: skip the Set, with what the general path gives for one distinct memo.
    const first = memos[0]!;
    let same = true;
    for (let i = 1; i < memos.length && same; i++) same = memos[i] === first;
    if (same) return first === '' ? '' : cleanText(first, MEMO_MAX);
  }
  const distinct: string[] = []; // first occurrences in order, as a Set would keep them; lists are short
  for (const m of memos) if (m !== '' && !distinct.includes(m)) distinct.push(m);
  return cleanText(distinct.join('; '), MEMO_MAX);
}

/**
 * "<name> (<id>)", or "<name> (<id>), <note>" (e.g. the Concur date of a re-dated entry); the name is
 * cut first so the id and the note always survive.
 */
export function batchTitle(name: string | null, id: string, note: string | null = null): string {
  const suffix = ` (${id})${note ? `, ${note}` : ''}`;
  const room = TITLE_MAX - suffix.length;
  const cleanName = cleanText(name ?? '', Math.max(room, 0));
  return cleanText(cleanName === '' ? `${id}${note ? `, ${note}` : ''}` : `${cleanName}${suffix}`, TITLE_MAX);
}

/** The note a re-dated entry carries in its title: the date Concur's document gave it. */
export const concurDateNote = (originalBatchDate: string): string => `Concur date ${originalBatchDate}`;

/**
 * The same entry on another BATCH_DATE (a closed period, an operator's choice): lines unchanged, the
 * original date kept in the title, so the journal entry in Intacct still shows when it was incurred.
 */
export function redatedEntry(entry: JournalEntry, batchDate: string): JournalEntry {
  const original = entry.originalBatchDate ?? entry.batchDate;
  const id = entry.reportId ?? entry.concurDocumentId;
  // Entries recorded before `titleName` existed: their title is "<name> (<id>)".
  const name = entry.titleName !== undefined ? entry.titleName : entry.batchTitle.endsWith(` (${id})`) ? entry.batchTitle.slice(0, -(id.length + 3)) : entry.batchTitle;
  if (batchDate === original) {
    const { originalBatchDate: _o, ...rest } = entry;
    return { ...rest, batchDate, batchTitle: batchTitle(name, id), titleName: name };
  }
  return { ...entry, batchDate, originalBatchDate: original, batchTitle: batchTitle(name, id, concurDateNote(original)), titleName: name };
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
