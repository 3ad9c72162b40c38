import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { ConnectorApi } from '../application/connector-api.js';
import { wellFormedJson } from '../domain/unicode.js';
import { authenticate, parseApiTokens, type ApiToken } from './auth.js';
import type { GraphqlContext } from './context.js';
import { createFormatError, type ErrorLog } from './errors.js';
import { BodyTooLargeError, MalformedBodyError, toApolloRequest, writeApolloResponse, writeError } from './http-adapter.js';
import { refusalLogPlugin } from './refusal-log.js';
import { costLimitRule, DEFAULT_LIMITS, depthLimitRule, type QueryLimits } from './limits.js';
import { TokenBucketRateLimiter } from './rate-limit.js';
import { buildConnectorSchema } from './schema.js';

export interface GraphqlHandlerOptions {
  api: ConnectorApi;
  /** Parsed tokens, or the raw `ML_API_TOKENS` text. */
  tokens: readonly ApiToken[] | string;
  /** Sandbox mode: requests without a token act as the admin "sandbox". */
  sandbox: boolean;
  /** Other secret values (credentials) that must never appear in a response. */
  secrets?: readonly string[];
  limits?: Partial<QueryLimits>;
  /** Largest accepted request body; 1 MiB by default. */
  maxBodyBytes?: number;
  log?: ErrorLog & {
    warn?(message: string, fields?: Record<string, unknown>): void;
    info?(message: string, fields?: Record<string, unknown>): void;
    debug?(message: string, fields?: Record<string, unknown>): void;
  };
  /** Requests per minute per API token (`ML_GRAPHQL_RATE_LIMIT`); 0 or absent = no limit. */
  rateLimitPerMinute?: number;
  /** A schema built once elsewhere (tests, benchmarks); built here otherwise. */
  schema?: GraphQLSchema;
}

export interface GraphqlHandler {
  /** Serves one request to the GraphQL endpoint (mount it at `/graphql`). Never rejects. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function createGraphqlHandler(options: GraphqlHandlerOptions): Promise<GraphqlHandler> {
  const tokens = typeof options.tokens === 'string' ? parseApiTokens(options.tokens) : [...options.tokens];
  if (!options.sandbox && tokens.length === 0) {
    throw new Error('ML_API_TOKENS is required outside sandbox mode: without a token nobody could use the GraphQL API');
  }
  const secrets = [...tokens.map((t) => t.token), ...(options.secrets ?? [])];
  const limits: QueryLimits = { ...DEFAULT_LIMITS, ...options.limits, fieldCosts: { ...DEFAULT_LIMITS.fieldCosts, ...options.limits?.fieldCosts } };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log;
  const quiet = (): void => undefined;
  const rateLimiter = new TokenBucketRateLimiter(options.rateLimitPerMinute ?? 0);

  const server = new ApolloServer<GraphqlContext>({
    schema: options.schema ?? (await buildConnectorSchema()),
    introspection: true,
    // Automatic persisted queries are a second way in (a hash instead of a query); nothing here needs them.
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimitRule(limits), costLimitRule(limits)],
    formatError: createFormatError({ secrets: () => secrets, log }),
    // The composition root drains the HTTP server on shutdown; Apollo must not exit the process itself.
    stopOnTerminationSignals: false,
    // Every answer is well-formed UTF-16: a lone surrogate recorded in an event (a raw Concur document
    // in a timeline) reaches the client as U+FFFD, never as a `\ud83d` escape it cannot decode.
    stringifyResult: (value) => `${wellFormedJson(value)}\n`,
    plugins: [
      options.sandbox ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
      // The cache-control plugin hooks every field resolution; nothing here is cacheable by HTTP caches anyway.
      ApolloServerPluginCacheControlDisabled(),
      ...(log?.warn ? [refusalLogPlugin({ warn: (m, f) => log.warn!(m, f) })] : []),
    ],
    logger: {
      debug: (m) => (log?.debug ?? quiet)(String(m)),
      info: (m) => (log?.info ?? quiet)(String(m)),
      warn: (m) => (log?.warn ?? quiet)(String(m)),
      error: (m) => log?.error(String(m)),
    },
  });
  await server.start();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'POST') {
        return writeError(res, 405, 'BAD_REQUEST', `${method} is not supported on /graphql: use POST (or GET for queries)`, { allow: 'GET, POST' });
      }
      // Authenticate before reading the body: an anonymous caller gets nothing but the refusal.
      const auth = authenticate(req.headers.authorization, tokens, options.sandbox);
      if (!auth.ok) {
        req.resume();
        return writeError(res, 401, 'UNAUTHENTICATED', auth.reason, { 'www-authenticate': 'Bearer realm="ml-connector"' });
      }
      // Per token, before the body is read or anything runs: one caller cannot starve the others.
      const rate = rateLimiter.take(auth.principal.name);
      if (!rate.allowed) {
        req.resume();
        log?.warn?.('GraphQL request refused: rate limit', { caller: auth.principal.name, perMinute: rateLimiter.perMinute });
        return writeError(
          res,
          429,
          'RATE_LIMITED',
          `Too many requests for token "${auth.principal.name}": the limit is ${rateLimiter.perMinute} per minute (ML_GRAPHQL_RATE_LIMIT); retry after ${rate.retryAfterS} s`,
          { 'retry-after': String(rate.retryAfterS) },
        );
      }
      const httpGraphQLRequest = await toApolloRequest(req, maxBodyBytes);
      const context: GraphqlContext = { api: options.api, principal: auth.principal, secrets, timelines: new Map(), sandbox: options.sandbox };
      const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context });
      await writeApolloResponse(res, response);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      if (error instanceof BodyTooLargeError) {
        // Stop reading a body we refuse; closing the connection spares the rest of the upload.
        return writeError(res, 413, 'PAYLOAD_TOO_LARGE', error.message, { connection: 'close' });
      }
      if (error instanceof MalformedBodyError) return writeError(res, 400, 'BAD_REQUEST', error.message);
      log?.error('GraphQL HTTP request failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      writeError(res, 500, 'INTERNAL', 'Internal error while serving the GraphQL request; see the service log');
    }
  }

  return { handle, stop: () => server.stop() };
}
