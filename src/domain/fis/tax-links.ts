/**
 * Which of an allocation's tax items each journal line takes. Concur links them by `taxGuid`: the
 * line lists guids, each tax item has one. Where the guids are missing the link can still be told
 * from the document, and only then is it made:
 * - references that match no tax item, all on one line, with exactly as many tax items without a
 *   guid: those items are the ones meant;
 * - the only journal line of the allocation lists no guid but does not balance without tax
 *   (amountNetOfTax given and not equal to amountGross): it takes the allocation's tax items.
 * Anything else that does not match is refused with the path, never guessed. Documents whose guids
 * are all present link exactly as before.
 */
import type { FisLineTax, FisTax } from './model.js';
import type { FisReader } from './reader.js';

export interface JournalTaxRefs {
  /** Guids the line lists; null when Concur gave none (absent, null, "" or []). */
  guids: readonly string[] | null;
  gross: number;
  netOfTax: number | null;
}

export function linkTaxes(r: FisReader, path: string, lines: readonly JournalTaxRefs[], taxes: readonly FisTax[]): FisLineTax[][] {
  const linked: FisTax[][] = [];
  let unresolved: { line: number; guid: string }[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const mine: FisTax[] = [];
    const guids = lines[i]!.guids;
    if (guids !== null) {
      for (const guid of guids) {
        let match: FisTax | null = null;
        for (const t of taxes) {
          if (t.taxGuid === guid) {
            match = t; // the first match, as find() would
            break;
          }
        }
        if (match) mine.push(match);
        else (unresolved ??= []).push({ line: i, guid });
      }
    }
    linked.push(mine);
  }
  if (unresolved !== null) {
    const first = unresolved[0]!;
    if (taxes.length === 0) r.fail(`${path}.tax`, `is missing or empty, but ${path}.journal[${first.line}].taxGuid references tax ${first.guid}`);
    const guidless = taxes.filter((t) => t.taxGuid === null);
    const line = first.line;
    if (guidless.length !== unresolved.length || unresolved.some((u) => u.line !== line)) {
      const hint = guidless.length > 0 ? ` (${guidless.length} tax item(s) there have no taxGuid, and which one is meant cannot be told)` : '';
      r.fail(`${path}.journal[${line}].taxGuid`, `references tax ${first.guid}, which is not in ${path}.tax${hint}`);
    }
    for (const t of guidless) linked[line]!.push(t);
  } else if (lines.length === 1 && linked[0]!.length === 0 && taxes.length > 0) {
    const only = lines[0]!;
    if (only.netOfTax !== null && only.netOfTax !== only.gross) linked[0] = [...taxes];
  }
  for (const mine of linked) {
    for (const t of mine) if (t.amountTax === null) r.fail(`${path}.tax[${t.index - 1}].amountTax`, 'is missing');
  }
  return linked as FisLineTax[][];
}
