import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGraphqlHandler, type GraphqlHandler, type GraphqlHandlerOptions } from '../../../src/graphql/server.js';

export const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};
export const ML_API_TOKENS = `vera:viewer:${TOKENS.viewer},otto:operator:${TOKENS.operator},ada:admin:${TOKENS.admin}`;

export interface GraphqlResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> };
  text: string;
}

export interface RunningServer {
  url: string;
  /** What the handler logged (errors behind INTERNAL responses). */
  logs: Array<{ message: string; fields?: Record<string, unknown> }>;
  handler: GraphqlHandler;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphqlResult<T>>;
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1 with the handler mounted at /graphql, as the app mounts it. */
export async function startGraphqlServer(options: GraphqlHandlerOptions): Promise<RunningServer> {
  const logs: RunningServer['logs'] = [];
  const handler = await createGraphqlHandler({ log: { error: (message, fields) => logs.push({ message, fields }) }, ...options });
  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === '/graphql') void handler.handle(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    logs,
    handler,
    async gql(query, variables, token) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
    },
    async close() {
      await handler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
