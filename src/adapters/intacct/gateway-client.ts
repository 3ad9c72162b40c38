import { randomUUID } from 'node:crypto';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { IntacctAuthenticationError, IntacctGatewayError, IntacctNetworkError, IntacctUncertainOutcomeError } from './errors.js';
import { redactGatewayXml, type RawExchange } from './exchange-record.js';
import { nodeHttpTransport, type HttpAnswer, type HttpTransport } from './http-transport.js';
import { IntacctSessionManager } from './session.js';
import { buildRequest, type GatewayFunction, type LoginCredentials, type SenderCredentials } from './xml/envelope.js';
import { parseGatewayResponse, type FunctionResult, type GatewayResponse } from './xml/response-parser.js';
import { isRetriable, mayHaveRun } from '../../domain/errors.js';
import { MemoryTransactionLedger, type TransactionCount, type TransactionLedger, type TransactionPurpose } from './transaction-counter.js';

export interface GatewayClientOptions {
  endpoint: string;
  sender: SenderCredentials;
  login: LoginCredentials;
  /** INTACCT_MAX_CONCURRENCY. */
  maxConcurrency?: number;
  requestTimeoutMs?: number;
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  sessionMarginMs?: number;
  transport?: HttpTransport;
  random?: () => number;
  /** Where the API transaction counts are kept (SQLite in the service); in memory by default. */
  ledger?: TransactionLedger;
  /** Writing a count failed (the count is kept in memory and the request goes on). */
  onLedgerError?: (error: Error) => void;
}

export interface ExecuteOptions {
  /** uniqueid=true: Intacct runs a function whose controlid already ran only once. */
  uniqueId: boolean;
  /** The request creates something: an uncertain outcome is then reported, never retried. */
  mayCreate: boolean;
  /**
   * Called after every HTTP round trip of this call (retries and a session renewal included, so the
   * last call is the one that decided the outcome), with passwords and the session id redacted.
   */
  onExchange?: (exchange: RawExchange) => void;
  /**
   * What the functions are for, counted as API transactions by purpose: one for the whole request,
   * or per function (by controlid) when a request mixes creates and read-backs. `unattributed` if unset.
   */
  purpose?: TransactionPurpose | ((controlId: string) => TransactionPurpose);
}

interface ExchangeOptions {
  mayCreate: boolean;
  observe?: (exchange: RawExchange) => void;
  /** The controlids of the functions sent, and what each is for (counting). */
  controlIds: readonly string[];
  purposeOf: (controlId: string) => TransactionPurpose;
}

export interface GatewayMetrics {
  /** API transactions (functions executed, sessions opened) per calendar month `YYYY-MM`, UTC. */
  apiTransactionsByMonth: Record<string, number>;
  /** The same by month and purpose, since `countingSince` (kept across restarts by the ledger). */
  apiTransactions: TransactionCount[];
  countingSince: string;
  requests: number;
  retries: number;
  sessionsOpened: number;
  inFlight: number;
  peakInFlight: number;
}

// 502/503 come before Intacct processed anything (and creates carry uniqueid=true anyway); 504 and
// 524 mean the CDN gave up while Intacct may still be working, so they are uncertain for a create.
const UNCERTAIN_STATUS = new Set([504, 524]);

/**
 * Sends functions to the XML gateway: one shared session, at most `maxConcurrency` requests at a
 * time, backoff with jitter on rate limits and gateway errors, several functions per request
 * (transaction="false", so each commits or fails alone).
 */
export class IntacctGatewayClient {
  readonly sessions: IntacctSessionManager;
  private readonly limit: ConcurrencyLimit;
  private readonly transport: HttpTransport;
  private readonly random: () => number;
  /** month -> purpose -> functions; seeded from the ledger. */
  private readonly monthly = new Map<string, Map<TransactionPurpose, number>>();
  private readonly ledger: TransactionLedger;
  private requests = 0;
  private retries = 0;

  constructor(private readonly options: GatewayClientOptions) {
    this.limit = new ConcurrencyLimit(options.maxConcurrency ?? 2);
    this.transport = options.transport ?? nodeHttpTransport;
    this.random = options.random ?? Math.random;
    this.ledger = options.ledger ?? new MemoryTransactionLedger();
    for (const row of this.ledger.load()) this.tally(row.month, new Map([[row.purpose, row.count]]));
    this.sessions = new IntacctSessionManager({
      sender: options.sender,
      login: options.login,
      loginEndpoint: options.endpoint,
      marginMs: options.sessionMarginMs,
      exchange: (url, xml, o) => this.exchange(url, xml, { ...o, controlIds: [SESSION_FUNCTION], purposeOf: () => 'session' }),
    });
  }

  /** Runs the functions in one request and returns their results in the order given. */
  async execute(functions: readonly GatewayFunction[], options: ExecuteOptions): Promise<FunctionResult[]> {
    const requestControlId = `ml-${randomUUID()}`;
    const purpose = options.purpose ?? 'unattributed';
    const purposeOf = typeof purpose === 'function' ? purpose : () => purpose;
    const controlIds = functions.map((f) => f.controlId);
    let renewed = false;
    for (;;) {
      const session = await this.sessions.get();
      const xml = buildRequest({
        sender: this.options.sender,
        requestControlId,
        uniqueId: options.uniqueId,
        transaction: false,
        auth: { sessionId: session.sessionId },
        functions,
      });
      try {
        const observe = options.onExchange && this.redacting(options.onExchange, session.sessionId);
        const response = await this.exchange(session.endpoint, xml, { mayCreate: options.mayCreate, observe, controlIds, purposeOf });
        this.sessions.touch(session.sessionId, response.authentication?.sessionTimeout ?? null);
        const byId = new Map(response.results.map((r) => [r.controlId, r]));
        return functions.map((f) => byId.get(f.controlId) ?? missingResult(f.controlId));
      } catch (error) {
        // An expired or revoked session: no function ran, so the same functions (same controlids) are
        // sent once more with a fresh session. A second refusal is a real credentials problem.
        if (error instanceof IntacctAuthenticationError && !renewed) {
          renewed = true;
          this.sessions.invalidate(session.sessionId);
          continue;
        }
        throw error;
      }
    }
  }

