/**
 * The CLI's view of the running service: one GraphQL POST per call, with the URL and token from the
 * environment. Every failure becomes a `CliError` whose message is one line a person can act on.
 */
import { ConnectorError } from '../domain/errors.js';
export class CliError extends ConnectorError {
  override readonly name = 'CliError';
}

export interface ServiceTarget {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  graphqlUrl: string;
  token: string | null;
}

const ROLE_RANK: Record<string, number> = { admin: 3, operator: 2, viewer: 1 };

/** ML_URL (or localhost:PORT), and ML_TOKEN or the strongest token of ML_API_TOKENS (admin first). */
export function serviceTarget(env: Record<string, string | undefined>): ServiceTarget {
  const base = env['ML_URL']?.trim() || `http://localhost:${env['PORT']?.trim() || '4000'}`;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new CliError(`ML_URL must be the service URL, e.g. http://localhost:4000 (got "${base}")`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/graphql') ? path : `${path}/graphql`;
  return { graphqlUrl: url.toString(), token: env['ML_TOKEN']?.trim() || tokenFromApiTokens(env['ML_API_TOKENS'] ?? '') };
}

function tokenFromApiTokens(list: string): string | null {
  let best: { rank: number; token: string } | null = null;
  for (const entry of list.split(',')) {
    // name:role:token; a token could itself contain ':' so everything after the role is the token.
    const [, role, ...tokenParts] = entry.trim().split(':');
    const token = tokenParts.join(':');
    const rank = ROLE_RANK[role ?? ''] ?? 0;
    if (token && rank > (best?.rank ?? 0)) best = { rank, token };
  }
  return best?.token ?? null;
}

interface GraphqlError {
  message?: string;
  extensions?: { code?: string; reference?: string };
}

export class GraphqlClient {
  constructor(
    readonly target: ServiceTarget,
    private readonly timeoutMs = 60_000,
    /** Attempts of one request while the service answers 429 (rate limited). */
    private readonly rateLimitRetries = 10,
  ) {}

  /** The service root (without /graphql), for messages. */
  get serviceUrl(): string {
    return this.target.graphqlUrl.replace(/\/graphql$/, '');
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.target.token) headers['authorization'] = `Bearer ${this.target.token}`;
    let response: Response;
    let text: string;
    // The service limits requests per token (ML_GRAPHQL_RATE_LIMIT): a 429 is waited out as it says
    // (Retry-After, at most a minute each time), so long listings and progress polling slow down instead of failing.
    for (let attempt = 1; ; attempt++) {
      try {
        response = await fetch(this.target.graphqlUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        throw new CliError(this.unreachable(error));
      }
      text = await response.text();
      if (response.status !== 429 || attempt >= this.rateLimitRetries) break;
      const waitS = Math.min(60, Math.max(1, Number(response.headers.get('retry-after')) || 1));
      await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
    }
    let body: { data?: T | null; errors?: GraphqlError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new CliError(
        `${this.target.graphqlUrl} answered HTTP ${response.status} with something that is not GraphQL JSON (${text.slice(0, 80).replace(/\s+/g, ' ')}…): is ML_URL the ml-connector service?`,
      );
    }
    const first = body.errors?.[0];
    if (first) throw new CliError(describeGraphqlError(first, this.target));
    if (!response.ok || body.data === undefined || body.data === null)
      throw new CliError(`${this.target.graphqlUrl} answered HTTP ${response.status} without data`);
    return body.data;
  }

  private unreachable(error: unknown): string {
    const err = error as Error & { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
    if (err.name === 'TimeoutError') return `The service at ${this.serviceUrl} did not answer within ${this.timeoutMs / 1000} s; check its log`;
    // undici puts the socket error in `cause`; "localhost" tries ::1 and 127.0.0.1 and nests both.
    const code = err.cause?.code ?? err.cause?.errors?.[0]?.code ?? err.cause?.message ?? '';
    if (code === 'ECONNREFUSED')
      return `Cannot reach the service at ${this.serviceUrl} (connection refused): is the service running? Start it with npm start, or set ML_URL`;
    return `Cannot reach the service at ${this.serviceUrl} (${code || err.message}): is the service running? Start it with npm start, or set ML_URL`;
  }
}

function describeGraphqlError(error: GraphqlError, target: ServiceTarget): string {
  const code = error.extensions?.code ?? 'ERROR';
  const message = error.message ?? 'no message';
  switch (code) {
    case 'UNAUTHENTICATED':
      return `${code}: ${message}. ${target.token ? 'The token (ML_TOKEN or ML_API_TOKENS) is not one the service knows' : "Set ML_TOKEN to a token from the service's ML_API_TOKENS"}`;
    case 'FORBIDDEN':
      return `${code}: ${message}. Use a token with a higher role (ML_TOKEN)`;
    case 'INTERNAL':
      return `${code}: ${message}${error.extensions?.reference ? ` (the service log has the details under reference ${error.extensions.reference})` : ''}`;
    default:
      return `${code}: ${message}`;
  }
}
