/**
 * Memo, title and date texts. Intacct's field lengths are not confirmed (docs/intacct.md): memos are cut
 * to 100 characters and BATCH_TITLE to 80, conservatively. The title limit lives here and only here:
 * the serializer sends the title as sized. XML escaping is the serializer's job; here control
 * characters are removed and whitespace collapsed.
 *
 * Every limit counts characters the way we assume Intacct counts them: Unicode code points (one for
 * "é" precomposed, two for "e" + combining acute, one for "𝒜" although it is two UTF-16 units, seven
 * for a family emoji joined with ZWJs). Intacct does not say; a database column in characters
 * (Oracle CHAR semantics, MySQL utf8mb4) counts code points. Cuts are made only between grapheme
 * clusters (`Intl.Segmenter`, granularity 'grapheme'): never between a base character and its
 * combining marks, inside a surrogate pair, an emoji ZWJ sequence, a flag or a skin-tone modifier.
 * A lone surrogate (invalid UTF-16, e.g. from a JSON `\ud83d` escape) becomes U+FFFD, so every text
 * made here is well-formed wherever it goes (XML, events, GraphQL).
 */
import type { FisDocument } from '../fis/model.js';
import type { JournalEntry } from '../journal/journal-entry.js';
import type { BatchDatePolicy } from '../mapping/model.js';
import { codePoints, cutAtGrapheme, isWellFormed, toWellFormed } from '../unicode.js';

export { cutAtGrapheme, isWellFormed, toWellFormed };

export const MEMO_MAX = 100;
/**
 * BATCH_TITLE limit in characters (Unicode code points). Intacct's real limit is not confirmed; 80
 * is below any limit seen in practice. Only the name is ever cut, never the id (see `batchTitle`).
 */
export const TITLE_MAX = 80;

/** JavaScript's `\s` (WhiteSpace + LineTerminator) for one UTF-16 code unit. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
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

/** One line of well-formed text: control characters and runs of whitespace become one space, trimmed. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return toWellFormed(text)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * `text` cleaned (`oneLine`) and, when longer than `max` code points, cut at a grapheme boundary
 * with "…" (which counts as one): the result is never longer than `max`.
 */
export function cleanText(text: string, max: number): string {
  if (text.length <= max && !needsCleaning(text) && isWellFormed(text)) return text;
  const clean = oneLine(text);
  if (codePoints(clean) <= max) return clean;
  if (max <= 0) return '';
  return `${cutAtGrapheme(clean, max - 1, true)}…`;
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
 * "<name> (<id>)" within TITLE_MAX code points, or "<name> (<id>), <note>" (the Concur date of a
 * re-dated entry). Only the name is cut (at a grapheme boundary, marked
 * with "…"); the id is always kept whole, because it is what finds the document again. When the id
 * leaves no room for a name, the title is the id alone, even if the id by itself is longer than the
 * limit (a title Intacct may refuse is better than one that names the wrong or no document).
 */
export function batchTitle(name: string | null, id: string, note: string | null = null): string {
  const cleanId = oneLine(id);
  const tail = note ? `, ${oneLine(note)}` : '';
  const cleanName = oneLine(name ?? '');
  if (cleanName === '' || cleanName === cleanId) return `${cleanId}${tail}`;
  const suffix = ` (${cleanId})${tail}`;
  const room = TITLE_MAX - codePoints(suffix);
  if (codePoints(cleanName) <= room) return `${cleanName}${suffix}`;
  // One code point for the "…".
  const cut = cutAtGrapheme(cleanName, room - 1, true);
  return cut === '' ? `${cleanId}${tail}` : `${cut}…${suffix}`;
}

/** Splits a title made by `batchTitle` into its name and id (`null` id when it has no "(id)" suffix). */
function splitTitle(title: string): { name: string; id: string | null } {
  const m = /^(.*?) ?\(([^()]+)\)$/s.exec(title);
  return m ? { name: m[1]!, id: m[2]! } : { name: title, id: null };
}

/**
 * A title already sized by `batchTitle` comes back unchanged. A longer one ending in "(id)" (an entry
 * prepared by an earlier version, which allowed 100) is fitted the same way, the id kept whole. A
 * title without an "(id)" suffix is an id alone, or made by hand: it is never cut.
 */
export function fitBatchTitle(title: string): string {
  if (codePoints(title) <= TITLE_MAX && !needsCleaning(title) && isWellFormed(title)) return title;
  const clean = oneLine(title);
  const { name, id } = splitTitle(clean);
  return id !== null && codePoints(clean) > TITLE_MAX ? batchTitle(name, id) : clean;
}

/** "Reversal of <name> (<id>)": the original's id is kept whole, like every title. */
export function reversalTitle(originalTitle: string, id: string): string {
  const clean = oneLine(originalTitle);
  const suffix = ` (${oneLine(id)})`;
  const name = clean === oneLine(id) ? '' : clean.endsWith(suffix) ? clean.slice(0, -suffix.length) : clean;
  return batchTitle(name === '' ? 'Reversal' : `Reversal of ${name}`, id);
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
  const name =
    entry.titleName !== undefined ? entry.titleName : entry.batchTitle.endsWith(` (${id})`) ? entry.batchTitle.slice(0, -(id.length + 3)) : entry.batchTitle;
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
