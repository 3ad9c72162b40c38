import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ConcurSimulatorFaults, ConcurSimulatorState, SimDocument } from './state.js';
import { listVendors, writeVendors } from './vendors.js';

type Datacenter = 'primary' | 'secondary';

export interface SimulatorServerContext {
  state: ConcurSimulatorState;
  faults: ConcurSimulatorFaults;
  urlOf: (dc: Datacenter) => string;
  now: () => number;
}

const FIS =
  /^\/financialintegration\/fi\/v4\/companies\/transactiontypes\/([a-z]+)\/transactions(?:\/(acknowledgements|postingconfirmations|paymentconfirmations))?$/;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'concur-correlationid': randomUUID(), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One datacenter of the simulated Concur: OAuth, FIS and v3 report search, enforcing Concur's rules. */
export function createDatacenterServer(dc: Datacenter, ctx: SimulatorServerContext): Server {
  return createServer((req, res) => {
    const run = async () => {
      if (ctx.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, ctx.faults.latencyMs));
      const url = new URL(req.url ?? '/', 'http://sim');
      const body = await readBody(req);
      if (req.method === 'POST' && url.pathname === '/oauth2/v0/token') return token(dc, req, body, res, ctx);
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const tok = auth ? ctx.state.accessTokens.get(auth[1]!) : undefined;
      // A token is only good at the datacenter that issued it, and only until it expires.
      if (!tok || tok.datacenter !== dc || tok.expiresAt <= ctx.now())
        return send(res, 401, { error: 'invalid_token', message: 'Access token missing, expired or issued elsewhere' });
      if (ctx.faults.apiFailures.count > 0) {
        ctx.faults.apiFailures.count--;
        return send(res, ctx.faults.apiFailures.status, { message: 'simulated failure' }, ctx.faults.apiFailures.status === 429 ? { 'retry-after': '1' } : {});
      }
      const fis = FIS.exec(url.pathname);
      if (fis) return fisRoute(fis[1]!, fis[2] ?? null, req.method ?? 'GET', url, body, res, ctx);
      if (req.method === 'GET' && url.pathname === '/api/v3.0/expense/reports') return reportSearch(url, res, ctx, dc);
      if (url.pathname === '/api/v3.1/invoice/vendors') {
        const reply =
          req.method === 'GET'
            ? listVendors(ctx.state, url, ctx.urlOf(dc))
            : req.method === 'POST' || req.method === 'PUT'
              ? writeVendors(ctx.state, req.method, body)
              : { status: 405, body: { Message: 'method not allowed' } };
        return send(res, reply.status, reply.body);
      }
      return send(res, 404, { message: `simulator: no route ${req.method} ${url.pathname}` });
    };
    run().catch((error: Error) => send(res, 500, { message: error.message }));
  });
}

function token(dc: Datacenter, req: IncomingMessage, raw: string, res: ServerResponse, ctx: SimulatorServerContext): void {
  const { state, faults } = ctx;
  const contentType = req.headers['content-type'];
  const form = new URLSearchParams(raw);
  const grantType = form.get('grant_type') ?? '';
  const refuse = (status: number, code: number, error: string, description: string, geolocation = ctx.urlOf(dc)) => {
    state.tokenRequests.push({ datacenter: dc, grantType, contentType, code });
    send(res, status, { code, error, error_description: description, geolocation });
  };
  // Concur's token endpoint wants exactly this content type, with no charset parameter.
  if (contentType !== 'application/x-www-form-urlencoded') return refuse(400, 1, 'invalid_request', `unsupported content type ${contentType ?? 'none'}`);
  if (state.clients.get(form.get('client_id') ?? '') !== form.get('client_secret')) return refuse(401, 105, 'invalid_client', 'bad client id or secret');
  if (faults.tokenMaintenance > 0) {
    faults.tokenMaintenance--;
    return refuse(503, 134, 'server_error', 'company is in maintenance');
  }
  if (dc !== state.homeDatacenter) return refuse(400, 16, 'invalid_request', 'user lives elsewhere', ctx.urlOf(state.homeDatacenter));
  let sub: string;
  if (grantType === 'refresh_token') {
    const presented = form.get('refresh_token') ?? '';
    const known = state.refreshTokens.get(presented);
    if (!known) return refuse(400, 108, 'invalid_grant', 'bad or expired refresh token');
    state.refreshTokens.delete(presented);
    sub = known.sub;
  } else if (grantType === 'password' && form.get('credtype') === 'authtoken') {
    const uuid = form.get('username') ?? '';
    if (!state.companies.has(uuid) || state.companies.get(uuid) !== form.get('password')) return refuse(400, 108, 'invalid_grant', 'bad company request token');
    sub = uuid;
  } else {
    return refuse(400, 2, 'unsupported_grant_type', `grant ${grantType} not supported by the simulator`);
  }
  state.tokenRequests.push({ datacenter: dc, grantType, contentType, code: null });
  const now = ctx.now();
  send(res, 200, {
    access_token: state.issueAccessToken(dc, now),
    token_type: 'Bearer',
    // Real Concur answers expires_in as a string for some grants and a number for others.
    expires_in: grantType === 'password' ? String(state.accessTokenLifetimeS) : state.accessTokenLifetimeS,
    refresh_token: state.issueRefreshToken(sub),
    refresh_expires_in: Math.floor(now / 1000) + 180 * 86400,
    id_token: `sim-idt-${sub}`,
    scope: 'FISVC expense.report.read',
    geolocation: ctx.urlOf(dc),
  });
}

