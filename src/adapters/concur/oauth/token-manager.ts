import { createHash } from 'node:crypto';
import type { CredentialStore, StoredConcurCredentials } from '../secrets.js';
import { redactingLogger, silentLogger, SecretRegistry, type ConcurLogger } from '../log.js';
import { ConcurMaintenanceError, ConcurNotConfiguredError, ConcurReconnectRequiredError, ConcurUnavailableError } from './errors.js';

export interface ConcurOAuthConfig {
  /** Host that issues the first token (`CONCUR_AUTH_BASE_URL`). */
  authBaseUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken?: string | null;
  companyUuid?: string | null;
  companyRequestToken?: string | null;
}

export type ConcurConnectionState = 'disconnected' | 'connected' | 'reconnect-required' | 'maintenance';

export interface ConcurConnectionStatus {
  state: ConcurConnectionState;
  /** Datacenter base URL in use (from the last token response). */
  geolocation: string | null;
  /** Why the connection is not usable, in words for a person. */
  reason: string | null;
  retryAt: string | null;
}

export interface AccessToken {
  accessToken: string;
  geolocation: string;
  expiresAt: number;
}

export interface TokenManagerOptions {
  config: ConcurOAuthConfig;
  store: CredentialStore;
  secrets?: SecretRegistry;
  logger?: ConcurLogger;
  now?: () => number;
  /** Refresh this long before the access token expires. */
  expiryMarginMs?: number;
  /** How long to wait after code 134 (company in maintenance). */
  maintenanceRetryMs?: number;
  fetch?: typeof fetch;
  /** A token request that has not answered by then is abandoned. */
  timeoutMs?: number;
}

interface TokenErrorBody {
  code?: number | string;
  error?: string;
  error_description?: string;
  geolocation?: string;
}

const MAX_DATACENTER_HOPS = 3;
const trimSlash = (url: string): string => url.replace(/\/+$/, '');
const fingerprint = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * Owns the Concur OAuth2 session. Every refresh and API call goes to the `geolocation` of the last
 * token response; a rotated refresh token and a new geolocation are persisted together before the
 * new access token is used, so a crash can never leave us holding only a consumed refresh token.
 */
export class ConcurTokenManager {
  private readonly now: () => number;
  private readonly margin: number;
  private readonly maintenanceRetryMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly logger: ConcurLogger;
  readonly secrets: SecretRegistry;
  private cached: AccessToken | null = null;
  private inFlight: Promise<AccessToken> | null = null;
  private stored: StoredConcurCredentials | null | undefined = undefined;
  private state: ConcurConnectionState = 'disconnected';
  private reason: string | null = null;
  private retryAt: number | null = null;
  private blocked: Error | null = null;

  constructor(private readonly options: TokenManagerOptions) {
    this.now = options.now ?? Date.now;
    this.margin = options.expiryMarginMs ?? 60_000;
    this.maintenanceRetryMs = options.maintenanceRetryMs ?? 5 * 60_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.secrets = options.secrets ?? new SecretRegistry();
    this.logger = redactingLogger(options.logger ?? silentLogger, this.secrets);
    const c = options.config;
    for (const s of [c.clientSecret, c.refreshToken, c.companyRequestToken]) this.secrets.add(s);
  }

  status(): ConcurConnectionStatus {
    return {
      state: this.state,
      geolocation: this.cached?.geolocation ?? this.stored?.geolocation ?? null,
      reason: this.reason,
      retryAt: this.retryAt === null ? null : new Date(this.retryAt).toISOString(),
    };
  }

  /** A valid access token, refreshing when it is within the margin of expiry. One refresh at a time. */
  async getAccessToken(): Promise<AccessToken> {
    if (this.cached && this.cached.expiresAt - this.margin > this.now()) return this.cached;
    return this.refresh();
  }

  /**
   * After a 401 with `staleToken`: refresh unless another caller already replaced that token, so that
   * many concurrent 401s cause one refresh.
   */
  async forceRefresh(staleToken: string): Promise<AccessToken> {
    if (this.cached && this.cached.accessToken !== staleToken) return this.cached;
    this.cached = null;
    return this.refresh();
  }

