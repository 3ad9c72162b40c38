import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { redact, redactingLogger, SecretRegistry } from '../../src/adapters/concur/log.js';
import { ConcurNotificationIngest } from '../../src/adapters/concur/notifications.js';
import { FisQueuePoller } from '../../src/adapters/concur/poller.js';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/index.js';
import { CapturingLogger, SECRET_KEY, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('secrets never reach logs, events or errors', () => {
  it('redacts secret-named fields and every registered secret wherever it appears', () => {
    const secrets = new SecretRegistry();
    secrets.add('at-0123456789-secret');
    const capture = new CapturingLogger();
    const log = redactingLogger(capture, secrets);
    log.log('info', 'calling with at-0123456789-secret', {
      refresh_token: 'anything',
      nested: { note: 'Bearer at-0123456789-secret' },
      error: new Error('token at-0123456789-secret refused'),
    });
    expect(capture.lines.join('\n')).not.toContain('at-0123456789-secret');
    expect(capture.lines.join('\n')).not.toContain('anything');
    expect(redact({ clientSecret: 'x', count: 3 }, secrets)).toEqual({ clientSecret: '[redacted]', count: 3 });
  });

  it('a full run (bootstrap, rotation, 401 refresh, webhook, poll, confirm, 108) leaks no secret', async () => {
    h = await startHarness({ fixtureDir: false });
    const errors: string[] = [];
    const tm = h.tokens;
    // Everything the adapter does, once each.
    const doc = h.sim.addDocument(generateExpenseDocument());
    const ingest = new ConcurNotificationIngest(h.store);
    await ingest.ingest(h.sim.ess.documentReady('expense', doc.id, h.sim.url), 'webhook');
    await h.settle();
    h.sim.state.expireAccessTokens();
    h.sim.addDocument(generateExpenseDocument());
    await new FisQueuePoller({ fis: h.fis, receive: h.receive, intervalS: 0 }).pollOnce();
    await h.settle();
    await h.gateway.confirm('expense', {
      docId: doc.id,
      status: 'error',
      documentNumber: null,
      postingDate: null,
      messages: ['Department D100 is restricted for account 6400'],
    });
    h.sim.state.refreshTokens.clear();
    h.sim.state.expireAccessTokens();
    await h.fis.getQueuePage('expense', 0).catch((e: Error) => errors.push(`${e.name}: ${e.message}`));
    expect(tm.status().state).toBe('reconnect-required');
    const bootstrap = h.newTokenManager({ refreshToken: null, companyUuid: h.sim.companyUuid, companyRequestToken: h.sim.companyRequestToken });
    await bootstrap.getAccessToken();

    const secrets = [SECRET_KEY, h.sim.clientSecret, h.sim.companyRequestToken, ...h.sim.state.issuedSecrets];
    expect(h.sim.state.issuedSecrets.length).toBeGreaterThanOrEqual(6);
    const events = JSON.stringify(await h.store.readAll(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    const logs = [...h.capture.lines, ...h.pipelineLog].join('\n');
    const file = await readFile(h.tokenFile, 'utf8');
    expect(h.capture.lines.some((l) => l.includes('concurCorrelationId'))).toBe(true);
    expect(errors.join('\n')).toContain('Reconnect Concur');
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(events).not.toContain(secret);
      expect(errors.join('\n')).not.toContain(secret);
      expect(file).not.toContain(secret);
      expect(JSON.stringify(tm.status())).not.toContain(secret);
    }
  });
});
