import type { JournalEntry } from './journal-entry.js';

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a positive decimal string ("24.30") into integer units of 10^-scale, without floating point.
 * Throws when the string is not a plain positive decimal or has more decimals than `scale`.
 */
export function decimalToUnits(amount: string, scale: number): bigint {
  const match = DECIMAL.exec(amount);
  if (!match) throw new Error(`"${amount}" is not a positive decimal amount`);
  const fraction = match[2] ?? '';
  if (fraction.length > scale) throw new Error(`"${amount}" has more than ${scale} decimals`);
  return BigInt(match[1]! + fraction.padEnd(scale, '0'));
}

export function unitsToDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** The scale that covers every amount of the entry (at least 2, as Intacct sends 2 decimals). */
function entryScale(entry: Pick<JournalEntry, 'lines'>): number {
  return Math.max(2, ...entry.lines.map((l) => (l.amount.split('.')[1] ?? '').length));
}

/** Debits minus credits, as a decimal string ("0.00" when balanced). */
export function journalImbalance(entry: Pick<JournalEntry, 'lines'>): string {
  const scale = entryScale(entry);
  let sum = 0n;
  for (const line of entry.lines) sum += BigInt(line.trType) * decimalToUnits(line.amount, scale);
  return unitsToDecimal(sum, scale);
}

/** Sum of the debit lines, as a decimal string. */
export function journalDebitTotal(entry: Pick<JournalEntry, 'lines'>): string {
  const scale = entryScale(entry);
  let sum = 0n;
  for (const line of entry.lines) if (line.trType === 1) sum += decimalToUnits(line.amount, scale);
  return unitsToDecimal(sum, scale);
}

/**
 * Why an entry cannot be posted, or null when it can: at least one debit and one credit, no zero or
 * malformed amount, debits equal credits.
 */
export function journalProblem(entry: Pick<JournalEntry, 'lines'>): string | null {
  if (!entry.lines.some((l) => l.trType === 1) || !entry.lines.some((l) => l.trType === -1)) {
    return 'a journal entry needs at least one debit and one credit line';
  }
  for (const [i, line] of entry.lines.entries()) {
    if (!DECIMAL.test(line.amount)) return `line ${i + 1} has the malformed amount "${line.amount}"`;
    if (/^0+(\.0+)?$/.test(line.amount)) return `line ${i + 1} (account ${line.accountNo}) has a zero amount`;
  }
  const imbalance = journalImbalance(entry);
  if (!/^-?0+(\.0+)?$/.test(imbalance)) return `debits and credits differ by ${imbalance}`;
  return null;
}
