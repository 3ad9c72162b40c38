import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { el, type XmlFragment } from '../xml/xml-builder.js';
import type { XmlRecord, XmlValue } from '../xml/response-parser.js';
import { seedDemoCompany, type CompanySeed, type SimulatedCompany } from './company.js';
import { FaultPlan, type FaultOptions } from './faults.js';
import { FunctionRunner } from './functions.js';
import type { SimError } from './glbatch-rules.js';

export interface IntacctSimulatorOptions {
  seed?: CompanySeed;
  /** Session life; it is extended on every call like Intacct's sessiontimeout. */
  sessionLifetimeMs?: number;
  /** Concurrent requests accepted before answering 429 GW-0010. */
  maxConcurrent?: number;
  /**
   * What a repeated function controlid under uniqueid=true gets. Intacct's real answer is not
   * documented, so both shapes are simulated: `error` (a failure without RECORDNO, the default and
   * the harder case) or `replay` (the original success again).
   */
  duplicateControlId?: 'error' | 'replay';
  faults?: FaultOptions;
}

export interface SimulatorStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  rateLimited: number;
  sessionsIssued: number;
  authFailures: number;
  duplicatesRefused: number;
  functionsRun: number;
  /**
   * Functions received in requests that were processed, by `verb` or `verb OBJECT` (`create GLBATCH`,
   * `readByQuery EEXPENSES`, `create_expensereport`, `getAPISession`): what Intacct would meter.
   */
  functionsByKind: Map<string, number>;
  requestsByPath: Record<string, number>;
}

interface Session {
  userId: string;
  expiresAt: number;
}

export interface IntacctSimulator {
  /** Login endpoint (what INTACCT_ENDPOINT points at). */
  url: string;
  state: SimulatedCompany;
  stats: SimulatorStats;
  faults: FaultPlan;
  /** Every session id handed out so far (tests check none of them was ever recorded). */
  sessionIdsIssued: readonly string[];
  /** Make every open session invalid now (as if they expired). */
  expireSessions(): void;
  close(): Promise<void>;
}

const LOGIN_PATH = '/ia/xml/xmlgw.phtml';
const SESSION_PATH = '/session-endpoint/ia/xml/xmlgw.phtml';

const requestParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  jPath: true,
  isArray: (name, jpath) => name === 'function' || (name === 'GLENTRY' && typeof jpath === 'string' && jpath.endsWith('ENTRIES.GLENTRY')),
});

const rec = (v: XmlValue | undefined): XmlRecord => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: XmlValue | undefined): string => (typeof v === 'string' ? v : '');

function errorMessage(errors: SimError[]): XmlFragment {
  return el(
    'errormessage',
    errors.map((e) =>
      el('error', [el('errorno', e.errorno), el('description', e.description), el('description2', e.description2), el('correction', e.correction)]),
    ),
  );
}

/** `create GLBATCH`, `readByQuery EEXPENSES`, `update VENDOR`; other verbs name no object (`create_expensereport`). */
function functionKind(verb: string, payload: XmlValue): string {
  const body = rec(payload);
  if (verb === 'readByQuery' || verb === 'read' || verb === 'readByName') {
    const object = str(body['object']);
    return object ? `${verb} ${object}` : verb;
  }
  if (verb === 'create' || verb === 'update' || verb === 'delete') {
    const object = Object.keys(body).find((k) => !k.startsWith('@_'));
    return object ? `${verb} ${object}` : verb;
  }
  return verb;
}

