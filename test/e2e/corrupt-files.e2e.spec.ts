import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { startSandboxSystems, type SandboxSystems } from '../../src/app/sandbox-systems.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

/**
 * Files damaged the way a disk damages them (a 4 KiB page of random bytes, a file cut short), with the
 * service stopped, then started again on the same ML_DATA_DIR:
 * - a read-model or posting-queue file is moved aside (named in the log) and rebuilt from the log;
 * - a damaged event store makes the service refuse to start, naming the file and what to do.
 */
const PAGE = 4096;

function garblePage(path: string, fromEnd = false): void {
  const pages = Math.floor(statSync(path).size / PAGE);
  expect(pages).toBeGreaterThan(2);
  const page = fromEnd ? pages - 1 : Math.max(1, Math.floor(pages / 2));
  const fd = openSync(path, 'r+');
  writeSync(fd, randomBytes(PAGE), 0, PAGE, page * PAGE);
  closeSync(fd);
}

function cutShort(path: string): void {
  truncateSync(path, Math.floor(statSync(path).size / PAGE / 2) * PAGE);
}

describe('damaged files under ML_DATA_DIR', () => {
  let systems: SandboxSystems;
  let root: string;
  let dataDir: string;
  let service: ServiceProcess | null = null;
  const posted: string[] = [];

  const start = async (): Promise<ServiceProcess> => {
    service = await startServiceProcess({ ML_DATA_DIR: dataDir, ML_STORE: `sqlite:${join(dataDir, 'events.db')}` }, { systems });
    systems.concur.ess.endpoint = `${service.url}/webhooks/concur`;
    return service;
  };
  const stop = async (): Promise<void> => {
    await service?.close();
    service = null;
  };
  const statusOf = async (id: string): Promise<string | null> =>
    (await service!.gql<{ posting: { status: string } | null }>(`query($id: ID!) { posting(id: $id) { status } }`, { id })).data?.posting?.status ?? null;
  const postOne = async (cents: number): Promise<string> => {
    const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [cents] });
    expect((await systems.concur.publishDocument(doc)).status).toBe(200);
    await service!.waitFor(`document ${doc.id} confirmed`, async () => (await statusOf(doc.id)) === 'CONFIRMED');
    posted.push(doc.id);
    return doc.id;
  };
  const expectAllConfirmedOnce = async (): Promise<void> => {
    for (const id of posted) {
      expect(await statusOf(id), id).toBe('CONFIRMED');
      expect(
        systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === `ML-EXP-${id}-1`),
        id,
      ).toHaveLength(1);
    }
  };

  beforeAll(async () => {
    systems = await startSandboxSystems();
    seedSandboxIntacctCompany(systems.intacct.state, new Date());
    root = mkdtempSync(join(tmpdir(), 'ml-corrupt-'));
    dataDir = join(root, 'data');
    await start();
    expect(
      (await service!.gql(`mutation($json: String!) { importMappings(json: $json, reason: "go-live") { revision } }`, { json: demoMappingsJson() })).errors,
    ).toBeUndefined();
    await service!.waitFor(
      'the start-up reference sync',
      async () => ((await service!.gql<{ dimensions: unknown[] }>(`{ dimensions(kind: DEPARTMENT) { id } }`)).data?.dimensions.length ?? 0) > 0,
    );
    // Enough documents that every file spans several pages.
    for (let i = 0; i < 12; i++) await postOne(1000 + i);
    await stop();
  }, 180_000);
  afterAll(async () => {
    await stop();
    await systems?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['a page of random bytes', garblePage],
    ['a file cut short', cutShort],
  ])(
    'read models with %s: moved aside, named in the log, rebuilt from the log',
    async (_, damage) => {
      damage(join(dataDir, 'read-models.db'));
      const s = await start();
      const log = s.output.join('');
      expect(log).toMatch(/read-model file .*read-models\.db was damaged .*moved aside to .*read-models\.db\.damaged-/);
      await s.waitFor('the read models to be rebuilt', async () => (await statusOf(posted[0]!)) === 'CONFIRMED');
      await expectAllConfirmedOnce();
      await postOne(2000 + posted.length);
      await stop();
    },
    120_000,
  );

  it.each([
    ['a page of random bytes', garblePage],
    ['a file cut short', cutShort],
  ])(
    'posting queue with %s: moved aside, rebuilt, nothing posted twice',
    async (_, damage) => {
      damage(join(dataDir, 'intacct-posting.db'));
      const s = await start();
      expect(s.output.join('')).toMatch(/Intacct posting queue .*intacct-posting\.db was damaged .*moved aside/);
      await postOne(3000 + posted.length);
      await expectAllConfirmedOnce();
      await stop();
    },
    120_000,
  );

  it.each([
    ['a page of random bytes', (p: string) => garblePage(p, true)],
    ['a file cut short', cutShort],
  ])(
    'event store with %s: the service refuses to start, naming the file and what to do',
    async (_, damage) => {
      const store = join(dataDir, 'events.db');
      const copy = `${store}.good`;
      // Keep the good log for the next case.
      const { copyFileSync } = await import('node:fs');
      copyFileSync(store, copy);
      try {
        damage(store);
        const error = await start().then(
          () => null,
          (e: Error) => e,
        );
        expect(error, 'the service started on a damaged event store').not.toBeNull();
        expect(error!.message).toMatch(/service exited with 1/);
        expect(error!.message).toContain(store);
        expect(error!.message).toMatch(/restore|backup/i);
      } finally {
        copyFileSync(copy, store);
        rmSync(copy);
      }
    },
    120_000,
  );
});
