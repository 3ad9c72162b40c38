/** One `<error>` of an Intacct `<errormessage>`, every field as Intacct sent it (strings, never numbers). */
import { ConnectorError } from '../../domain/errors.js';
export interface IntacctErrorDetail {
  errorNo: string | null;
  description: string | null;
  description2: string | null;
  correction: string | null;
}

/** Where in the response the failure sat: it tells what ran (control: nothing; authentication: no function). */
export type IntacctFailureLevel = 'control' | 'authentication' | 'result' | 'http';

export class IntacctGatewayError extends ConnectorError {
  override readonly name: string = 'IntacctGatewayError';
  constructor(
    message: string,
    readonly level: IntacctFailureLevel,
    readonly errors: readonly IntacctErrorDetail[],
    readonly httpStatus: number | null,
  ) {
    // HTTP 429/502/503 and Intacct's rate limit (GW-0010) are answered before anything runs: ask again.
    // Refused as a whole (control) or at login (authentication), no function ran; otherwise it may have.
    const refusedBeforeRunning = RETRYABLE_HTTP.has(httpStatus ?? 0) || errors.some((e) => e.errorNo === 'GW-0010');
    super(message, { retriable: refusedBeforeRunning, mayHaveRun: level !== 'control' && level !== 'authentication' && !refusedBeforeRunning });
  }
}

/** Gateway answers that prove the request was not processed and may be sent again. */
export const RETRYABLE_HTTP: ReadonlySet<number> = new Set([429, 502, 503]);

/** `<response><errormessage>`: the request was refused as a whole (sender, XML, rate limit); nothing ran. */
export class IntacctControlError extends IntacctGatewayError {
  override readonly name = 'IntacctControlError';
  constructor(errors: readonly IntacctErrorDetail[], httpStatus: number | null) {
    super(`Intacct refused the request: ${summarize(errors)}`, 'control', errors, httpStatus);
  }
}

/** `<operation><authentication><status>failure`: bad credentials or an expired session; no function ran. */
export class IntacctAuthenticationError extends IntacctGatewayError {
  override readonly name = 'IntacctAuthenticationError';
  constructor(errors: readonly IntacctErrorDetail[], httpStatus: number | null) {
    super(`Intacct authentication failed: ${summarize(errors)}`, 'authentication', errors, httpStatus);
  }
}

export type UnreadableKind = 'empty' | 'html' | 'malformed';

/** Not an Intacct XML answer at all: an empty body, a CDN/HTML error page, or broken XML. */
export class IntacctUnreadableResponseError extends IntacctGatewayError {
  override readonly name = 'IntacctUnreadableResponseError';
  constructor(
    readonly kind: UnreadableKind,
    httpStatus: number | null,
    detail: string,
  ) {
    super(
      `Intacct answered HTTP ${httpStatus ?? '?'} with ${kind === 'empty' ? 'an empty body' : kind === 'html' ? 'an HTML page (CDN or proxy error)' : 'unreadable XML'}: ${detail}`,
      'http',
      [],
      httpStatus,
    );
  }
}

/** HTTP status without a usable body (429, 5xx, …). */
export class IntacctHttpError extends IntacctGatewayError {
  override readonly name = 'IntacctHttpError';
  constructor(httpStatus: number, errors: readonly IntacctErrorDetail[] = []) {
    super(`Intacct answered HTTP ${httpStatus}${errors.length ? `: ${summarize(errors)}` : ''}`, 'http', errors, httpStatus);
  }
}

/**
 * The request may or may not have been processed (HTTP 524, timeout, connection lost after the body
 * was sent). A create must never be re-sent blindly after this: read it back first.
 */
export class IntacctUncertainOutcomeError extends ConnectorError {
  override readonly name = 'IntacctUncertainOutcomeError';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The outcome of the Intacct request is unknown (${reason}); it must be read back before any re-send`, {
      ...options,
      retriable: true,
      mayHaveRun: true,
    });
  }
}

/** The request never reached Intacct (connection refused, DNS, reset before sending): safe to retry. */
export class IntacctNetworkError extends ConnectorError {
  override readonly name = 'IntacctNetworkError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, retriable: true, mayHaveRun: false });
  }
}

export function summarize(errors: readonly IntacctErrorDetail[]): string {
  if (errors.length === 0) return 'no error details';
  return errors.map((e) => [e.errorNo, e.description, e.description2, e.correction].filter((s) => s !== null && s !== '').join(' - ')).join('; ');
}