function document(body: XmlFragment[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el('response', body).xml}`;
}

function controlFailure(errors: SimError[]): string {
  return document([el('control', el('status', 'failure')), errorMessage(errors)]);
}

const html = (status: number, title: string): string =>
  `<!DOCTYPE html><html><head><title>${status} | ${title}</title></head><body><h1>${title}</h1><p>cdn edge</p></body></html>`;

/** A faithful stand-in of the Intacct XML gateway on 127.0.0.1 (random port). */
export async function startIntacctSimulator(options: IntacctSimulatorOptions = {}): Promise<IntacctSimulator> {
  const company = seedDemoCompany(options.seed);
  const runner = new FunctionRunner(company);
  const faults = new FaultPlan(options.faults);
  const sessions = new Map<string, Session>();
  const sessionIdsIssued: string[] = [];
  const executed = new Map<string, XmlFragment>();
  const lifetime = options.sessionLifetimeMs ?? 2 * 3600_000;
  const maxConcurrent = options.maxConcurrent ?? 2;
  const stats: SimulatorStats = {
    requests: 0,
    inFlight: 0,
    maxInFlight: 0,
    rateLimited: 0,
    sessionsIssued: 0,
    authFailures: 0,
    duplicatesRefused: 0,
    functionsRun: 0,
    functionsByKind: new Map(),
    requestsByPath: {},
  };
  let baseUrl = '';

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> => {
    const send = (status: number, text: string, type = 'text/xml'): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    };
    if (req.method !== 'POST') return send(405, html(405, 'Method Not Allowed'), 'text/html');
    const latency = faults.latency();
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));

    if (!body.trim() || XMLValidator.validate(body) !== true || /<!DOCTYPE|<!ENTITY/i.test(body)) {
      return send(
        400,
        controlFailure([{ errorno: 'XL03000003', description: 'XML Parse error', description2: 'The request is not well-formed XML.', correction: '' }]),
      );
    }
    const request = rec(rec(requestParser.parse(body) as XmlRecord)['request']);
    const control = rec(request['control']);
    if (str(control['senderid']) !== company.senderId || str(control['password']) !== company.senderPassword) {
      return send(
        200,
        controlFailure([
          {
            errorno: 'XL03000006',
            description: 'Incorrect Intacct XML Partner ID or password.',
            description2: '',
            correction: 'Check the Web Services sender credentials.',
          },
        ]),
      );
    }
    const uniqueId = str(control['uniqueid']) === 'true';
    const operation = rec(request['operation']);
    const auth = rec(operation['authentication']);
    const login = auth['login'] !== undefined ? rec(auth['login']) : null;
    const sessionId = str(auth['sessionid']);

    const fault = faults.draw((kind) => kind !== 'sessionKill' || login === null);
    if (fault === 'http5xx') return send(faults.random() < 0.5 ? 502 : 503, html(503, 'Service Temporarily Unavailable'), 'text/html');
    if (fault === 'sessionKill') sessions.delete(sessionId);

    let userId: string;
    if (login) {
      userId = str(login['userid']);
      const ok = company.users.get(userId) === str(login['password']) && str(login['companyid']) === company.companyId;
      if (!ok) return send(200, authFailure(userId));
    } else {
      const session = sessions.get(sessionId);
      if (!session || session.expiresAt <= Date.now()) {
        sessions.delete(sessionId);
        return send(200, authFailure(''));
      }
      session.expiresAt = Date.now() + lifetime;
      userId = session.userId;
    }

    const results: XmlFragment[] = [];
    let newSessionTimeout = sessions.get(sessionId)?.expiresAt ?? Date.now() + lifetime;
    for (const fn of (rec(operation['content'])['function'] ?? []) as XmlValue[]) {
      const f = rec(fn);
      const controlId = str(f['@_controlid']);
      const [verb, payload] = Object.entries(f).find(([k]) => !k.startsWith('@_')) ?? ['', ''];
      const head = [el('function', verb), el('controlid', controlId)];
      stats.functionsRun++;
      const kind = functionKind(verb, payload);
      stats.functionsByKind.set(kind, (stats.functionsByKind.get(kind) ?? 0) + 1);
      if (verb === 'getAPISession') {
        const id = `sim-${randomUUID()}`;
        newSessionTimeout = Date.now() + lifetime;
        sessions.set(id, { userId, expiresAt: newSessionTimeout });
        stats.sessionsIssued++;
        sessionIdsIssued.push(id);
        results.push(
          el('result', [
            el('status', 'success'),
            ...head,
            el('data', el('api', [el('sessionid', id), el('endpoint', `${baseUrl}${SESSION_PATH}`), el('locationid', str(rec(payload)['locationid']))])),
          ]),
        );
        continue;
      }
      const previous = uniqueId ? executed.get(controlId) : undefined;
      if (previous) {
        stats.duplicatesRefused++;
        results.push(
          options.duplicateControlId === 'replay'
            ? el('result', [el('status', 'success'), ...head, previous])
            : el('result', [
                el('status', 'failure'),
                ...head,
                errorMessage([
                  {
                    errorno: 'XL03000009',
                    description: 'Duplicate control id',
                    description2: `The function with control id ${controlId} has already been executed; it was not run again.`,
                    correction: 'Use a new control id to run the function again.',
                  },
                ]),
              ]),
        );
        continue;
      }
      const outcome = runner.run(verb, rec(payload), controlId);
      if (outcome.ok) {
        // Only functions that ran successfully are remembered: a failed create may be sent again.
        if (uniqueId) executed.set(controlId, outcome.data);
        results.push(el('result', [el('status', 'success'), ...head, outcome.data]));
      } else results.push(el('result', [el('status', 'failure'), ...head, errorMessage(outcome.errors)]));
    }
    const xml = document([
      el('control', [
        el('status', 'success'),
        el('senderid', company.senderId),
        el('controlid', str(control['controlid'])),
        el('uniqueid', uniqueId ? 'true' : 'false'),
        el('dtdversion', '3.0'),
      ]),
      el('operation', [
        el('authentication', [
          el('status', 'success'),
          el('userid', userId),
          el('companyid', company.companyId),
          el('locationid', ''),
          el('sessiontimestamp', new Date().toISOString()),
          el('sessiontimeout', new Date(newSessionTimeout).toISOString()),
        ]),
        ...results,
      ]),
    ]);
    // The functions above are committed: these faults make the outcome unknown to the caller.
    if (fault === 'timeout524') return send(524, html(524, 'A timeout occurred'), 'text/html');
    if (fault === 'drop') {
      res.socket?.destroy();
      return;
    }
    send(200, xml);
  };

  const authFailure = (userId: string): string => {
    stats.authFailures++;
    return document([
      el('control', [el('status', 'success'), el('senderid', company.senderId)]),
      el('operation', [
        el('authentication', [el('status', 'failure'), el('userid', userId), el('companyid', company.companyId)]),
        errorMessage([
          {
            errorno: 'XL03000006',
            description: 'Sign-in information is incorrect or the session has expired.',
            description2: '',
            correction: 'Sign in again.',
          },
        ]),
      ]),
    ]);
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    const path = (req.url ?? '').split('?')[0]!;
    stats.requestsByPath[path] = (stats.requestsByPath[path] ?? 0) + 1;
    if (stats.inFlight >= maxConcurrent) {
      stats.rateLimited++;
      req.resume();
      res.writeHead(429, { 'content-type': 'text/xml' });
      res.end(
        controlFailure([
          {
            errorno: 'GW-0010',
            description: 'Too many concurrent requests for this company.',
            description2: `At most ${maxConcurrent} requests may run at once.`,
            correction: 'Retry later.',
          },
        ]),
      );
      return;
    }
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const finish = (): void => {
      if (!done) (done = true), stats.inFlight--;
    };
    res.on('close', finish);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: `${baseUrl}${LOGIN_PATH}`,
    state: company,
    stats,
    faults,
    sessionIdsIssued,
    expireSessions: () => sessions.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
