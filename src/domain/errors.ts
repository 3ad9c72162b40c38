/**
 * The one error base class. Every error the service defines says two things that retry policies need,
 * and the policies read only these (never `instanceof` lists or error names):
 * - `retriable`: the same operation may succeed if tried again later (a timeout, a full disk, HTTP 503,
 *   a concurrent append); false when only a person can fix it (bad credentials, invalid input, a
 *   corrupt file).
 * - `mayHaveRun`: the operation failed here but may have taken effect remotely (a request sent whose
 *   answer was lost). A create must then be read back before it is repeated.
 */
export interface ConnectorErrorOptions {
  retriable?: boolean;
  mayHaveRun?: boolean;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly retriable: boolean;
  readonly mayHaveRun: boolean;

  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? false;
    this.mayHaveRun = options.mayHaveRun ?? false;
  }
}

/** Whether trying again later may help. Errors of unknown origin are not retried blindly. */
export function isRetriable(error: unknown): boolean {
  return error instanceof ConnectorError && error.retriable;
}

/**
 * Whether a failed operation may still have taken effect remotely. Unknown errors may have: only an
 * error that knows better (a refused connection, a request refused as a whole) proves nothing ran.
 */
export function mayHaveRun(error: unknown): boolean {
  return error instanceof ConnectorError ? error.mayHaveRun : true;
}
