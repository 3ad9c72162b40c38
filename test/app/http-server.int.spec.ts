import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../src/http/http-server.js';
import { createLogger } from '../../src/observability/logger.js';
import type { HttpLimits } from '../../src/app/config.js';

/**
 * The HTTP server's connection limits, over real sockets on 127.0.0.1: slow clients are cut off after
 * the configured timeouts, idle keep-alive connections are closed, and connections past the cap are
 * refused.
 */
const lines: string[] = [];
const log = createLogger({ level: 'debug', json: true, write: (l) => lines.push(l) });
const closers: Array<() => Promise<void>> = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const close of closers.splice(0)) await close();
});

async function start(limits: Partial<HttpLimits>) {
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    // A route that reads the whole body, as the webhook and GraphQL do.
    routes: {
      '/echo': (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => res.end(`got ${Buffer.concat(chunks).length} bytes`));
      },
    },
    readiness: [],
    metrics: async () => '',
    log,
    limits,
  });
  closers.push(async () => {
    http.server.closeAllConnections();
    await http.close();
  });
  return { ...http, port: (http.server.address() as { port: number }).port };
}

/** Opens a raw socket, writes `text`, and resolves when the server closes it: what it answered and when. */
function rawExchange(port: number, text: string): Promise<{ answer: string; closedAfterMs: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    let t0 = 0;
    socket.on('connect', () => {
      t0 = performance.now();
      socket.write(text);
    });
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer, closedAfterMs: performance.now() - t0, socket }));
    setTimeout(() => reject(new Error(`the server kept the connection open for 8 s (answer so far: ${JSON.stringify(answer.slice(0, 80))})`)), 8_000).unref();
  });
}

describe('HTTP connection limits', () => {
  it('cuts off a client that sends its headers and then never finishes the body (408 after the request timeout)', async () => {
    const { port } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 800 });
    const r = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":');
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(700);
    expect(r.closedAfterMs).toBeLessThan(2_000);
    process.stdout.write(`slow body cut off after ${Math.round(r.closedAfterMs)} ms (ML_HTTP_REQUEST_TIMEOUT_MS=800)\n`);
  });

  it('cuts off a client that never finishes its headers (after the headers timeout)', async () => {
    const { port } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 5_000 });
    const r = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(r.closedAfterMs).toBeLessThan(1_500);
    process.stdout.write(`slow headers cut off after ${Math.round(r.closedAfterMs)} ms (ML_HTTP_HEADERS_TIMEOUT_MS=300)\n`);
  });

  it('serves a client that sends in time, and closes its keep-alive connection when idle', async () => {
    const { port } = await start({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 300 });
    const r = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    expect(r.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(r.answer).toContain('got 5 bytes');
    expect(r.answer.toLowerCase()).toContain('keep-alive: timeout=');
    // Answered at once, then closed by the server after ~300 ms of idleness (node 20.20 adds a
    // keep-alive buffer of 1 s to the configured value; the default 65 s would keep it open for the test's 8 s).
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(r.closedAfterMs).toBeLessThan(2_500);
  });

  it('refuses connections past ML_HTTP_MAX_CONNECTIONS and accepts again when one closes', async () => {
    const { port } = await start({ maxConnections: 2, headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 10_000 });
    // Two clients hold keep-alive connections (each answered once, so the server has counted them).
    const held = await Promise.all([openKeepAlive(port), openKeepAlive(port)]);
    const third = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(third.answer).toBe('');
    expect(third.closedAfterMs).toBeLessThan(1_000);
    expect(lines.some((l) => l.includes('open-connection limit'))).toBe(true);
    held[0]!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await openKeepAlive(port);
    expect(again.destroyed).toBe(false);
  });
});

/** A keep-alive connection that has been answered once (`GET /healthz`). */
function openKeepAlive(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    sockets.push(socket);
    socket.once('data', (d) => (d.toString().startsWith('HTTP/1.1 200') ? resolve(socket) : reject(new Error(d.toString()))));
    socket.once('close', () => reject(new Error('closed before an answer')));
    socket.on('error', () => undefined);
  });
}
