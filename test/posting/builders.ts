/** Builders of raw FIS items in Concur's JSON shape (amounts as JSON numbers, like the samples). */
export interface JournalSpec {
  account?: string | null;
  payer?: string;
  payee?: string;
  gross: number;
  net?: number | null;
  taxes?: { guid: string; tax: number; reclaim: number; label?: string | null }[];
}

export interface EntrySpec {
  id: string;
  type?: string;
  vendor?: string | null;
  personal?: boolean;
  approved?: number;
  fields?: Record<string, unknown>;
  allocations: { id: string; percentage?: number; fields?: Record<string, unknown>; journals: JournalSpec[] }[];
}

export function expenseItem(spec: {
  id?: string;
  currency?: string;
  total?: number | null;
  reportFields?: Record<string, unknown>;
  entries: EntrySpec[];
  cashAdvances?: { id: string; amount: number }[];
  employeeId?: string;
}): Record<string, unknown> {
  const allocationTaxes = (journals: JournalSpec[]) =>
    journals.flatMap((j) => (j.taxes ?? []).map((t) => ({ taxGuid: t.guid, amountTax: t.tax, amountReclaim: t.reclaim, taxAuthorityLabel: t.label ?? null })));
  return {
    id: spec.id ?? 'DOC1',
    docType: 'expense',
    companyId: '1',
    entityId: null,
    document: {
      employee: { employeeId: spec.employeeId ?? '1017001', employeeFirstName: 'Dp1', employeeLastName: 'CTE', employeeOrgUnit4Code: 'EMP-CC' },
      report: {
        reportId: 'R1',
        reportName: 'Synthetic report',
        employeeCurrencyAlphaCode: spec.currency ?? 'USD',
        totalApprovedAmount: spec.total ?? null,
        revisionNumber: '2',
        reportSubmitDate: '2026-06-29T10:00:00.000Z',
        reportPaymentProcessingDate: '2026-06-30T08:00:00.000Z',
        ...spec.reportFields,
      },
      expenseEntry: spec.entries.map((e) => ({
        entryId: e.id,
        expenseTypeCode: e.type ?? 'MEALS',
        expenseTypeName: e.type ?? 'Meals',
        entryVendorDescription: e.vendor ?? null,
        entryIsPersonal: e.personal ? 'Y' : 'N',
        entryApprovedAmount: e.approved ?? null,
        ...e.fields,
        allocation: e.allocations.map((a) => ({
          allocationId: a.id,
          allocationPercentage: a.percentage ?? 100,
          ...a.fields,
          journal: a.journals.map((j) => ({
            journalAccountCode: j.account === undefined ? '474230' : j.account,
            journalPayer: j.payer ?? 'COMP',
            journalPayee: j.payee ?? 'EMPL',
            amountGross: j.gross,
            amountNetOfTax: j.net === undefined ? j.gross : j.net,
            taxGuid: (j.taxes ?? []).map((t) => t.guid),
          })),
          tax: allocationTaxes(a.journals),
        })),
      })),
      cashAdvanceApplication: (spec.cashAdvances ?? []).map((c) => ({
        cashAdvanceId: c.id,
        cashAdvanceApplicationAmount: c.amount,
        cashAdvanceClearingAccountCode: null,
      })),
    },
  };
}
