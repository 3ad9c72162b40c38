import { el } from './xml/xml-builder.js';
import { buildRequest, type LoginCredentials, type SenderCredentials } from './xml/envelope.js';
import type { GatewayResponse } from './xml/response-parser.js';
import { IntacctGatewayError } from './errors.js';
import { randomUUID } from 'node:crypto';

export interface IntacctSession {
  sessionId: string;
  endpoint: string;
  /** Epoch ms at which the connector stops using it (Intacct's sessiontimeout minus the margin). */
  refreshAt: number;
}

/** Sends one request and parses the answer; provided by the gateway client (concurrency cap, retries). */
export type Exchange = (url: string, xml: string, options: { mayCreate: boolean }) => Promise<GatewayResponse>;

export interface SessionManagerOptions {
  sender: SenderCredentials;
  login: LoginCredentials;
  /** The login endpoint (INTACCT_ENDPOINT); later calls go to the endpoint the session names. */
  loginEndpoint: string;
  exchange: Exchange;
  /** Refresh this long before Intacct's sessiontimeout. */
  marginMs?: number;
  now?: () => number;
}

/**
 * One API session shared by every caller. The session length is per company/user, so the expiry is
 * always taken from Intacct's `sessiontimeout` (which moves forward on every call), never assumed.
 */
export class IntacctSessionManager {
  private current: IntacctSession | null = null;
  private pending: Promise<IntacctSession> | null = null;
  private readonly margin: number;
  private readonly now: () => number;
  sessionsOpened = 0;

  constructor(private readonly options: SessionManagerOptions) {
    this.margin = options.marginMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<IntacctSession> {
    if (this.current && this.current.refreshAt > this.now()) return this.current;
    this.current = null;
    // Concurrent callers share one in-flight getAPISession.
    this.pending ??= this.open().finally(() => (this.pending = null));
    return this.pending;
  }

  /** Drop a session Intacct refused, unless another caller already replaced it. */
  invalidate(sessionId: string): void {
    if (this.current?.sessionId === sessionId) this.current = null;
  }

  /** Every answer carries the new sessiontimeout of the session used. */
  touch(sessionId: string, sessionTimeout: string | null): void {
    if (!sessionTimeout || this.current?.sessionId !== sessionId) return;
    const expires = Date.parse(sessionTimeout);
    if (Number.isFinite(expires)) this.current.refreshAt = this.refreshTime(expires);
  }

  /** The margin never eats more than a quarter of the remaining life (short sandbox sessions). */
  private refreshTime(expires: number): number {
    return expires - Math.min(this.margin, Math.max(0, (expires - this.now()) / 4));
  }

  private async open(): Promise<IntacctSession> {
    const { sender, login, loginEndpoint } = this.options;
    const xml = buildRequest({
      sender,
      requestControlId: `session-${randomUUID()}`,
      uniqueId: false,
      transaction: false,
      auth: { login },
      functions: [{ controlId: `getAPISession-${randomUUID()}`, body: el('getAPISession', el('locationid', login.locationId ?? '')) }],
    });
    const response = await this.options.exchange(loginEndpoint, xml, { mayCreate: false });
    const result = response.results[0];
    const api = result?.data?.rows.find((r) => r.object === 'api')?.fields;
    const sessionId = typeof api?.['sessionid'] === 'string' ? api['sessionid'] : '';
    const endpoint = typeof api?.['endpoint'] === 'string' ? api['endpoint'] : '';
    if (result?.status !== 'success' || !sessionId || !endpoint) {
      throw new IntacctGatewayError(
        'Intacct did not return an API session: check the user, company and entity (INTACCT_COMPANY_ID, INTACCT_USER_ID, INTACCT_ENTITY_ID)',
        'result',
        result?.errors ?? [],
        null,
      );
    }
    const timeout = Date.parse(response.authentication?.sessionTimeout ?? '');
    // Without a sessiontimeout, assume a short life rather than a long one.
    const refreshAt = Number.isFinite(timeout) ? this.refreshTime(timeout) : this.now() + 5 * 60_000;
    this.sessionsOpened++;
    this.current = { sessionId, endpoint, refreshAt };
    return this.current;
  }
}