function itemResult(ctx: SimulatorServerContext, docId: string, code: number, resultKey: string, result: string): Record<string, unknown> {
  return { docId, systemId: 'sim', code, [resultKey]: result, errorMessage: code === 0 ? null : `code ${code}` };
}

function fisRoute(docType: string, action: string | null, method: string, url: URL, raw: string, res: ServerResponse, ctx: SimulatorServerContext): void {
  const { state, faults } = ctx;
  const ofType = [...state.documents.values()].filter((d) => d.item.docType === docType);
  if (action === null && method === 'GET') {
    const docId = url.searchParams.get('docId');
    const page = Number(url.searchParams.get('page') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 25), 100);
    // The swagger documents yes/no; the connector sends true. Both mean: whatever the document's status.
    const ignoreStatus = ['true', 'yes'].includes(url.searchParams.get('ignoreDocumentStatus') ?? '');
    const selected = docId ? ofType.filter((d) => d.item.id === docId) : ofType.filter((d) => ignoreStatus || d.status === 'READY');
    const slice = docId ? selected : selected.slice(page * limit, page * limit + limit);
    const items = slice.map((d) => ({ ...structuredClone(d.item), docStatus: d.status }));
    const totalPages = docId ? 1 : Math.ceil(selected.length / limit);
    if (state.responseShape === 'content')
      return send(res, 200, { content: items, page: { size: limit, totalElements: selected.length, totalPages, number: page }, links: [] });
    const hasNext = !docId && page + 1 < totalPages;
    return send(res, 200, {
      fIDocuments: items,
      offset: page * limit,
      nextPage: hasNext ? `${url.pathname}?page=${page + 1}&limit=${limit}` : null,
      numberReturned: items.length,
    });
  }
  if (method !== 'POST' || action === null) return send(res, 405, { message: 'method not allowed' });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return send(res, 400, { message: 'body is not JSON' });
  }
  if (typeof body.systemId !== 'string' || !body.systemId) return send(res, 400, { message: 'systemId is required' });
  const find = (id: string): SimDocument | undefined => state.documents.get(id);
  const retryLater = (): boolean => (faults.fisRetryLater > 0 ? (faults.fisRetryLater--, true) : false);
  if (action === 'acknowledgements') {
    if (!Array.isArray(body.ids) || body.ids.some((x) => typeof x !== 'string')) return send(res, 400, { message: 'ids must be an array of document ids' });
    const out = (body.ids as string[]).map((id) => {
      const doc = find(id);
      const code = retryLater() ? 199 : !doc ? 116 : doc.status === 'RECALLED' ? 102 : doc.status !== 'READY' ? 101 : 0;
      if (code === 0) doc!.status = 'ACKNOWLEDGED';
      state.fisCalls.push({ kind: 'acknowledgement', docId: id, code, body: null });
      return itemResult(ctx, id, code, 'acknowledgeResult', code === 0 || code === 101 ? 'SUCCESS' : 'FAILURE');
    });
    return send(res, 200, out);
  }
  if (action === 'postingconfirmations') {
    const list = body.postingConfirmations;
    if (!Array.isArray(list)) return send(res, 400, { message: 'postingConfirmations must be an array' });
    for (const c of list as Record<string, unknown>[]) {
      const ok = c.overallPostingStatusCode === 'success' || c.overallPostingStatusCode === 'error';
      const docs = Array.isArray(c.postingDocs) ? (c.postingDocs as Record<string, unknown>[]) : [];
      if (typeof c.docId !== 'string' || !ok) return send(res, 400, { message: 'each confirmation needs docId and overallPostingStatusCode success|error' });
      if (c.overallPostingStatusCode === 'success' && !(typeof docs[0]?.documentNumber === 'string' && docs[0].documentNumber))
        return send(res, 400, { message: `confirmation for ${c.docId}: a success needs postingDocs[0].documentNumber` });
      if (c.overallPostingStatusCode === 'error' && !(Array.isArray(c.systemMessages) && c.systemMessages.length > 0))
        return send(res, 400, { message: `confirmation for ${c.docId}: an error needs systemMessages` });
    }
    const out = (list as Record<string, unknown>[]).map((c) => {
      const id = c.docId as string;
      const doc = find(id);
      const code = retryLater()
        ? 199
        : !doc
          ? 116
          : doc.status === 'RECALLED'
            ? 112
            : doc.status === 'READY'
              ? 111
              : doc.status.startsWith('POSTING_CONFIRMED')
                ? 113
                : 0;
      if (code === 0) doc!.status = c.overallPostingStatusCode === 'success' ? 'POSTING_CONFIRMED_SUCCESS' : 'POSTING_CONFIRMED_FAILURE';
      state.fisCalls.push({ kind: 'postingconfirmation', docId: id, code, body: c });
      const result =
        code === 0 || code === 113
          ? 'SUCCESS'
          : code === 112
            ? 'WAS_RECALLED'
            : code === 111
              ? 'NOT_YET_ACKNOWLEDGED'
              : code === 116
                ? 'DOCUMENT_NOT_FOUND'
                : 'SYSTEM_ERROR_OCCURRED';
      return itemResult(ctx, id, code, 'postingConfirmationResult', result);
    });
    return send(res, 200, out);
  }
  const list = Array.isArray(body.paymentConfirmations) ? (body.paymentConfirmations as Record<string, unknown>[]) : [];
  const out = list.map((c) => {
    const id = String(c.docId);
    const doc = find(id);
    const code = !doc ? 116 : doc.status === 'POSTING_CONFIRMED_SUCCESS' ? 0 : 199;
    state.fisCalls.push({ kind: 'paymentconfirmation', docId: id, code, body: c });
    return itemResult(ctx, id, code, 'paymentConfirmationResult', code === 0 ? 'SUCCESS' : code === 116 ? 'DOCUMENT_NOT_FOUND' : 'NOT_POSTING_CONFIRMED');
  });
  return send(res, 200, out);
}

