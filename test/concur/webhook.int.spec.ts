import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { ConcurNotificationIngest } from '../../src/adapters/concur/notifications.js';
import { parsePublicKeys } from '../../src/adapters/concur/signature.js';
import { createConcurWebhookHandler, handleConcurWebhook } from '../../src/adapters/concur/webhook.js';
import { startConcurSimulator, type ConcurSimulator } from '../../src/adapters/concur/simulator/index.js';
import { documentStreamId } from '../../src/domain/document/events.js';

let dir: string;
let store: SqliteEventStore;
let server: Server;
let url: string;
let sim: ConcurSimulator;
let failNext = 0;

const rawPost = (body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'concur-webhook-'));
  sim = await startConcurSimulator({ fixtureDir: false });
  store = await SqliteEventStore.open(join(dir, 'events.db'));
  const handler = createConcurWebhookHandler({
    ingest: new ConcurNotificationIngest(store),
    verify: 'signature',
    publicKeys: parsePublicKeys([sim.ess.publicKeyPem]),
    maxBodyBytes: 16 * 1024,
  });
  server = createServer((req, res) => {
    if (failNext > 0) {
      failNext--;
      res.writeHead(503).end();
      req.resume();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/concur`;
  sim.ess.endpoint = url;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await sim.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});
let before: bigint;
beforeEach(async () => {
  before = await store.headPosition();
});

describe('POST /webhooks/concur', () => {
  it('records 50 concurrent deliveries of the same event as one document', async () => {
    const event = sim.ess.documentReady('expense', 'DOC50', sim.url);
    const answers = await Promise.all(Array.from({ length: 50 }, () => sim.ess.deliver(event, { maxAttempts: 1 })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const outcomes = answers.map((a) => (JSON.parse(a.body) as { outcome: string }).outcome).sort();
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(49);
    const stream = await store.readStream(documentStreamId('expense', 'DOC50'));
    expect(stream.map((e) => e.type)).toEqual(['ConcurDocumentReceived']);
    expect(stream[0]!.data).toMatchObject({ concurDocumentId: 'DOC50', channel: 'webhook', notificationId: event.id });
    expect(await store.readAll({ after: before })).toHaveLength(1);
  });

  it('answers 401 to a bad or missing signature and stores nothing', async () => {
    const event = sim.ess.documentReady('expense', 'DOC-BADSIG', sim.url);
    expect((await sim.ess.deliver(event, { signWithForeignKey: true, maxAttempts: 1 })).status).toBe(401);
    expect((await rawPost(JSON.stringify(event))).status).toBe(401);
    const body = JSON.stringify(event);
    // A valid signature over different bytes does not verify either.
    expect((await rawPost(body.replace('DOC-BADSIG', 'DOC-BADSIH'), { 'concur-signature': sim.ess.signature(body) })).status).toBe(401);
    expect(await store.headPosition()).toBe(before);
  });

  it('answers 400 to malformed JSON and to an invalid envelope, saying what is wrong', async () => {
    const broken = '{"id": "x", ';
    const a = await rawPost(broken, { 'concur-signature': sim.ess.signature(broken) });
    expect(a.status).toBe(400);
    expect(a.body).toContain('not valid JSON');
    const noType = JSON.stringify({ id: 'n1', topic: 'public.concur.financialintegration', timeStamp: new Date().toISOString(), facts: {} });
    const b = await rawPost(noType, { 'concur-signature': sim.ess.signature(noType) });
    expect(b.status).toBe(400);
    expect(b.body).toContain('eventType');
    expect(await store.headPosition()).toBe(before);
  });

  it('answers 400 "nested too deep" (never 503) to a body nested thousands of levels deep, and stores nothing', async () => {
    const sign = (body: string) => ({ 'concur-signature': sim.ess.signature(body) });
    // 5,000 levels in `facts` of an otherwise valid envelope, in `data`, and a bare deep array.
    const valid = sim.ess.documentReady('expense', 'DOC-DEEP', sim.url);
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const inFacts = JSON.stringify(valid).replace('"facts":{', `"facts":{"x":${deep(5000)},`);
    const inData = JSON.stringify({ ...valid, data: null }).replace('"data":null', `"data":${deep(5000)}`);
    const objects = '{"":'.repeat(3000) + '1' + '}'.repeat(3000);
    for (const body of [inFacts, inData, deep(5000), objects]) {
      expect(Buffer.byteLength(body)).toBeLessThan(16 * 1024);
      const answer = await rawPost(body, sign(body));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'nested_too_deep' });
      expect(answer.body).toContain('nested too deep');
    }
    // Brackets inside strings are not nesting: a valid envelope with them is recorded.
    const bracketsInText = sim.ess.envelope({
      topic: 'public.concur.expense.report',
      eventType: 'statusChanged',
      facts: { reportId: '[[[[' + '{'.repeat(200), userId: 'U1' },
    });
    expect((await sim.ess.deliver(bracketsInText, { maxAttempts: 1 })).status).toBe(200);
    expect((await store.readAll({ after: before })).map((e) => e.type)).toEqual(['ConcurReportStatusChanged']);
  });

  it('answers 400 to oversized envelope fields instead of storing them', async () => {
    const valid = sim.ess.documentReady('expense', 'D'.repeat(5000), sim.url);
    const body = JSON.stringify(valid);
    const answer = await rawPost(body, { 'concur-signature': sim.ess.signature(body) });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('the limit is 1024');
    expect(await store.headPosition()).toBe(before);
  });

  it('answers 400, not 503, to an href with a malformed %-escape (and records the document when facts name it)', async () => {
    const href = `${sim.url}/financialintegration/fi/v4/companies/transactiontypes/expense/transactions/%E0%A4%A`;
    const named = sim.ess.envelope({ facts: { documentId: 'DOC-BADHREF', href } });
    expect((await sim.ess.deliver(named, { maxAttempts: 1 })).status).toBe(200);
    const unnamed = sim.ess.envelope({ facts: { href } });
    const answer = await sim.ess.deliver(unnamed, { maxAttempts: 1 });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('names no document');
  });

  it('never answers 5xx to thousands of mutated envelopes (random field types and values), with a working store', async () => {
    // Deterministic PRNG, so a failure can be reproduced.
    let seed = 20261203;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const values: unknown[] = [
      null,
      true,
      0,
      -1,
      1e308,
      '',
      ' ',
      'x',
      '\ud800',
      '\u0000',
      'a'.repeat(1500),
      '__proto__',
      'constructor',
      [],
      {},
      [1],
      { a: 1 },
      '../../x',
      'http://evil/',
      '%E0%A4%A',
      '/transactiontypes/expense/transactions?docId=',
      '/transactiontypes/invoice/transactions/%E0%A4%A',
      'expense.readyForIntegration',
      'public.concur.financialintegration',
      'public.concur.expense.report',
      'statusChanged',
      '2026-13-45T99:99:99Z',
    ];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.5) return structuredClone(pick(values));
      if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [String(pick(values)).slice(0, 12) || 'k', value(depth + 1)]));
    };
    const ingest = new ConcurNotificationIngest(store);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 2_000; i++) {
      const env: Record<string, unknown> = { ...sim.ess.documentReady('expense', `FUZZ-${i}`, sim.url) };
      const facts = { ...(env.facts as Record<string, unknown>) };
      for (const f of ['id', 'correlationId', 'eventType', 'topic', 'subtopic', 'timeStamp', 'data']) if (random() < 0.25) env[f] = value(0);
      for (const f of ['documentId', 'href', 'reportId', 'userId']) if (random() < 0.25) facts[f] = value(0);
      env.facts = random() < 0.05 ? value(0) : facts;
      const body = random() < 0.03 ? (JSON.stringify(value(0)) ?? 'null') : JSON.stringify(env);
      const answer = await handleConcurWebhook(Buffer.from(body), {}, { ingest, verify: 'none', publicKeys: [] });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expect(answer.status, body.slice(0, 300)).toBeLessThan(500);
    }
    expect(statuses.get(200)).toBeGreaterThan(100);
    expect(statuses.get(400)).toBeGreaterThan(100);
  });

  it('answers 413 to an oversized body, declared or streamed', async () => {
    const big = JSON.stringify({ id: 'big', pad: 'x'.repeat(20_000) });
    expect((await rawPost(big, { 'concur-signature': sim.ess.signature(big) })).status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(await store.headPosition()).toBe(before);
  });

  it('accepts and records unknown topics as ignored, and report status changes', async () => {
    const unknown = sim.ess.envelope({ topic: 'public.concur.travel.itinerary', eventType: 'created', facts: {} });
    const a = await sim.ess.deliver(unknown);
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ outcome: 'ignored' });
    const status = sim.ess.envelope({ topic: 'public.concur.expense.report', eventType: 'statusChanged', facts: { reportId: 'R1', userId: 'U1' } });
    expect((await sim.ess.deliver(status)).status).toBe(200);
    const types = (await store.readAll({ after: before })).map((e) => [e.type, e.streamId]);
    expect(types).toEqual([
      ['ConcurNotificationIgnored', `concur-notification-${unknown.id}`],
      ['ConcurReportStatusChanged', `concur-notification-${status.id}`],
    ]);
  });

  it('is redelivered by ESS after a failure and then recorded once', async () => {
    failNext = 2;
    const event = sim.ess.documentReady('invoice', 'INV-REDELIVER', sim.url);
    const result = await sim.ess.deliver(event, { retryDelayMs: 5 });
    expect(result).toMatchObject({ status: 200, attempts: 3 });
    expect(await store.readStream(documentStreamId('invoice', 'INV-REDELIVER'))).toHaveLength(1);
  });
});