  private refresh(): Promise<AccessToken> {
    if (this.blocked) {
      // Reconnect-required stays blocked; maintenance unblocks when its time has come.
      if (!(this.blocked instanceof ConcurMaintenanceError) || this.now() < this.blocked.retryAt.getTime()) return Promise.reject(this.blocked);
      this.blocked = null;
    }
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private seed(): { kind: 'refresh' | 'company'; fingerprint: string } | null {
    const c = this.options.config;
    if (c.refreshToken) return { kind: 'refresh', fingerprint: fingerprint(`refresh:${c.refreshToken}`) };
    if (c.companyUuid && c.companyRequestToken) return { kind: 'company', fingerprint: fingerprint(`company:${c.companyUuid}:${c.companyRequestToken}`) };
    return null;
  }

  private async doRefresh(): Promise<AccessToken> {
    const c = this.options.config;
    // Read the file again before every refresh: another process sharing ML_DATA_DIR (`cli ping`, a
    // second instance) may have rotated the refresh token since, and the old one is then consumed.
    const latest = await this.options.store.load().catch(() => null);
    if (latest && (!this.stored || latest.updatedAt >= this.stored.updatedAt)) this.stored = latest;
    else if (this.stored === undefined) this.stored = null;
    this.secrets.add(this.stored?.refreshToken);
    const seed = this.seed();
    // A stored chain wins unless a person configured a different seed credential since it started.
    const useStored = this.stored && (!seed || this.stored.seedFingerprint === seed.fingerprint);
    if (useStored && this.stored) {
      return this.tokenRequest(this.stored.geolocation, { grant_type: 'refresh_token', refresh_token: this.stored.refreshToken }, this.stored.seedFingerprint);
    }
    if (!seed) throw new ConcurNotConfiguredError();
    const base = { client_id: c.clientId, client_secret: c.clientSecret };
    if (seed.kind === 'refresh')
      return this.tokenRequest(c.authBaseUrl, { ...base, grant_type: 'refresh_token', refresh_token: c.refreshToken! }, seed.fingerprint);
    return this.tokenRequest(
      c.authBaseUrl,
      { ...base, grant_type: 'password', username: c.companyUuid!, password: c.companyRequestToken!, credtype: 'authtoken' },
      seed.fingerprint,
    );
  }

  private async tokenRequest(host: string, params: Record<string, string>, seedFingerprint: string): Promise<AccessToken> {
    const c = this.options.config;
    const form = { client_id: c.clientId, client_secret: c.clientSecret, ...params };
    let base = trimSlash(host);
    for (let hop = 0; hop <= MAX_DATACENTER_HOPS; hop++) {
      let response: Response;
      try {
        response = await this.fetchImpl(`${base}/oauth2/v0/token`, {
          method: 'POST',
          // Concur's token endpoint rejects a content type with a charset parameter.
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams(form).toString(),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        throw new ConcurUnavailableError(`Concur token endpoint ${base} is unreachable (${(error as Error).message}); retrying later`);
      }
      const correlationId = response.headers.get('concur-correlationid');
      const text = await response.text().catch((error: Error) => {
        throw new ConcurUnavailableError(`Concur token endpoint ${base} cut its answer off (${error.message}); retrying later`);
      });
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        /* non-JSON answers are classified by status below */
      }
      if (response.ok && typeof body.access_token === 'string') return this.accept(base, body, params.refresh_token ?? null, seedFingerprint, correlationId);
      const err = body as TokenErrorBody;
      const code = Number(err.code);
      this.logger.log('warn', 'Concur token request refused', {
        host: base,
        status: response.status,
        code: err.code ?? null,
        error: err.error ?? null,
        correlationId,
      });
      if (code === 16 && err.geolocation) {
        base = trimSlash(err.geolocation);
        continue;
      }
      if (code === 108 || (err.error === 'invalid_grant' && response.status < 500)) {
        this.cached = null;
        this.state = 'reconnect-required';
        this.reason = `code ${err.code ?? '?'}: ${err.error_description ?? err.error ?? 'invalid grant'}`;
        this.blocked = new ConcurReconnectRequiredError(this.reason);
        this.logger.log('error', this.blocked.message, { correlationId });
        throw this.blocked;
      }
      if (code === 134) {
        this.state = 'maintenance';
        this.retryAt = this.now() + this.maintenanceRetryMs;
        this.reason = 'Concur company in maintenance (code 134)';
        this.blocked = new ConcurMaintenanceError(new Date(this.retryAt));
        throw this.blocked;
      }
      throw new ConcurUnavailableError(
        `Concur token endpoint ${base} answered HTTP ${response.status} (code ${err.code ?? 'none'}: ${err.error_description ?? err.error ?? 'no description'}); retrying later`,
      );
    }
    throw new ConcurUnavailableError(`Concur redirected the token request across more than ${MAX_DATACENTER_HOPS} datacenters; retrying later`);
  }

  private async accept(
    host: string,
    body: Record<string, unknown>,
    usedRefreshToken: string | null,
    seedFingerprint: string,
    correlationId: string | null,
  ): Promise<AccessToken> {
    const accessToken = body.access_token as string;
    const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : usedRefreshToken;
    const geolocation = trimSlash(typeof body.geolocation === 'string' && body.geolocation ? body.geolocation : host);
    // expires_in arrives as a number or a string depending on the grant; refresh_expires_in is an epoch.
    const expiresIn = Number(body.expires_in);
    const refreshExpires = Number(body.refresh_expires_in);
    this.secrets.add(accessToken);
    this.secrets.add(refreshToken);
    this.secrets.add(typeof body.id_token === 'string' ? body.id_token : null);
    if (!refreshToken) throw new ConcurUnavailableError('Concur issued no refresh token; cannot keep the connection alive');
    const record: StoredConcurCredentials = {
      refreshToken,
      geolocation,
      refreshExpiresAt: Number.isFinite(refreshExpires) && refreshExpires > 0 ? refreshExpires * 1000 : null,
      seedFingerprint,
      updatedAt: new Date(this.now()).toISOString(),
    };
    // A credential change is an operator-visible event: a newly configured seed credential taking
    // over the stored chain (someone changed CONCUR_REFRESH_TOKEN / the company token), or Concur
    // rotating the refresh token. The values themselves never reach the log.
    const previous = this.stored;
    if (!previous)
      this.logger.log('info', 'Concur credential stored: first connection with the configured credential; the refresh token is kept encrypted in ML_DATA_DIR', {
        actor: 'config',
        action: 'credential-change',
        geolocation,
      });
    else if (previous.seedFingerprint !== seedFingerprint) {
      this.logger.log('info', 'Concur credential changed: the newly configured credential replaces the stored refresh-token chain', {
        actor: 'config',
        action: 'credential-change',
        geolocation,
      });
    } else if (refreshToken !== usedRefreshToken) {
      this.logger.log('info', 'Concur refresh token rotated by Concur; the new one is stored encrypted', {
        actor: 'system:concur-oauth',
        action: 'credential-change',
        geolocation,
      });
    }
    // Persist before use: the refresh token we just presented is already invalid at Concur. If the
    // write fails the new token is still kept in memory (the process keeps working) and the failure
    // is made visible, because a restart before the next successful write would need a reconnect.
    this.stored = record;
    let persistProblem: string | null = null;
    try {
      await this.options.store.save(record);
    } catch (error) {
      persistProblem = `the rotated Concur refresh token could not be saved (${(error as Error).message}); fix ML_DATA_DIR (permissions, space) or Concur must be reconnected after a restart`;
      this.logger.log('error', persistProblem);
    }
    this.cached = { accessToken, geolocation, expiresAt: this.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000 };
    this.state = 'connected';
    this.reason = persistProblem;
    this.retryAt = null;
    this.logger.log('info', 'Concur access token obtained', { geolocation, expiresInS: expiresIn, correlationId });
    return this.cached;
  }
}
