import { describe, expect, it } from 'vitest';
import {
  IntacctControlError,
  IntacctHttpError,
  IntacctNetworkError,
  IntacctUncertainOutcomeError,
  IntacctUnreadableResponseError,
} from '../../src/adapters/intacct/errors.js';
import { ConcurReconnectRequiredError, ConcurUnavailableError } from '../../src/adapters/concur/oauth/errors.js';
import { LifecycleError } from '../../src/domain/document/decider.js';
import { ConnectorError, isRetriable, mayHaveRun } from '../../src/domain/errors.js';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../../src/domain/eventstore/port.js';

/** What the retry policies read: every error says whether to try again and whether it may have run. */
describe('errors say retriable and mayHaveRun', () => {
  it.each([
    ['a refused connection to Intacct', new IntacctNetworkError('ECONNREFUSED'), true, false],
    ['an answer lost after sending', new IntacctUncertainOutcomeError('timeout'), true, true],
    ['HTTP 503 from the gateway', new IntacctHttpError(503), true, false],
    ['HTTP 500 from the gateway', new IntacctHttpError(500), false, true],
    [
      "Intacct's rate limit (GW-0010)",
      new IntacctControlError([{ errorNo: 'GW-0010', description: 'rate', description2: null, correction: null }], 200),
      true,
      false,
    ],
    [
      'a request refused as a whole',
      new IntacctControlError([{ errorNo: 'XL03000006', description: 'bad sender', description2: null, correction: null }], 200),
      false,
      false,
    ],
    ['an HTML page instead of XML with 200', new IntacctUnreadableResponseError('html', 200, 'cdn'), false, true],
    ['the event store refusing appends', new EventStoreUnavailableError('disk full'), true, false],
    ['a concurrent append', new WrongExpectedRevisionError('s', 1, 2), true, false],
    ['Concur unavailable', new ConcurUnavailableError('503'), true, false],
    ['Concur refusing the refresh token', new ConcurReconnectRequiredError('invalid_grant'), false, false],
    ['a lifecycle refusal', new LifecycleError('no'), false, false],
  ])('%s', (_, error, retriable, ran) => {
    expect(error).toBeInstanceOf(ConnectorError);
    expect(isRetriable(error)).toBe(retriable);
    expect(mayHaveRun(error)).toBe(ran);
  });

  it('an error of unknown origin is not retried blindly and may have run', () => {
    expect(isRetriable(new Error('?'))).toBe(false);
    expect(mayHaveRun(new Error('?'))).toBe(true);
  });
});