/** v3 report search: approved reports modified in a window, paged with limit/offset and NextPage. */
function reportSearch(url: URL, res: ServerResponse, ctx: SimulatorServerContext, dc: Datacenter): void {
  const after = Date.parse(url.searchParams.get('modifiedDateAfter') ?? '1970-01-01');
  const before = Date.parse(url.searchParams.get('modifiedDateBefore') ?? '2999-01-01');
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 25), 100);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const reports = [...ctx.state.documents.values()]
    .filter((d) => d.item.docType === 'expense')
    .map((d) => ({ d, report: (d.item.document.report ?? {}) as Record<string, unknown> }))
    .filter(({ report }) => {
      const t = Date.parse(String(report.reportSubmitDate ?? ''));
      return t >= after && t < before;
    });
  const page = reports.slice(offset, offset + limit).map(({ d, report }) => ({
    ID: report.reportId,
    Name: report.reportName,
    Total: report.totalApprovedAmount,
    CurrencyCode: report.employeeCurrencyAlphaCode,
    ApprovalStatusCode: 'A_APPR',
    SubmitDate: report.reportSubmitDate,
    LastModifiedDate: d.modifiedAt,
    URI: `${ctx.urlOf(dc)}/api/v3.0/expense/reports/${String(report.reportId)}`,
  }));
  const next = offset + limit < reports.length ? `${ctx.urlOf(dc)}/api/v3.0/expense/reports?offset=${offset + limit}&limit=${limit}` : null;
  send(res, 200, { Items: page, NextPage: next });
}
