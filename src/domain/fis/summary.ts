import type { ConcurDocumentFetched } from '../document/events.js';
import { formatMinor } from '../money/money.js';
import type { FisDocument } from './model.js';

export type FisDocumentSummary = Pick<ConcurDocumentFetched, 'reportId' | 'reportName' | 'employeeId' | 'amount' | 'currency' | 'version'>;

/**
 * The facts `ConcurDocumentFetched` carries. Version: an expense report's `revisionNumber`, then
 * `versionId` (a recalled and resubmitted report gets a new FIS id anyway); "1" when Concur gives none.
 */
export function summarizeFisDocument(doc: FisDocument): FisDocumentSummary {
  switch (doc.kind) {
    case 'expense':
      return {
        reportId: doc.report.reportId,
        reportName: doc.report.reportName || null,
        employeeId: doc.employee.employeeId,
        amount: doc.report.totalApprovedAmount === null ? null : formatMinor(doc.report.totalApprovedAmount, doc.currency),
        currency: doc.currency,
        version: doc.report.revisionNumber ?? doc.report.versionId ?? '1',
      };
    case 'cashadvance':
      return {
        reportId: doc.cashAdvanceId,
        reportName: doc.name,
        employeeId: doc.employee.employeeId,
        amount: formatMinor(doc.amount, doc.currency),
        currency: doc.currency,
        version: '1',
      };
    case 'invoice':
      return {
        reportId: doc.requestId,
        reportName: doc.name ?? doc.invoiceNumber,
        employeeId: null,
        amount: formatMinor(doc.totalAmount, doc.currency),
        currency: doc.currency,
        version: doc.version ?? '1',
      };
  }
}
