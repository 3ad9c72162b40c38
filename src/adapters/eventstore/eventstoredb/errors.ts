import { ErrorType, NO_STREAM } from '@eventstore/db-client';
import { EventStoreUnavailableError, WrongExpectedRevisionError, type ExpectedRevision } from '../../../domain/eventstore/port.js';
import { fromClientCurrentRevision } from './revision.js';

/** gRPC status codes the client may surface raw (an append to an unreachable server rejects with code 14). */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

interface ClientErrorShape {
  type?: unknown;
  code?: unknown;
  actualVersion?: unknown;
  message?: unknown;
}

/** Connection string without credentials or options, safe for logs and error messages. */
export function describeServer(connectionString: string): string {
  const match = /^([a-z+]+):\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(connectionString.trim());
  return match ? `${match[1]}://${match[2]}` : 'the configured EventStoreDB server';
}

export function isWrongExpectedVersion(error: unknown): boolean {
  return shape(error)?.type === ErrorType.WRONG_EXPECTED_VERSION;
}

export function isUnavailable(error: unknown): boolean {
  const e = shape(error);
  if (!e) return false;
  return e.type === ErrorType.UNAVAILABLE || e.type === ErrorType.DEADLINE_EXCEEDED || e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED;
}

/**
 * The client's error in domain terms: a concurrency conflict becomes WrongExpectedRevisionError
 * (actual -1 when the stream does not exist), an unreachable server EventStoreUnavailableError
 * naming the server (never its credentials); anything else is returned unchanged.
 */
export function toDomainError(error: unknown, context: { server: string; streamId?: string; expected?: ExpectedRevision; operation: string }): Error {
  const e = shape(error);
  if (isWrongExpectedVersion(error) && context.streamId !== undefined) {
    const actual = e?.actualVersion === NO_STREAM || typeof e?.actualVersion === 'bigint' ? fromClientCurrentRevision(e.actualVersion) : -1;
    return new WrongExpectedRevisionError(context.streamId, context.expected ?? 'any', actual);
  }
  if (isUnavailable(error)) {
    const detail = typeof e?.message === 'string' && e.message !== '' ? ` (${e.message})` : '';
    return new EventStoreUnavailableError(
      `EventStoreDB at ${context.server} did not answer the ${context.operation}${detail}. ` +
        'Check that the server is running and reachable and that ML_STORE points at it; the operation can be retried.',
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

function shape(error: unknown): ClientErrorShape | null {
  return error !== null && typeof error === 'object' ? (error as ClientErrorShape) : null;
}