  metrics(): GatewayMetrics {
    const apiTransactions: TransactionCount[] = [];
    for (const [month, byPurpose] of [...this.monthly].sort(([a], [b]) => a.localeCompare(b)))
      for (const [purpose, count] of byPurpose) apiTransactions.push({ month, purpose, count });
    return {
      apiTransactionsByMonth: Object.fromEntries([...this.monthly].map(([month, byPurpose]) => [month, sum(byPurpose.values())])),
      apiTransactions,
      countingSince: this.ledger.countingSince(),
      requests: this.requests,
      retries: this.retries,
      sessionsOpened: this.sessions.sessionsOpened,
      inFlight: this.limit.inFlight,
      peakInFlight: this.limit.peakInFlight,
    };
  }

  /** Secrets are removed here, where they are known, before the XML leaves the client. */
  private redacting(observer: (exchange: RawExchange) => void, sessionId: string): (exchange: RawExchange) => void {
    const secrets = [this.options.sender.senderPassword, this.options.login.userPassword, sessionId];
    return (x) =>
      observer({
        ...x,
        request: redactGatewayXml(x.request, secrets),
        response: x.response === null ? null : redactGatewayXml(x.response, secrets),
        reason: x.reason === null ? null : redactGatewayXml(x.reason, secrets),
      });
  }

  /** One HTTP round trip inside the concurrency cap, reported to `observe` whatever its outcome. */
  private send(url: string, xml: string, observe: ExchangeOptions['observe']): Promise<HttpAnswer> {
    return this.limit.run(async () => {
      this.requests++;
      const sentAt = new Date().toISOString();
      const started = performance.now();
      const report = (response: string | null, httpStatus: number | null, reason: string | null): void =>
        observe?.({ request: xml, response, httpStatus, reason, sentAt, durationMs: Math.round(performance.now() - started) });
      try {
        const answer = await this.transport(url, xml, this.options.requestTimeoutMs ?? 120_000);
        if (UNCERTAIN_STATUS.has(answer.status))
          report(null, answer.status, `HTTP ${answer.status} from the gateway: it gave up waiting, Intacct may still have processed the request`);
        else report(answer.body, answer.status, null);
        return answer;
      } catch (error) {
        report(null, null, error instanceof Error ? error.message : String(error));
        throw error;
      }
    });
  }

  /** One HTTP exchange with retries for failures that prove nothing was processed. */
  private async exchange(url: string, xml: string, options: ExchangeOptions): Promise<GatewayResponse> {
    const maxAttempts = this.options.retry?.maxAttempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.send(url, xml, options.observe);
        if (UNCERTAIN_STATUS.has(answer.status)) {
          // Intacct may have run every function: they are counted (metered) as sent.
          this.count(options.controlIds, options.purposeOf);
          throw new IntacctUncertainOutcomeError(`HTTP ${answer.status} from the gateway`);
        }
        const response = parseGatewayResponse(answer.status, answer.body);
        this.count(
          response.results.map((r) => r.controlId),
          options.purposeOf,
        );
        return response;
      } catch (error) {
        // The error says whether asking again may help and whether the request may have run; a
        // request that may have run is asked again only when it creates nothing (a read, a session).
        const retryable = isRetriable(error) && (!mayHaveRun(error) || !options.mayCreate);
        if (!retryable || attempt >= maxAttempts) throw error;
        this.retries++;
        await sleep(this.backoff(attempt));
      }
    }
  }

  private backoff(attempt: number): number {
    const base = this.options.retry?.baseDelayMs ?? 500;
    const cap = this.options.retry?.maxDelayMs ?? 30_000;
    const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
    return ceiling / 2 + this.random() * (ceiling / 2);
  }

  /** One API transaction per function Intacct ran (or may have run): in memory, then one ledger write. */
  private count(controlIds: readonly string[], purposeOf: (controlId: string) => TransactionPurpose): void {
    if (controlIds.length === 0) return;
    const month = new Date().toISOString().slice(0, 7);
    const counts = new Map<TransactionPurpose, number>();
    for (const id of controlIds) {
      const purpose = purposeOf(id);
      counts.set(purpose, (counts.get(purpose) ?? 0) + 1);
    }
    this.tally(month, counts);
    try {
      this.ledger.add(month, counts);
    } catch (error) {
      this.options.onLedgerError?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private tally(month: string, counts: ReadonlyMap<TransactionPurpose, number>): void {
    const byPurpose = this.monthly.get(month) ?? new Map<TransactionPurpose, number>();
    for (const [purpose, n] of counts) byPurpose.set(purpose, (byPurpose.get(purpose) ?? 0) + n);
    this.monthly.set(month, byPurpose);
  }
}

const SESSION_FUNCTION = 'getAPISession';
const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

function missingResult(controlId: string): FunctionResult {
  return {
    status: 'failure',
    function: '',
    controlId,
    data: null,
    key: null,
    errors: [{ errorNo: null, description: 'Intacct returned no result for this function', description2: null, correction: null }],
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
