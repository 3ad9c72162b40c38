import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthMonitor, type ReadinessCheck, type ReadinessReportEntry } from '../application/health-monitor.js';
import { redact, type Logger } from '../observability/logger.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export type { ReadinessCheck } from '../application/health-monitor.js';

export interface HttpLimits {
  /** Time a client has to send the request headers (`server.headersTimeout`). */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, headers and body (`server.requestTimeout`). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open (`server.keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
  /** Open connections at most (`server.maxConnections`); further ones are closed at once. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 5_000, requestTimeoutMs: 15_000, keepAliveTimeoutMs: 65_000, maxConnections: 1_000 };
export interface HttpServerOptions {
  port: number;
  host?: string;
  routes: Record<string, RequestHandler>;
  /**
   * What `/readyz` reports: a HealthMonitor's background results (the service's), or plain checks,
   * which are then run in the background by a monitor of this server's own.
   */
  readiness: ReadinessCheck[] | { report(): Promise<ReadinessReportEntry[]> };
  metrics: () => Promise<string>;
  log: Logger;
  /** Paths not in `routes` (the operator console's files): answers true when it served the request. */
  statics?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Connection limits (timeouts, open connections); the documented defaults otherwise. */
  limits?: Partial<HttpLimits>;
}

/**
 * The service's HTTP surface: the operator console at `/` (`statics`), `/graphql`, `/webhooks/concur` (mounted by the caller), `/healthz`
 * (the process is up), `/readyz` (store, projections and both systems' connections), `/metrics`.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { log } = options;
  let ownMonitor: HealthMonitor | null = null;
  if (Array.isArray(options.readiness)) {
    ownMonitor = new HealthMonitor(options.readiness);
    ownMonitor.start();
  }
  const readiness = ownMonitor ?? (options.readiness as { report(): Promise<ReadinessReportEntry[]> });
  const routes: Record<string, RequestHandler> = {
    '/healthz': (_req, res) => json(res, 200, { status: 'ok' }),
    // Remote systems from their last background results (each with checkedAt and ageMs), local parts
    // checked now within 500 ms: a remote system that hangs or refuses can make a check fail, never
    // make the probe wait.
    '/readyz': async (_req, res) => {
      const results = (await readiness.report()).map((r) => ({ ...r, detail: redact(r.detail) }));
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

  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const server = createServer(
    {
      // A client that sends its headers, or its whole request, too slowly is answered 408 and cut off,
      // so slow or stalled uploads cannot hold connections (and request handlers) open.
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // node checks the two timeouts above on this interval (30 s by default), which would make a
      // timeout of a few seconds take up to half a minute.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
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
    },
  );
  // Past this many open connections node closes new ones at once (logged, at most once a minute).
  server.maxConnections = limits.maxConnections;
  let lastDropLog = 0;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    if (Date.now() - lastDropLog < 60_000) return;
    lastDropLog = Date.now();
    log.warn('HTTP connection refused: the open-connection limit is reached', { maxConnections: limits.maxConnections, remoteAddress: data?.remoteAddress });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      ownMonitor?.stop();
      reject(error);
    });
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : 'localhost';
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        ownMonitor?.stop();
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
