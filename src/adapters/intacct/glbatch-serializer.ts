import { DIMENSION_TARGETS, type JournalEntry } from '../../domain/journal/journal-entry.js';
import { cleanText, fitBatchTitle } from '../../domain/posting/text.js';
import { el, type XmlFragment } from './xml/xml-builder.js';
import { ConnectorError } from '../../domain/errors.js';

/**
 * Intacct does not publish reliable field lengths for BATCH_TITLE and GLENTRY DESCRIPTION. The title
 * is sized by the domain (`TITLE_MAX` in domain/posting/text.ts, the id always kept whole) and sent as
 * it is; DESCRIPTION is trimmed here well below the smallest limit seen in practice (characters =
 * code points, cut between grapheme clusters; see domain/posting/text.ts). The full text stays in
 * our events.
 */
export const LINE_MEMO_MAX = 100;

export class UnpostableEntryError extends ConnectorError {
  override readonly name = 'UnpostableEntryError';
  constructor(
    readonly postingKey: string,
    reason: string,
  ) {
    super(`Journal entry ${postingKey} cannot be sent to Intacct: ${reason}`);
  }
}

/**
 * At most `max` characters (code points), cut between grapheme clusters with "…": the domain's rule
 * (`cleanText`), so a DESCRIPTION never splits an emoji sequence or a letter from its accents.
 */
export function trimText(value: string, max: number): string {
  return cleanText(value, max);
}

/** YYYY-MM-DD -> mm/dd/yyyy (Intacct's date format for GLBATCH). */
export function intacctDate(isoDate: string, postingKey: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new UnpostableEntryError(postingKey, `batch date "${isoDate}" is not YYYY-MM-DD`);
  return `${m[2]}/${m[3]}/${m[1]}`;
}

/** A positive decimal string to integer cents; refuses more than 2 significant decimals. */
export function toCents(amount: string, postingKey: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) throw new UnpostableEntryError(postingKey, `amount "${amount}" is not a positive decimal`);
  const decimals = (m[2] ?? '').replace(/0+$/, '');
  if (decimals.length > 2) throw new UnpostableEntryError(postingKey, `amount "${amount}" has more than 2 decimals`);
  return BigInt(m[1]!) * 100n + BigInt(decimals.padEnd(2, '0'));
}

export function formatCents(cents: bigint): string {
  const s = cents.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

export interface GlBatchOptions {
  /** Send CURRENCY on each line (multi-currency companies). */
  includeCurrency?: boolean;
  /** `Posted` (default) or `Draft`. */
  state?: 'Posted' | 'Draft';
}

/** The `<create><GLBATCH>` body of one journal entry. Refuses an entry that does not balance. */
export function serializeGlBatch(entry: JournalEntry, options: GlBatchOptions = {}): XmlFragment {
  const key = entry.postingKey;
  if (entry.lines.length < 2) throw new UnpostableEntryError(key, `it has ${entry.lines.length} line(s); Intacct needs at least a debit and a credit`);
  let debits = 0n;
  let credits = 0n;
  const lines = entry.lines.map((line, i) => {
    const cents = toCents(line.amount, key);
    if (cents === 0n) throw new UnpostableEntryError(key, `line ${i + 1} (account ${line.accountNo}) has a zero amount`);
    if (line.trType === 1) debits += cents;
    else if (line.trType === -1) credits += cents;
    else throw new UnpostableEntryError(key, `line ${i + 1} has TR_TYPE ${String(line.trType)}`);
    if (!line.accountNo) throw new UnpostableEntryError(key, `line ${i + 1} has no account`);
    return el('GLENTRY', [
      el('ACCOUNTNO', line.accountNo),
      el('TR_TYPE', String(line.trType)),
      el('TRX_AMOUNT', formatCents(cents)),
      options.includeCurrency !== false && entry.currency ? el('CURRENCY', entry.currency) : null,
      ...DIMENSION_TARGETS.map((d) => (line.dimensions[d] ? el(d, line.dimensions[d]) : null)),
      line.memo ? el('DESCRIPTION', trimText(line.memo, LINE_MEMO_MAX)) : null,
    ]);
  });
  if (debits === 0n || credits === 0n) throw new UnpostableEntryError(key, 'it needs at least one debit and one credit line');
  if (debits !== credits) {
    throw new UnpostableEntryError(
      key,
      `debits ${formatCents(debits)} and credits ${formatCents(credits)} differ by ${formatCents(debits > credits ? debits - credits : credits - debits)}`,
    );
  }
  return el(
    'create',
    el('GLBATCH', [
      el('JOURNAL', entry.journal),
      el('BATCH_DATE', intacctDate(entry.batchDate, key)),
      el('BATCH_TITLE', fitBatchTitle(entry.batchTitle || key)),
      el('REFERENCENO', key),
      el('STATE', options.state ?? 'Posted'),
      el('ENTRIES', lines),
    ]),
  );
}
