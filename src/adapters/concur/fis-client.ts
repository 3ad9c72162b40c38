import type { ConcurDocType } from '../../domain/journal/journal-entry.js';
import type { ConcurApi } from './oauth/concur-api.js';
import { ConcurUnavailableError } from './oauth/errors.js';

/** One FIS item as Concur returns it: `{id, docType, companyId, entityId, …, document, docStatus}`. */
export interface FisItem {
  id: string;
  docType: string;
  docStatus?: string | null;
  document?: unknown;
}

export interface FisPage {
  items: FisItem[];
  /** Next page number to ask for, or null at the end of the queue. */
  nextPage: number | null;
}

/**
 * FIS service codes: 0 ok, 101 already acknowledged, 102/112 recalled, 111 not acknowledged,
 * 113 already confirmed, 116 not found, 199 retry later.
 */
export type FisCodeOutcome = 'ok' | 'already-done' | 'recalled' | 'not-acknowledged' | 'not-found' | 'retry-later' | 'failed';

export function classifyFisCode(code: number): FisCodeOutcome {
  switch (code) {
    case 0:
      return 'ok';
    case 101:
    case 113:
      return 'already-done';
    case 102:
    case 112:
      return 'recalled';
    case 111:
      return 'not-acknowledged';
    case 116:
      return 'not-found';
    case 199:
      return 'retry-later';
    default:
      return 'failed';
  }
}

export interface FisItemResult {
  docId: string;
  code: number;
  outcome: FisCodeOutcome;
  message: string | null;
}

export interface PostingConfirmation {
  docId: string;
  status: 'success' | 'error';
  /** Intacct RECORDNO of the GLBATCH, for a success. */
  documentNumber?: string | null;
  companyId?: string | null;
  fiscalYear?: string | null;
  postingDate?: string | null;
  /** For an error: the user-facing reasons; they appear in Concur's audit trail. */
  messages?: string[];
}

const FIS_BASE = '/financialintegration/fi/v4/companies/transactiontypes';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asItems(list: unknown): FisItem[] {
  if (!Array.isArray(list)) return [];
  return list.filter((x): x is FisItem => isRecord(x) && typeof x.id === 'string');
}

/**
 * FIS documents its page as `{content, page:{number,totalPages}}` while SAP's own samples use
 * `{fIDocuments, offset, nextPage, numberReturned}`; both occur, so both are read here and nowhere else.
 */
export function parseFisPage(body: unknown, requestedPage: number): FisPage {
  if (!isRecord(body)) throw new ConcurUnavailableError('FIS answered the document query with something that is not an object; retrying later');
  if (Array.isArray(body.content)) {
    const page = isRecord(body.page) ? body.page : {};
    const number = Number(page.number ?? requestedPage);
    const totalPages = Number(page.totalPages ?? 0);
    const items = asItems(body.content);
    return { items, nextPage: items.length > 0 && number + 1 < totalPages ? number + 1 : null };
  }
  if (Array.isArray(body.fIDocuments)) {
    const items = asItems(body.fIDocuments);
    const next = body.nextPage;
    // nextPage is a URL with `page=` in SAP samples, a number elsewhere, null/empty at the end.
    let nextPage: number | null = null;
    if (typeof next === 'number') nextPage = next;
    else if (typeof next === 'string' && next) {
      const m = /[?&]page=(\d+)/.exec(next);
      nextPage = m ? Number(m[1]) : requestedPage + 1;
    }
    return { items, nextPage: items.length > 0 ? nextPage : null };
  }
  throw new ConcurUnavailableError('FIS answered the document query without `content` or `fIDocuments`; retrying later');
}

