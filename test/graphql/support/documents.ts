import { documentStreamId, type MappingGap, type PostingError } from '../../../src/domain/document/events.js';
import { postingKeyFor, type JournalEntry } from '../../../src/domain/journal/journal-entry.js';
import type { TestConnector } from './test-connector.js';

/** Secrets that appear in recorded XML the way the Intacct envelope carries them; none may reach a client. */
export const SENDER_PASSWORD = 'sender-pw-Zq81!x';
export const USER_PASSWORD = 'user-pw-Lk55?y';
export const SESSION_ID = 'sess-9f8e7d6c5b4a';

export interface DocSpec {
  id: string;
  employeeId: string;
  amount: string;
  reportName: string;
  outcome: 'posted' | 'gap' | 'rejected' | 'failed' | 'received';
  gapCode?: string;
}

export function entryFor(spec: DocSpec): JournalEntry {
  const postingKey = postingKeyFor('expense', spec.id, '1');
  return {
    postingKey,
    docType: 'expense',
    concurDocumentId: spec.id,
    reportId: `R-${spec.id}`,
    journal: 'EXPJ',
    batchDate: '2026-11-20',
    batchTitle: `${spec.reportName} (R-${spec.id})`,
    currency: 'USD',
    total: spec.amount,
    lines: [
      {
        accountNo: '6500',
        trType: 1,
        amount: spec.amount,
        memo: 'Airfare - Delta',
        dimensions: { DEPARTMENT: 'D100', LOCATION: '100' },
        kind: 'expense',
        sources: ['entry 1'],
      },
      { accountNo: '2050', trType: -1, amount: spec.amount, memo: 'Employee payable', dimensions: { EMPLOYEEID: spec.employeeId }, kind: 'counterparty' },
    ],
  };
}

const requestXml = (key: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>mlconn</senderid><password>${SENDER_PASSWORD}</password><controlid>${key}</controlid><uniqueid>true</uniqueid></control>` +
  `<operation><authentication><login><userid>api</userid><companyid>ACME</companyid><password>${USER_PASSWORD}</password></login></authentication><content><function controlid="${key}"><create><GLBATCH><REFERENCENO>${key}</REFERENCENO></GLBATCH></create></function></content></operation></request>`;
const responseXml = (recordNo: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control><operation><authentication><status>success</status><sessionid>${SESSION_ID}</sessionid></authentication><result><status>success</status><key>${recordNo}</key></result></operation></response>`;

const closedPeriod: PostingError = {
  category: 'closed-period',
  errorNo: 'BL03000054',
  description: 'The GL period is closed',
  description2: 'Cannot post to a closed period 2026-10',
  correction: 'Open the period or change the batch date',
  message: `Period 2026-10 is closed in Intacct: reopen it or repost with a later date (password=${USER_PASSWORD})`,
};

/** Records the events a document would get on the given path, through the real store and projection. */
export async function seedDocument(connector: TestConnector, spec: DocSpec): Promise<string> {
  const stream = documentStreamId('expense', spec.id);
  const entry = entryFor(spec);
  const events: Array<{ type: string; data: unknown; actor?: string }> = [
    {
      type: 'ConcurDocumentReceived',
      data: { docType: 'expense', concurDocumentId: spec.id, channel: 'webhook', notificationId: `n-${spec.id}`, href: null, reportId: `R-${spec.id}` },
    },
    {
      type: 'ConcurDocumentFetched',
      data: {
        docType: 'expense',
        concurDocumentId: spec.id,
        reportId: `R-${spec.id}`,
        reportName: spec.reportName,
        employeeId: spec.employeeId,
        amount: spec.amount,
        currency: 'USD',
        version: '1',
        document: { id: spec.id },
      },
    },
  ];
  if (spec.outcome === 'gap') {
    const gap: MappingGap = {
      kind: 'account',
      code: spec.gapCode ?? '01028',
      field: 'accounts',
      lines: ['entry 1 / allocation 1 / journal 1'],
      message: `No Intacct account for Concur account code ${spec.gapCode ?? '01028'}`,
    };
    events.push({ type: 'MappingGapFound', data: { gaps: [gap], mappingRevision: 0 }, actor: 'system:posting-rules' });
  } else if (spec.outcome !== 'received') {
    events.push({ type: 'JournalEntryPrepared', data: { postingKey: entry.postingKey, entry, mappingRevision: 0 }, actor: 'system:posting-rules' });
    events.push({ type: 'PostingRequested', data: { postingKey: entry.postingKey, entry, reverses: null }, actor: 'system:posting-rules' });
    if (spec.outcome === 'posted') {
      // The shape the Intacct worker records: an unanswered create (HTTP 524), then the read that settled it.
      const exchange = { request: requestXml(entry.postingKey), response: responseXml(`RN${spec.id}`), sentAt: '2026-11-20T10:00:05.000Z', durationMs: 87 };
      const earlierExchange = {
        request: requestXml(entry.postingKey),
        response: null,
        reason: 'HTTP 524 from the gateway',
        sentAt: '2026-11-20T10:00:00.000Z',
        durationMs: 4012,
      };
      events.push({
        type: 'PostingSucceeded',
        data: { postingKey: entry.postingKey, recordNo: `RN${spec.id}`, outcome: 'created', exchange, earlierExchange },
        actor: 'system:intacct',
      });
    } else if (spec.outcome === 'rejected') {
      events.push({
        type: 'PostingRejected',
        data: { postingKey: entry.postingKey, attempt: 1, error: closedPeriod, requestXml: requestXml(entry.postingKey) },
        actor: 'system:intacct',
      });
    } else {
      events.push({
        type: 'PostingFailed',
        data: {
          postingKey: entry.postingKey,
          attempt: 1,
          error: { ...closedPeriod, category: 'transient', message: 'Intacct answered 503' },
          nextAttemptAt: '2030-01-01T00:00:00.000Z',
        },
        actor: 'system:intacct',
      });
    }
  }
  await connector.append(stream, events);
  return stream;
}
