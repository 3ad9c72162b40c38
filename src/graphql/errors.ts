import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isRetriable } from '../domain/errors.js';
import { WrongExpectedRevisionError } from '../domain/eventstore/port.js';
import { redactText } from './redact.js';

/** The `extensions.code` values clients can rely on. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COSTLY'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL';

const PASS_THROUGH_CODES = new Set<string>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'UNAVAILABLE',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'PAYLOAD_TOO_LARGE',
  // Apollo's own request-level codes are safe: they describe the query, not the server.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export const apiError = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError =>
  new GraphQLError(message, { extensions: { code, ...extra } });

export const badInput = (message: string, field?: string): GraphQLError => apiError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (message: string): GraphQLError => apiError('NOT_FOUND', message);
export const forbidden = (message: string): GraphQLError => apiError('FORBIDDEN', message);

export interface ErrorLog {
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface FormatErrorOptions {
  /** Values that must never appear in an error (API tokens, credentials). */
  secrets: () => readonly string[];
  log?: ErrorLog;
}

/**
 * Decides the code of an error thrown below a resolver. The application layer may throw errors
 * carrying a `code` (`NOT_FOUND`, `BAD_USER_INPUT`, `CONFLICT`, …): their message is meant for the
 * user and passes through. The event store's optimistic-concurrency error is a CONFLICT (someone
 * changed the same thing at the same time). Anything else is INTERNAL.
 */
function classify(original: unknown): ErrorCode | null {
  if (original instanceof GraphQLError) {
    const code = original.extensions?.code;
    return typeof code === 'string' && PASS_THROUGH_CODES.has(code) ? (code as ErrorCode) : null;
  }
  if (original instanceof Error) {
    const code = (original as Error & { code?: unknown }).code;
    if (typeof code === 'string' && PASS_THROUGH_CODES.has(code)) return code as ErrorCode;
    if (original instanceof WrongExpectedRevisionError) return 'CONFLICT';
    // Anything that may work a little later (a full disk, the store down): the client may retry.
    if (isRetriable(original)) return 'UNAVAILABLE';
  }
  return null;
}

const scrub = (text: string, secrets: readonly string[]): string => redactText(text, secrets);

/**
 * Apollo `formatError`: keeps the code and message of errors meant for the user, replaces every other
 * error by a generic INTERNAL one with a reference the operator finds in the log, and never returns a
 * stack trace or a secret.
 */
export function createFormatError(options: FormatErrorOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // Apollo re-labels validation errors GRAPHQL_VALIDATION_FAILED; the limit rules' own code is more useful.
    const inner = original instanceof GraphQLError && original.originalError instanceof GraphQLError ? original.originalError : original;
    const code =
      classify(inner) ??
      classify(original) ??
      (typeof formatted.extensions?.code === 'string' && PASS_THROUGH_CODES.has(formatted.extensions.code) ? (formatted.extensions.code as ErrorCode) : null);
    const secrets = options.secrets();
    const safeExtensions = (ext: Record<string, unknown> | undefined): Record<string, unknown> => {
      const { stacktrace: _s, exception: _e, http: _h, ...rest } = (ext ?? {}) as Record<string, unknown>;
      return rest;
    };
    if (code === null) {
      const reference = randomUUID();
      options.log?.error('GraphQL request failed', {
        reference,
        path: formatted.path,
        error: inner instanceof Error ? scrub(`${inner.name}: ${inner.message}`, secrets) : String(inner),
        stack: inner instanceof Error ? scrub(inner.stack ?? '', secrets) : undefined,
      });
      return {
        message: `Internal error while resolving ${formatted.path?.join('.') ?? 'the request'}; the service log has the details under reference ${reference}`,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'INTERNAL', reference },
      };
    }
    const extensions = { ...safeExtensions(formatted.extensions), ...(inner instanceof GraphQLError ? safeExtensions(inner.extensions) : {}), code };
    return {
      message: scrub(inner instanceof Error ? inner.message : formatted.message, secrets),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: JSON.parse(scrub(JSON.stringify(extensions), secrets)) as Record<string, unknown>,
    };
  };
}