export function parseItemResults(body: unknown, ids: readonly string[], action: string): FisItemResult[] {
  const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.content) ? body.content : null;
  if (!list) throw new ConcurUnavailableError(`FIS answered the ${action} with an unexpected body; retrying later`);
  return ids.map((docId) => {
    const item = list.find((x) => isRecord(x) && x.docId === docId) as Record<string, unknown> | undefined;
    if (!item) return { docId, code: 199, outcome: 'retry-later', message: `FIS did not report on document ${docId}` };
    // `code` is optional in FIS's schema; `acknowledgeResult`/`status` FAILURE without one is a failure.
    const result = String(item.acknowledgeResult ?? item.status ?? item.result ?? '').toUpperCase();
    const code = item.code !== undefined && item.code !== null ? Number(item.code) : result === 'FAILURE' ? -2 : 0;
    const message = typeof item.errorMessage === 'string' ? item.errorMessage : typeof item.detailMessage === 'string' ? item.detailMessage : null;
    return { docId, code, outcome: classifyFisCode(code), message };
  });
}

export class FisClient {
  constructor(
    private readonly api: ConcurApi,
    /** Our ERP system id as registered in Concur (sent as `systemId`). */
    private readonly systemId: string,
  ) {}

  /** The document, or null when FIS does not know the id. */
  async getDocument(docType: ConcurDocType, docId: string): Promise<FisItem | null> {
    const res = await this.api.request('GET', `${FIS_BASE}/${docType}/transactions`, { query: { docId } });
    if (res.status === 404) return null;
    if (res.status >= 400) throw new ConcurUnavailableError(`FIS refused to return ${docType} document ${docId} (HTTP ${res.status}); retrying later`);
    const page = parseFisPage(res.body, 0);
    return page.items.find((i) => i.id === docId) ?? page.items[0] ?? null;
  }

  async getQueuePage(docType: ConcurDocType, page: number, limit = 25, options: { ignoreDocumentStatus?: boolean } = {}): Promise<FisPage> {
    const res = await this.api.request('GET', `${FIS_BASE}/${docType}/transactions`, {
      query: { page, limit, ignoreDocumentStatus: options.ignoreDocumentStatus ? true : undefined },
    });
    if (res.status >= 400) throw new ConcurUnavailableError(`FIS refused the ${docType} queue page ${page} (HTTP ${res.status}); retrying later`);
    return parseFisPage(res.body, page);
  }

  async acknowledge(docType: ConcurDocType, ids: readonly string[]): Promise<FisItemResult[]> {
    const res = await this.api.request('POST', `${FIS_BASE}/${docType}/transactions/acknowledgements`, { json: { systemId: this.systemId, ids } });
    return parseItemResults(res.body, ids, 'acknowledgement');
  }

  async confirmPostings(docType: ConcurDocType, confirmations: readonly PostingConfirmation[]): Promise<FisItemResult[]> {
    const postingConfirmations = confirmations.map((c) => ({
      docId: c.docId,
      overallPostingStatusCode: c.status,
      postingDocs:
        c.status === 'success'
          ? [{ companyId: c.companyId ?? null, documentNumber: c.documentNumber ?? null, fiscalYear: c.fiscalYear ?? null, postingDate: c.postingDate ?? null }]
          : [],
      systemMessages: (c.messages ?? []).map((text) => ({ messageType: c.status === 'error' ? 'E' : 'I', messageText: text })),
    }));
    const res = await this.api.request('POST', `${FIS_BASE}/${docType}/transactions/postingconfirmations`, {
      json: { systemId: this.systemId, postingConfirmations },
    });
    return parseItemResults(
      res.body,
      confirmations.map((c) => c.docId),
      'posting confirmation',
    );
  }

  /** Optional for expense: tells Concur the employee was paid. */
  async confirmPayments(
    docType: ConcurDocType,
    payments: readonly { docId: string; paymentDate: string; paymentReference?: string | null }[],
  ): Promise<FisItemResult[]> {
    const res = await this.api.request('POST', `${FIS_BASE}/${docType}/transactions/paymentconfirmations`, {
      json: {
        systemId: this.systemId,
        paymentConfirmations: payments.map((p) => ({ docId: p.docId, paymentDate: p.paymentDate, paymentRef: p.paymentReference ?? null })),
      },
    });
    return parseItemResults(
      res.body,
      payments.map((p) => p.docId),
      'payment confirmation',
    );
  }
}
