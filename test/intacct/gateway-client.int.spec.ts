import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IntacctUncertainOutcomeError } from '../../src/adapters/intacct/errors.js';
import { serializeGlBatch } from '../../src/adapters/intacct/glbatch-serializer.js';
import { IntacctReferenceData } from '../../src/adapters/intacct/reference.js';
import { SqliteTransactionLedger } from '../../src/adapters/intacct/transaction-counter.js';
import { startIntacctSimulator, type IntacctSimulator } from '../../src/adapters/intacct/simulator/index.js';
import { el } from '../../src/adapters/intacct/xml/xml-builder.js';
import { clientFor } from './harness.js';
import { expenseEntry } from './journal-fixtures.js';

let sim: IntacctSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const read = (object: string, id: string) => ({
  controlId: `r-${id}`,
  body: el('readByQuery', [el('object', object), el('fields', '*'), el('query', ''), el('pagesize', '100')]),
});

describe('Intacct gateway client against the simulator', () => {
  it('never exceeds the concurrency cap and shares one session between concurrent callers', async () => {
    sim = await startIntacctSimulator({ maxConcurrent: 2, faults: { latencyMs: [5, 25] } });
    const client = clientFor(sim, { maxConcurrency: 2 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.execute([read('DEPARTMENT', String(i))], { uniqueId: false, mayCreate: false })),
    );
    expect(results.every(([r]) => r!.status === 'success')).toBe(true);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(sim.stats.rateLimited).toBe(0);
    expect(sim.stats.sessionsIssued).toBe(1);
    expect(client.metrics().peakInFlight).toBe(2);
    const month = new Date().toISOString().slice(0, 7);
    expect(client.metrics().apiTransactionsByMonth[month]).toBe(31); // 30 queries + 1 session
  });

  it('a client allowed more than the company limit meets GW-0010 and backs off until it gets through', async () => {
    sim = await startIntacctSimulator({ maxConcurrent: 1, faults: { latencyMs: 20 } });
    const client = clientFor(sim, { maxConcurrency: 3, retry: { baseDelayMs: 10, maxDelayMs: 80, maxAttempts: 20 } });
    await Promise.all(Array.from({ length: 6 }, (_, i) => client.execute([read('LOCATION', String(i))], { uniqueId: false, mayCreate: false })));
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(sim.stats.maxInFlight).toBe(1);
    expect(client.metrics().retries).toBeGreaterThan(0);
  });

  it('refreshes a session before its sessiontimeout passes (no authentication failure)', async () => {
    sim = await startIntacctSimulator({ sessionLifetimeMs: 300 });
    const client = clientFor(sim);
    for (let i = 0; i < 4; i++) {
      const [r] = await client.execute([read('PROJECT', String(i))], { uniqueId: false, mayCreate: false });
      expect(r!.status).toBe('success');
      await new Promise((resolve) => setTimeout(resolve, 260)); // past the refresh point, before expiry
    }
    expect(sim.stats.authFailures).toBe(0);
    expect(sim.stats.sessionsIssued).toBe(4);
  });

  it('on an expired session gets a new one once and re-sends the same controlid', async () => {
    sim = await startIntacctSimulator();
    const client = clientFor(sim);
    await client.sessions.get();
    sim.expireSessions();
    const entry = expenseEntry('AUTH-1', [1234]);
    const [r] = await client.execute([{ controlId: entry.postingKey, body: serializeGlBatch(entry) }], { uniqueId: true, mayCreate: true });
    expect(r!.status).toBe('success');
    expect(sim.stats.authFailures).toBe(1);
    expect(sim.stats.sessionsIssued).toBe(2);
    expect(sim.state.glbatches.map((b) => b.controlId)).toEqual([entry.postingKey]);
  });

  it('retries 502/503 for reads but reports a create after a 524 as uncertain, without re-sending it', async () => {
    sim = await startIntacctSimulator();
    const client = clientFor(sim);
    await client.sessions.get();
    sim.faults.next('http5xx', 2);
    const [r] = await client.execute([read('CLASS', 'x')], { uniqueId: false, mayCreate: false });
    expect(r!.status).toBe('success');
    sim.faults.next('timeout524');
    const entry = expenseEntry('UNC-1', [100]);
    const before = sim.stats.requests;
    await expect(client.execute([{ controlId: entry.postingKey, body: serializeGlBatch(entry) }], { uniqueId: true, mayCreate: true })).rejects.toBeInstanceOf(
      IntacctUncertainOutcomeError,
    );
    expect(sim.stats.requests - before).toBe(1);
    expect(sim.state.glbatches).toHaveLength(1); // committed before the CDN gave up
  });

  it('counts one API transaction per function by month and purpose, a 524 included, and keeps them in the SQLite ledger', async () => {
    sim = await startIntacctSimulator();
    const dir = mkdtempSync(join(tmpdir(), 'ml-usage-'));
    const path = join(dir, 'intacct-usage.db');
    const ledger = SqliteTransactionLedger.open(path);
    try {
      const client = clientFor(sim, { ledger });
      const entry = expenseEntry('TX-1', [100]);
      const rb = read('GLBATCH', 'rb');
      // One request, two purposes: the create is a posting, the query a read-back.
      await client.execute([{ controlId: entry.postingKey, body: serializeGlBatch(entry) }, rb], {
        uniqueId: true,
        mayCreate: true,
        purpose: (id) => (id === rb.controlId ? 'read-back' : 'posting'),
      });
      await client.execute([read('CLASS', 'c')], { uniqueId: false, mayCreate: false, purpose: 'reference-sync' });
      // 502s ran nothing and are not counted; the create behind a 524 may have run and is.
      sim.faults.next('http5xx', 2);
      await client.execute([read('CLASS', 'd')], { uniqueId: false, mayCreate: false, purpose: 'reference-sync' });
      sim.faults.next('timeout524');
      const lost = expenseEntry('TX-2', [200]);
      await expect(
        client.execute([{ controlId: lost.postingKey, body: serializeGlBatch(lost) }], { uniqueId: true, mayCreate: true, purpose: 'posting' }),
      ).rejects.toBeInstanceOf(IntacctUncertainOutcomeError);
      await client.execute([read('CLASS', 'e')], { uniqueId: false, mayCreate: false });

      const month = new Date().toISOString().slice(0, 7);
      const expected = [
        { month, purpose: 'posting', count: 2 },
        { month, purpose: 'read-back', count: 1 },
        { month, purpose: 'reference-sync', count: 2 },
        { month, purpose: 'session', count: 1 },
        { month, purpose: 'unattributed', count: 1 },
      ];
      const byPurpose = (rows: Array<{ purpose: string }>) => [...rows].sort((a, b) => a.purpose.localeCompare(b.purpose));
      expect(byPurpose(client.metrics().apiTransactions)).toEqual(expected);
      expect(client.metrics().apiTransactionsByMonth[month]).toBe(7);
      expect(sim.stats.functionsRun).toBe(7);
      expect(sim.stats.functionsByKind.get('create GLBATCH')).toBe(2);
      expect(sim.stats.functionsByKind.get('readByQuery GLBATCH')).toBe(1);
      expect(sim.stats.functionsByKind.get('readByQuery CLASS')).toBe(3);
      expect(sim.stats.functionsByKind.get('getAPISession')).toBe(1);
      const since = client.metrics().countingSince;
      ledger.close();

      // A new process on the same file starts from the counts kept.
      const reopened = SqliteTransactionLedger.open(path);
      try {
        const again = clientFor(sim, { ledger: reopened });
        expect(byPurpose(again.metrics().apiTransactions)).toEqual(expected);
        expect(again.metrics().countingSince).toBe(since);
        await again.execute([read('CLASS', 'f')], { uniqueId: false, mayCreate: false, purpose: 'reference-sync' });
        expect(again.metrics().apiTransactions.find((r) => r.purpose === 'reference-sync')?.count).toBe(3);
        expect(again.metrics().apiTransactions.find((r) => r.purpose === 'session')?.count).toBe(2);
      } finally {
        reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses wrong sender or user credentials with typed errors', async () => {
    sim = await startIntacctSimulator();
    await expect(
      clientFor(sim, { sender: { senderId: 'ml-sender', senderPassword: 'nope' } }).execute([read('CLASS', 'a')], { uniqueId: false, mayCreate: false }),
    ).rejects.toMatchObject({ name: 'IntacctControlError', level: 'control' });
    await expect(
      clientFor(sim, { login: { userId: 'ml-api', companyId: 'ml-demo', userPassword: 'nope' } }).execute([read('CLASS', 'b')], {
        uniqueId: false,
        mayCreate: false,
      }),
    ).rejects.toMatchObject({ name: 'IntacctAuthenticationError' });
  });

  it('reads reference data across readMore pages and creates an employee (contact first) and a vendor', async () => {
    sim = await startIntacctSimulator();
    const ref = new IntacctReferenceData(clientFor(sim), 4);
    const accounts = await ref.readAll('GLACCOUNT');
    expect(accounts).toHaveLength(12);
    expect(accounts.find((a) => a['ACCOUNTNO'] === '6000.10')).toMatchObject({ TITLE: 'Travel - airfare', STATUS: 'active' });
    expect(await ref.readAll('DEPARTMENT', "STATUS = 'active'")).toHaveLength(4);
    expect(await ref.readAll('CLASS', "CLASSID = 'CL-RND'")).toEqual([expect.objectContaining({ CLASSID: 'CL-RND' })]);

    const recordNo = await ref.createEmployee({
      employeeId: 'E2001',
      contactName: "O'Neil, Pat",
      firstName: 'Pat',
      lastName: "O'Neil",
      email: 'pat@example.com',
    });
    expect(recordNo).toMatch(/^\d+$/);
    expect(sim.state.objects.get('CONTACT')?.has("O'Neil, Pat")).toBe(true);
    await ref.updateEmployee({ employeeId: 'E2001', contactName: "O'Neil, Pat", firstName: 'Pat', lastName: "O'Neil", status: 'inactive' });
    expect(await ref.readAll('EMPLOYEE', "EMPLOYEEID = 'E2001'")).toEqual([
      expect.objectContaining({ STATUS: 'inactive', 'PERSONALINFO.CONTACTNAME': "O'Neil, Pat" }),
    ]);
    await ref.createVendor({ vendorId: 'V-NEW', name: 'Taxi & Co' });
    expect((await ref.readAll('VENDOR')).map((v) => v['VENDORID'])).toContain('V-NEW');
    await expect(ref.createVendor({ vendorId: 'V-NEW', name: 'Again' })).rejects.toThrow(/already exists/);
  });
});
