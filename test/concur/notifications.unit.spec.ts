import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.js';
import {
  classifyNotification,
  ConcurNotificationIngest,
  NotificationValidationError,
  parseFisHref,
  parseNotificationEnvelope,
} from '../../src/adapters/concur/notifications.js';
import { verifyConcurSignature } from '../../src/adapters/concur/signature.js';
import { handleConcurWebhook } from '../../src/adapters/concur/webhook.js';
import { parseFisPage } from '../../src/adapters/concur/fis-client.js';
import { deterministicEventId } from '../../src/domain/events/envelope.js';

const envelope = (over: Record<string, unknown> = {}) => ({
  id: 'evt-1',
  correlationId: 'corr-1',
  eventType: 'expense.readyForIntegration',
  topic: 'public.concur.financialintegration',
  timeStamp: '2026-11-28T10:00:00Z',
  facts: {
    documentId: 'DOC1',
    href: 'https://us2.api.concursolutions.com/financialintegration/fi/v4/companies/transactiontypes/expense/transactions?docId=DOC1',
  },
  ...over,
});

describe('ESS notifications', () => {
  it('matches topic spellings loosely and takes the document id from facts or href', () => {
    for (const topic of ['public.concur.financialintegration', 'concur.financialIntegration', 'PUBLIC.CONCUR.FINANCIALINTEGRATION']) {
      expect(classifyNotification(parseNotificationEnvelope(envelope({ topic })))).toMatchObject({ kind: 'document', docType: 'expense', documentId: 'DOC1' });
    }
    const viaHref = envelope({
      eventType: 'invoice.readyForIntegration',
      facts: { href: '/financialintegration/fi/v4/companies/transactiontypes/invoice/transactions?docId=INV9' },
    });
    expect(classifyNotification(parseNotificationEnvelope(viaHref))).toMatchObject({ kind: 'document', docType: 'invoice', documentId: 'INV9' });
    expect(parseFisHref('https://x/financialintegration/fi/v4/companies/transactiontypes/expense/transactions/ABC')).toEqual({
      docType: 'expense',
      docId: 'ABC',
    });
    expect(
      classifyNotification(
        parseNotificationEnvelope(envelope({ topic: 'public.concur.expense.report', eventType: 'statusChanged', facts: { reportId: 'R1' } })),
      ),
    ).toMatchObject({ kind: 'report-status', reportId: 'R1' });
    expect(classifyNotification(parseNotificationEnvelope(envelope({ eventType: 'expense.somethingNew' })))).toMatchObject({ kind: 'ignored' });
    // Payment requests and cash advances post too.
    expect(classifyNotification(parseNotificationEnvelope(envelope({ eventType: 'paymentrequest.readyForIntegration' })))).toMatchObject({
      kind: 'document',
      docType: 'paymentrequest',
    });
    expect(classifyNotification(parseNotificationEnvelope(envelope({ eventType: 'cashadvance.readyForIntegration' })))).toMatchObject({
      kind: 'document',
      docType: 'cashadvance',
    });
    expect(
      classifyNotification(parseNotificationEnvelope(envelope({ eventType: 'travelrequest.readyForIntegration', facts: { documentId: 'T1' } }))),
    ).toMatchObject({ kind: 'ignored' });
  });

  it('says what is wrong with a bad envelope', () => {
    expect(() => parseNotificationEnvelope('x')).toThrow(NotificationValidationError);
    expect(() => parseNotificationEnvelope({ ...envelope(), id: undefined })).toThrow(/`id` is missing/);
    expect(() => parseNotificationEnvelope({ ...envelope(), eventType: 3 })).toThrow(/`eventType`/);
    expect(() => parseNotificationEnvelope(envelope({ facts: [] }))).toThrow(/`facts`/);
    expect(() => classifyNotification(parseNotificationEnvelope(envelope({ facts: {} })))).toThrow(/names no document/);
  });

  it('refuses a deeply nested envelope whichever way it arrives (Kafka too), as a validation error', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { x: deep };
    const body = envelope({ facts: { documentId: 'DOC1', extra: deep } });
    expect(() => parseNotificationEnvelope(body)).toThrow(NotificationValidationError);
    expect(() => parseNotificationEnvelope(body)).toThrow(/nested too deep/);
    const store = new MemoryEventStore();
    await expect(new ConcurNotificationIngest(store).ingest(body, 'kafka')).rejects.toBeInstanceOf(NotificationValidationError);
    expect(await store.headPosition()).toBe(-1n);
    // An ordinary envelope with a few levels inside facts is fine.
    expect(() => parseNotificationEnvelope(envelope({ facts: { documentId: 'DOC1', a: { b: [{ c: [1] }] } } }))).not.toThrow();
  });

  it('records a redelivery once, under the deterministic notification id', async () => {
    const store = new MemoryEventStore();
    const ingest = new ConcurNotificationIngest(store);
    const a = await ingest.ingest(envelope(), 'kafka');
    const b = await ingest.ingest(envelope(), 'webhook');
    expect(a).toEqual({ outcome: 'accepted', eventId: deterministicEventId('concur-notification', 'evt-1'), streamId: 'document-expense-DOC1' });
    expect(b.outcome).toBe('duplicate');
    const [event] = await store.readAll();
    expect(event).toMatchObject({
      type: 'ConcurDocumentReceived',
      metadata: { correlationId: 'corr-1', actor: 'concur:kafka', occurredAt: '2026-11-28T10:00:00.000Z' },
    });
  });

  it('verifies RSA-SHA256 signatures against any configured key, and can run with verify none', async () => {
    const oldKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const newKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = Buffer.from(JSON.stringify(envelope()));
    const sig = sign('sha256', body, newKey.privateKey).toString('base64');
    expect(verifyConcurSignature(body, sig, [oldKey.publicKey, newKey.publicKey])).toBe(true);
    expect(verifyConcurSignature(body, sig, [oldKey.publicKey])).toBe(false);
    expect(verifyConcurSignature(body, 'not base64 !!', [newKey.publicKey])).toBe(false);
    const store = new MemoryEventStore();
    const answer = await handleConcurWebhook(body, {}, { ingest: new ConcurNotificationIngest(store), verify: 'none', publicKeys: [] });
    expect(answer.status).toBe(200);
    const refused = await handleConcurWebhook(body, {}, { ingest: new ConcurNotificationIngest(store), verify: 'signature', publicKeys: [newKey.publicKey] });
    expect(refused.status).toBe(401);
  });

  it('answers 503 (so Concur redelivers) when the store cannot record', async () => {
    const store = new MemoryEventStore();
    await store.close();
    const answer = await handleConcurWebhook(
      Buffer.from(JSON.stringify(envelope())),
      {},
      { ingest: new ConcurNotificationIngest(store), verify: 'none', publicKeys: [] },
    );
    expect(answer.status).toBe(503);
  });

  it('reads both FIS page shapes', () => {
    expect(parseFisPage({ content: [{ id: 'a', docType: 'expense' }], page: { number: 0, totalPages: 2 } }, 0)).toMatchObject({ nextPage: 1 });
    expect(parseFisPage({ content: [{ id: 'a', docType: 'expense' }], page: { number: 1, totalPages: 2 } }, 1)).toMatchObject({ nextPage: null });
    expect(parseFisPage({ fIDocuments: [{ id: 'a', docType: 'expense' }], offset: null, nextPage: null, numberReturned: 1 }, 0)).toMatchObject({
      items: [{ id: 'a' }],
      nextPage: null,
    });
    expect(parseFisPage({ fIDocuments: [{ id: 'a', docType: 'expense' }], nextPage: '/x?page=3&limit=25' }, 2).nextPage).toBe(3);
  });
});

describe('FIS per-document results', () => {
  it('reads the schema-documented acknowledgement items, where code is optional', async () => {
    const { parseItemResults } = await import('../../src/adapters/concur/fis-client.js');
    const items = [
      { docId: 'A', systemId: 'ML', acknowledgeResult: 'SUCCESS' },
      { docId: 'B', systemId: 'ML', acknowledgeResult: 'FAILURE', errorMessage: 'locked' },
      { docId: 'C', systemId: 'ML', acknowledgeResult: 'FAILURE', code: 101 },
    ];
    expect(parseItemResults(items, ['A', 'B', 'C', 'D'], 'acknowledgement').map((r) => [r.docId, r.outcome, r.message])).toEqual([
      ['A', 'ok', null],
      ['B', 'failed', 'locked'],
      ['C', 'already-done', null],
      ['D', 'retry-later', 'FIS did not report on document D'],
    ]);
  });
});
