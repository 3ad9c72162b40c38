import type { ConcurDocType } from '../journal/journal-entry.js';
import type { FisDocument, FisFields, FisItemHeader } from './model.js';
import { FisDocumentError, FisReader, describe } from './reader.js';
import { parseCashAdvanceApplications, parseEmployee, parseEntries, parseReport } from './parse-expense.js';
import { parseCashAdvance, parseInvoice } from './parse-other.js';

/** A Map: `docType` comes from Concur, and "constructor" must be unsupported, not Object.prototype.constructor. */
const DOC_TYPES: ReadonlyMap<string, ConcurDocType> = new Map<string, ConcurDocType>([
  ['expense', 'expense'],
  ['invoice', 'invoice'],
  ['paymentrequest', 'paymentrequest'],
  ['cashadvance', 'cashadvance'],
]);

/**
 * Parses one FIS item (`{id, docType, companyId, entityId, …, document}`) into a `FisDocument`.
 * Throws `FisDocumentError` naming the document id and the path of the first missing/invalid field;
 * only what posting needs is required (required.ts, docs/required-fields.md).
 */
export function parseFisDocument(item: unknown): FisDocument {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new FisDocumentError('(unknown)', 'item', `must be an object, got ${describe(item)}`);
  }
  const o = item as FisFields;
  const rawId = o['id'];
  const id = typeof rawId === 'string' && rawId !== '' ? rawId : '(unknown)';
  const probe = new FisReader(id, 'USD');
  if (id === '(unknown)') probe.fail('id', 'is missing or empty');
  const docTypeText = probe.string(o['docType'], '', 'docType').toLowerCase();
  const docType = DOC_TYPES.get(docTypeText);
  if (docType === undefined) return probe.fail('docType', `"${docTypeText}" is not a supported type (expense, invoice, paymentrequest, cashadvance)`);
  const document = probe.object(o['document'], 'document');
  const header: Omit<FisItemHeader, 'currency'> = {
    id,
    docType,
    companyId: probe.optionalString(o['companyId'], '', 'companyId'),
    entityId: probe.optionalString(o['entityId'], '', 'entityId'),
    docStatus: probe.optionalString(o['docStatus'], '', 'docStatus'),
  };
  if (docType === 'cashadvance') return parseCashAdvance(header, document);
  if (docType === 'invoice' || docType === 'paymentrequest') return parseInvoice(header, document);

  const rawReport = probe.object(document['report'], 'document.report');
  const currency = probe.string(rawReport['employeeCurrencyAlphaCode'], 'document.report', 'employeeCurrencyAlphaCode');
  const r = new FisReader(id, currency);
  // Fields listed, not spread from `header`: this is the hot path and the spread copy showed in profiles.
  return {
    id: header.id,
    docType: header.docType,
    companyId: header.companyId,
    entityId: header.entityId,
    docStatus: header.docStatus,
    currency,
    kind: 'expense',
    employee: parseEmployee(r, document['employee'], 'document.employee'),
    report: parseReport(r, rawReport, 'document.report'),
    entries: parseEntries(r, document, 'document'),
    cashAdvanceApplications: parseCashAdvanceApplications(r, document, 'document'),
  };
}
