import { redactingLogger, silentLogger, type ConcurLogger } from '../log.js';
import { ConcurAuthError, ConcurUnavailableError } from './errors.js';
import type { ConcurTokenManager } from './token-manager.js';

export interface ConcurApiResponse {
  status: number;
  body: unknown;
  correlationId: string | null;
}

export interface ConcurApiOptions {
  tokens: ConcurTokenManager;
  logger?: ConcurLogger;
  fetch?: typeof fetch;
  /** A call that has not answered by then is abandoned (and retried later by its caller). */
  timeoutMs?: number;
}

/**
 * Authenticated calls to the datacenter named by the current token. A 401 means the access token
 * was revoked or expired early: refresh once and retry once, never more. `concur-correlationid`
 * is logged for every call because SAP support asks for it.
 */
export class ConcurApi {
  private readonly logger: ConcurLogger;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ConcurApiOptions) {
    this.logger = redactingLogger(options.logger ?? silentLogger, options.tokens.secrets);
    this.fetchImpl = options.fetch ?? fetch;
  }

  async request(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    init: { query?: Record<string, string | number | boolean | undefined>; json?: unknown } = {},
  ): Promise<ConcurApiResponse> {
    let token = await this.options.tokens.getAccessToken();
    let response = await this.send(method, token.geolocation, token.accessToken, path, init);
    if (response.status === 401) {
      token = await this.options.tokens.forceRefresh(token.accessToken);
      response = await this.send(method, token.geolocation, token.accessToken, path, init);
      if (response.status === 401)
        throw new ConcurAuthError(
          `Concur refused ${method} ${path} even with a fresh access token (HTTP 401): check the app's scopes (FISVC for FIS) and the company connection`,
        );
    }
    if (response.status === 429) {
      const retryAfterS = Number(response.headers.get('retry-after'));
      throw new ConcurUnavailableError(
        `Concur rate-limited ${method} ${path} (HTTP 429); retrying later`,
        Number.isFinite(retryAfterS) ? retryAfterS * 1000 : null,
      );
    }
    if (response.status >= 500) throw new ConcurUnavailableError(`Concur answered HTTP ${response.status} to ${method} ${path}; retrying later`);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new ConcurUnavailableError(`Concur's answer to ${method} ${path} was cut off (${(error as Error).message}); retrying later`);
    }
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      throw new ConcurUnavailableError(`Concur answered ${method} ${path} with a body that is not JSON (HTTP ${response.status}); retrying later`);
    }
    return { status: response.status, body, correlationId: response.headers.get('concur-correlationid') };
  }

  private async send(
    method: string,
    geolocation: string,
    accessToken: string,
    path: string,
    init: { query?: Record<string, string | number | boolean | undefined>; json?: unknown },
  ): Promise<Response> {
    const url = new URL(path, `${geolocation}/`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const started = Date.now();
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new ConcurUnavailableError(`Concur is unreachable for ${method} ${path} (${(error as Error).message}); retrying later`);
    }
    this.logger.log(response.ok ? 'debug' : 'warn', 'Concur API call', {
      method,
      path: url.pathname,
      status: response.status,
      ms: Date.now() - started,
      concurCorrelationId: response.headers.get('concur-correlationid'),
    });
    return response;
  }
}
