import type { ConcurDocType } from '../../domain/journal/journal-entry.js';
import { parseFisDocument, summarizeFisDocument, type FisDocumentSummary } from '../../domain/fis/index.js';
import type { FisItem } from './fis-client.js';

export type { FisDocumentSummary };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/**
 * The domain parser decides; when it refuses the document (a shape it cannot read), the document is
 * still recorded with what can be read here, and the posting rules reject it later with the parser's
 * precise reason, so the document shows up in the UI instead of vanishing.
 */
export function summarizeFisItem(docType: ConcurDocType, item: FisItem): FisDocumentSummary {
  try {
    return summarizeFisDocument(parseFisDocument(item));
  } catch {
    return readableSummary(docType, item);
  }
}

function readableSummary(docType: ConcurDocType, item: FisItem): FisDocumentSummary {
  const doc = isRecord(item.document) ? item.document : {};
  if (docType === 'expense') {
    const report = isRecord(doc.report) ? doc.report : {};
    const employee = isRecord(doc.employee) ? doc.employee : {};
    return {
      reportId: text(report.reportId),
      reportName: text(report.reportName),
      employeeId: text(employee.employeeId),
      amount: text(report.totalApprovedAmount),
      currency: text(report.employeeCurrencyAlphaCode),
      version: text(report.revisionNumber) ?? text(report.versionId) ?? '1',
    };
  }
  const header = isRecord(doc.invoice) ? doc.invoice : doc;
  return {
    reportId: text(header.requestId) ?? text(header.reportId),
    reportName: text(header.name) ?? text(header.invoiceNumber),
    employeeId: text(header.employeeId),
    amount: text(header.totalAmount),
    currency: text(header.currencyCode) ?? text(header.currency),
    version: text(header.version) ?? text(header.versionId) ?? '1',
  };
}

/**
 * The summary of a fetched document and, when the domain parser cannot read it as a FIS document, why
 * (null when it can): what the document pipeline records on fetch (`DocumentSummarizer`).
 */
export function describeFisItem(item: unknown, docType: ConcurDocType): { summary: FisDocumentSummary; problem: string | null } {
  let problem: string | null = null;
  try {
    parseFisDocument(item);
  } catch (error) {
    problem = (error as Error).message;
  }
  return { summary: summarizeFisItem(docType, item as FisItem), problem };
}
