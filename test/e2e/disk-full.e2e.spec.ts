import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { demoMappingsJson } from '../../src/app/sandbox/index.js';
import { smallDisk, type SmallDisk } from '../support/small-disk.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

/**
 * Disk full, for real: the service's data directory is a 24 MB tmpfs that the test fills to the last
 * block while documents keep arriving, then frees. The process must not crash, must answer 503 (so
 * Concur redelivers) while it cannot store, say why in /readyz, and resume by itself when space
 * returns: every document posted exactly once, none lost.
 */
const disk = smallDisk(24);

describe.skipIf(!disk)('disk full (a real, full tmpfs under ML_DATA_DIR)', () => {
  let service: ServiceProcess;
  const d = disk as SmallDisk;

  beforeAll(async () => {
    service = await startServiceProcess({ ML_DATA_DIR: join(d.dir, 'data') });
  }, 90_000);
  afterAll(async () => {
    await service?.close();
    d.cleanup();
  });

  const statusOf = async (id: string): Promise<string | null> =>
    (await service.gql<{ posting: { status: string } | null }>(`query($id: ID!) { posting(id: $id) { status } }`, { id })).data?.posting?.status ?? null;
  const readyz = async (): Promise<{ status: number; body: string }> => {
    const res = await fetch(`${service.url}/readyz`);
    return { status: res.status, body: await res.text() };
  };
  const expectAlive = (): void => expect(service.exitCode(), `the service exited:\n${service.output.join('').slice(-4000)}`).toBeNull();

  it('answers 503 while full, never crashes, says why, and posts everything exactly once after space returns', async () => {
    const { systems } = service;
    expect(
      (await service.gql(`mutation($json: String!) { importMappings(json: $json, reason: "go-live") { revision } }`, { json: demoMappingsJson() })).errors,
    ).toBeUndefined();
    await service.waitFor(
      'the start-up reference sync',
      async () => ((await service.gql<{ dimensions: unknown[] }>(`{ dimensions(kind: DEPARTMENT) { id } }`)).data?.dimensions.length ?? 0) > 0,
    );
    systems.concur.ess.endpoint = `${service.url}/webhooks/concur`;
    const baseUrl = systems.endpoints.concur.authBaseUrl;
    const deliver = async (id: string): Promise<number | null> =>
      (await systems.concur.ess.deliver(systems.concur.ess.documentReady('expense', id, baseUrl), { maxAttempts: 1 })).status;

    const before = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [2599] });
    systems.concur.addDocument(before);
    expect(await deliver(before.id)).toBe(200);
    await service.waitFor('the first document to be confirmed', async () => (await statusOf(before.id)) === 'CONFIRMED');

    // Documents in flight: Intacct answers slowly, so the pipeline and the posting worker are in the
    // middle of their work (outcomes still to record) when the last block goes.
    systems.intacct.faults.latencyMs = 1_500;
    const inFlight: ReturnType<typeof generateExpenseDocument>[] = [];
    for (let i = 0; i < 4; i++) {
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [500 + i] });
      systems.concur.addDocument(doc);
      inFlight.push(doc);
      expect(await deliver(doc.id)).toBe(200);
    }
    await service.waitFor('a document to be posting', async () => (await statusOf(inFlight[0]!.id)) === 'POSTING', 20_000);

    // The disk fills up; documents keep arriving. Some are stored before the last page is gone (200),
    // then the service refuses with 503 (Concur redelivers later). Nothing else: no 500, no crash.
    const filled = d.fill();
    expect(filled).toBeGreaterThan(1_000_000);
    const during: ReturnType<typeof generateExpenseDocument>[] = [];
    const refused: string[] = [];
    for (let i = 0; i < 60 && refused.length < 3; i++) {
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [1000 + i] });
      systems.concur.addDocument(doc);
      during.push(doc);
      const status = await deliver(doc.id);
      expect([200, 503]).toContain(status);
      if (status === 503) refused.push(doc.id);
    }
    expect(refused.length).toBeGreaterThan(0);
    // Full for a while: the worker and projections keep failing to write, and the process stays up.
    await new Promise((r) => setTimeout(r, 3_000));
    expectAlive();
    const notReady = await readyz();
    expect(notReady.status, `${notReady.body}\n${service.output.join('').slice(-4000)}`).toBe(503);
    expect(notReady.body).toMatch(/disk|full|SQLITE_FULL|storage/i);

    // Space returns: the service resumes by itself, without a restart or a replay.
    d.free();
    systems.intacct.faults.latencyMs = 0;
    for (const id of refused) expect(await deliver(id)).toBe(200);
    const all = [before, ...inFlight, ...during];
    const unconfirmed = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const doc of all) {
        const status = await statusOf(doc.id);
        if (status !== 'CONFIRMED') out.push(`${doc.id}: ${status}`);
      }
      return out;
    };
    await service
      .waitFor('every document to be confirmed after the disk was freed', async () => (await unconfirmed()).length === 0, 60_000)
      .catch(async (error: Error) => {
        throw new Error(`${(await unconfirmed()).join('\n')}\n${error.message}`);
      });
    expectAlive();
    await service.waitFor('/readyz to be ready again', async () => (await readyz()).status === 200, 30_000);

    // Exactly once: one GLBATCH per document, nothing lost, nothing twice.
    for (const doc of [before, ...inFlight, ...during]) {
      expect(
        systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === `ML-EXP-${doc.id}-1`),
        doc.id,
      ).toHaveLength(1);
    }
  }, 240_000);
});
