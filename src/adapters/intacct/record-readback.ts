import { randomUUID } from 'node:crypto';
import { targetOf, type JournalEntry } from '../../domain/journal/journal-entry.js';
import { queryLiteral } from './glbatch-readback.js';
import { REFERENCE_FIELDS } from './record-serializer.js';
import type { GatewayFunction } from './xml/envelope.js';
import { el } from './xml/xml-builder.js';

/** The STATE Intacct gives a subledger record once it was reversed. */
export const REVERSED_STATE = 'Reversed';

/**
 * readByQuery that finds the record of `entry` if it already exists, with a random controlid (under
 * uniqueid=true a repeated read would not run again). A record is found by its object's reference
 * field (= posting key; REFERENCE_FIELDS). The reversal of a non-GL record is found as the original
 * (`reverses`, its RECORDNO) in STATE `Reversed`: the reverse functions take no reference of ours.
 * `recordNosFound` reads either answer.
 */
export function readBackFunctionFor(entry: JournalEntry, reverses: string | null = null): GatewayFunction {
  const target = targetOf(entry);
  const reference = REFERENCE_FIELDS.get(target) ?? 'REFERENCENO';
  const query =
    target !== 'GLBATCH' && reverses !== null
      ? `RECORDNO = ${queryLiteral(reverses)} AND STATE = ${queryLiteral(REVERSED_STATE)}`
      : `${reference} = ${queryLiteral(entry.postingKey)}`;
  return {
    controlId: `readback-${randomUUID()}`,
    body: el('readByQuery', [el('object', target), el('fields', `RECORDNO,${reference},STATE`), el('query', query), el('pagesize', '10')]),
  };
}
