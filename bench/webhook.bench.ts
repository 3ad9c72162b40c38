/**
 * Concur webhook throughput: signed ESS notifications POSTed from a SECOND process over loopback
 * (keep-alive, closed loop, bounded by count and time) to a real node:http server that verifies the
 * RSA signature and appends to the SQLite event store before answering 200. Baseline: the same load
 * generator against the same server answering 200 without verifying or storing (the HTTP floor).
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/index.js';
import { MemoryEventStore } from '../src/adapters/eventstore/memory/memory-event-store.js';
import type { EventStore } from '../src/domain/eventstore/port.js';
import { ConcurNotificationIngest } from '../src/adapters/concur/notifications.js';
import { createConcurWebhookHandler } from '../src/adapters/concur/webhook.js';
import type { Emit } from './figure.js';

interface LoadResult {
  sent: number;
  statuses: Record<string, number>;
  durationMs: number;
  p50: number;
  p99: number;
  signMs: number;
}

// The generator runs as plain ESM in its own node process: it signs every body before the clock
// starts (RSA signing is the sender's cost, not ours), then keeps `concurrency` requests in flight.
const LOAD_GENERATOR = `
import { request, Agent } from 'node:http';
import { createPrivateKey, sign, randomUUID } from 'node:crypto';
const { url, count, concurrency, maxMs, keyPem, prefix } = JSON.parse(process.env.LOAD_CONFIG);
const key = createPrivateKey(keyPem);
const t0 = Date.now();
const bodies = [];
for (let i = 0; i < count; i++) {
  const docId = prefix + '-' + i;
  const body = JSON.stringify({ id: randomUUID(), correlationId: randomUUID(), eventType: 'expense.readyForIntegration',
    topic: 'public.concur.financialintegration', subtopic: null, timeStamp: new Date().toISOString(),
    facts: { companyId: '821599', documentId: docId, href: 'http://127.0.0.1/financialintegration/fi/v4/companies/transactiontypes/expense/transactions?docId=' + docId }, data: null });
  bodies.push([body, sign('sha256', Buffer.from(body), key).toString('base64')]);
}
const signMs = Date.now() - t0;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
const statuses = {};
let next = 0;
const start = performance.now();
const deadline = start + maxMs;
function one() {
  if (next >= bodies.length || performance.now() > deadline) return Promise.resolve();
  const [body, sig] = bodies[next++];
  const t = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'concur-signature': sig } }, (res) => {
      res.resume();
      res.on('end', () => { latencies.push(performance.now() - t); statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1; resolve(); });
    });
    req.on('error', () => { statuses.error = (statuses.error ?? 0) + 1; resolve(); });
    req.end(body);
  }).then(one);
}
await Promise.all(Array.from({ length: concurrency }, one));
const durationMs = performance.now() - start;
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
agent.destroy();
process.stdout.write(JSON.stringify({ sent: latencies.length, statuses, durationMs, p50: q(0.5), p99: q(0.99), signMs }));
`;

function runLoad(config: { url: string; count: number; concurrency: number; maxMs: number; keyPem: string; prefix: string }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', LOAD_GENERATOR], {
      env: { ...process.env, LOAD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), config.maxMs + 60_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out) as LoadResult);
    });
  });
}

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer({ keepAliveTimeout: 10_000 }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/concur` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

/** Notifications recorded per second without HTTP (32 in flight): what the store path alone allows. */
async function ingestRate(store: EventStore, count: number): Promise<number> {
  const ingest = new ConcurNotificationIngest(store);
  let next = 0;
  const t = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const documentId = randomUUID();
      await ingest.ingest(
        {
          id: randomUUID(),
          eventType: 'expense.readyForIntegration',
          topic: 'public.concur.financialintegration',
          timeStamp: new Date().toISOString(),
          facts: { documentId },
        },
        'webhook',
      );
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return count / ((performance.now() - t) / 1000);
}

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const count = opts.quick ? 3_000 : 12_000;
  const concurrency = 32;
  const maxMs = opts.quick ? 10_000 : 30_000;
  const dir = await mkdtemp(join(tmpdir(), 'bench-webhook-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const store = await SqliteEventStore.open(join(dir, 'events.db'));
  try {
    // Baseline: the HTTP floor of this machine with this generator (no verify, no store).
    const echo = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"outcome":"accepted"}'));
    });
    const base = await runLoad({ url: echo.url, count, concurrency, maxMs, keyPem, prefix: 'echo' });
    await close(echo.server);

    const webhook = await listen(createConcurWebhookHandler({ ingest: new ConcurNotificationIngest(store), verify: 'signature', publicKeys: [publicKey] }));
    const load = await runLoad({ url: webhook.url, count, concurrency, maxMs, keyPem, prefix: 'doc' });
    await close(webhook.server);

    const accepted = load.statuses['200'] ?? 0;
    const stored = (await store.readAll()).length;
    // Every 200 must be a stored event: otherwise the figure would measure something else.
    if (stored !== accepted) throw new Error(`webhook bench: ${accepted} answers 200 but ${stored} events stored`);
    const rate = accepted / (load.durationMs / 1000);
    const baseRate = (base.statuses['200'] ?? 0) / (base.durationMs / 1000);
    const common = { concurrency, requests: load.sent, statuses: load.statuses, loadGenerator: 'separate node process, keep-alive, loopback' };
    emit({
      name: 'webhook_accepted_durably_per_s',
      value: Math.round(rate),
      unit: 'webhooks/s',
      baseline: { name: 'http_floor_no_verify_no_store_per_s', value: Math.round(baseRate), unit: 'requests/s' },
      goal: '>= 2000/s',
      ...common,
    });
    emit({
      name: 'webhook_latency_p50',
      value: Number(load.p50.toFixed(2)),
      unit: 'ms',
      baseline: { name: 'http_floor_p50', value: Number(base.p50.toFixed(2)), unit: 'ms' },
    });
    const inProcess = await SqliteEventStore.open(join(dir, 'ingest.db'));
    const sqliteRate = await ingestRate(inProcess, count / 3);
    await inProcess.close();
    const memoryRate = await ingestRate(new MemoryEventStore(), count / 3);
    emit({
      name: 'notification_ingest_sqlite_in_process_per_s',
      value: Math.round(sqliteRate),
      unit: 'notifications/s',
      baseline: { name: 'notification_ingest_memory_store_per_s', value: Math.round(memoryRate), unit: 'notifications/s' },
    });
    emit({
      name: 'webhook_latency_p99',
      value: Number(load.p99.toFixed(2)),
      unit: 'ms',
      baseline: { name: 'http_floor_p99', value: Number(base.p99.toFixed(2)), unit: 'ms' },
      goal: '< 50 ms',
    });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
