/** Concur ESS notifications as they arrive on the inbound topic (the webhook's JSON body). */
export interface TestNotification {
  id: string;
  correlationId: string;
  eventType: string;
  topic: string;
  subtopic: string | null;
  timeStamp: string;
  facts: Record<string, unknown>;
  data: null;
}

/** An `expense.readyForIntegration` notification for FIS document `EXP-<n>`; `seq` orders them per key. */
export function readyForIntegration(n: number, seq: number): TestNotification {
  const documentId = `EXP-${String(n).padStart(6, '0')}`;
  return {
    id: `ess-${documentId}`,
    correlationId: `corr-${documentId}`,
    eventType: 'expense.readyForIntegration',
    topic: 'public.concur.financialintegration',
    subtopic: null,
    timeStamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
    facts: {
      companyId: '2f3f7b1e-0000-4000-8000-000000000001',
      documentId,
      href: `https://us2.api.concursolutions.com/financialintegration/fi/v4/companies/transactiontypes/expense/transactions?docId=${documentId}`,
      seq,
    },
    data: null,
  };
}
