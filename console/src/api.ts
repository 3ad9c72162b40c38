/**
 * The console's only way to the service: GraphQL over fetch to the same origin. The API token lives
 * in sessionStorage (this tab only, gone when it closes), never in a URL, a cookie or a log.
 */
const TOKEN_KEY = 'ml-connector.console.token';

export const session = {
  token(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage unavailable: nothing stored */
    }
  },
};

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthenticated = new Set<Listener>();
/** Called when the service refuses the token (expired, removed from ML_API_TOKENS). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticated.add(listener);
  return () => unauthenticated.delete(listener);
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const token = session.token();
  if (token) headers['authorization'] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError('The service does not answer: is it running?', 'UNREACHABLE', 0);
  }
  let body: { data?: T | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(`The service answered HTTP ${response.status} without GraphQL JSON`, 'HTTP', response.status);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'ERROR';
    if (code === 'UNAUTHENTICATED') unauthenticated.forEach((l) => l());
    throw new ApiError(first.message, code, response.status);
  }
  if (!body.data) throw new ApiError(`The service answered HTTP ${response.status} without data`, 'HTTP', response.status);
  return body.data;
}

export type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
export const can = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export interface Me {
  name: string;
  role: Role;
  sandbox: boolean;
}
