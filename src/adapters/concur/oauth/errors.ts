/** Failures of the Concur connection, each saying what a person (or the retry loop) should do. */
import { ConnectorError } from '../../../domain/errors.js';

export class ConcurReconnectRequiredError extends ConnectorError {
  override readonly name = 'ConcurReconnectRequiredError';
  constructor(detail: string) {
    super(
      `Concur refused the stored refresh token (${detail}). Reconnect Concur: set a new CONCUR_REFRESH_TOKEN, or CONCUR_COMPANY_UUID and CONCUR_COMPANY_REQUEST_TOKEN, and restart. No further token requests are made until then.`,
    );
  }
}

export class ConcurMaintenanceError extends ConnectorError {
  override readonly name = 'ConcurMaintenanceError';
  constructor(readonly retryAt: Date) {
    super(`The Concur company is in maintenance (code 134); the connector retries after ${retryAt.toISOString()}. Nothing to do.`, { retriable: true });
  }
}

export class ConcurNotConfiguredError extends ConnectorError {
  override readonly name = 'ConcurNotConfiguredError';
  constructor() {
    super(
      'No Concur credentials: set CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET plus CONCUR_REFRESH_TOKEN, or CONCUR_COMPANY_UUID and CONCUR_COMPANY_REQUEST_TOKEN',
    );
  }
}

/** A temporary failure (network, 5xx, 429, bad gateway answers): retry later. */
export class ConcurUnavailableError extends ConnectorError {
  override readonly name = 'ConcurUnavailableError';
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message, { retriable: true });
  }
}

/** Concur rejected a call even with a freshly refreshed token (missing scope, wrong company). */
export class ConcurAuthError extends ConnectorError {
  override readonly name = 'ConcurAuthError';
}
