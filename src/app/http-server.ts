import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redact, type Logger } from './logger.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface ReadinessCheck {
  name: string;
  /** `ok` with a detail, or a failure with what is wrong. */
  check(): Promise<{ ok: boolean; detail: string }>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  routes: Record<string, RequestHandler>;
  readiness: ReadinessCheck[];
  metrics: () => Promise<string>;
  log: Logger;
  /** Paths not in `routes` (the operator console's files): answers true when it served the request. */
  statics?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * The service's HTTP surface: the operator console at `/` (`statics`), `/graphql`, `/webhooks/concur` (mounted by the caller), `/healthz`
 * (the process is up), `/readyz` (store, projections and both systems' connections), `/metrics`.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { log } = options;
  const routes: Record<string, RequestHandler> = {
    '/healthz': (_req, res) => json(res, 200, { status: 'ok' }),
    '/readyz': async (_req, res) => {
      const results = await Promise.all(
        options.readiness.map(async (r) => {
          try {
            const result = await r.check();
            return { name: r.name, ok: result.ok, detail: redact(result.detail) };
          } catch (error) {
            return { name: r.name, ok: false, detail: redact((error as Error).message) };
          }
        }),
      );
      const ready = results.every((r) => r.ok);
      json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results });
    },
    '/metrics': async (_req, res) => {
      const text = await options.metrics();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
    },
    ...options.routes,
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const handler = routes[path];
    if (!handler) {
      if (options.statics?.(req, res)) return;
      json(res, 404, { error: `No route ${path}. Try / (the operator console), /graphql, /webhooks/concur, /healthz, /readyz or /metrics.` });
      return;
    }
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      log.error('request failed', { path, error: (error as Error).message });
      if (!res.headersSent) json(res, 500, { error: 'Internal error; see the service log' });
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : 'localhost';
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
