/** Failures of the Concur connection, each saying what a person (or the retry loop) should do. */

export class ConcurReconnectRequiredError extends Error {
  override readonly name = 'ConcurReconnectRequiredError';
  constructor(detail: string) {
    super(`Concur refused the stored refresh token (${detail}). Reconnect Concur: set a new CONCUR_REFRESH_TOKEN, or CONCUR_COMPANY_UUID and CONCUR_COMPANY_REQUEST_TOKEN, and restart. No further token requests are made until then.`);
  }
}

export class ConcurMaintenanceError extends Error {
  override readonly name = 'ConcurMaintenanceError';
  constructor(readonly retryAt: Date) {
    super(`The Concur company is in maintenance (code 134); the connector retries after ${retryAt.toISOString()}. Nothing to do.`);
  }
}

export class ConcurNotConfiguredError extends Error {
  override readonly name = 'ConcurNotConfiguredError';
  constructor() {
    super('No Concur credentials: set CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET plus CONCUR_REFRESH_TOKEN, or CONCUR_COMPANY_UUID and CONCUR_COMPANY_REQUEST_TOKEN');
  }
}

/** A temporary failure (network, 5xx, 429, bad gateway answers): retry later. */
export class ConcurUnavailableError extends Error {
  override readonly name = 'ConcurUnavailableError';
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Concur rejected a call even with a freshly refreshed token (missing scope, wrong company). */
export class ConcurAuthError extends Error {
  override readonly name = 'ConcurAuthError';
}
