import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { startE2e, type E2e } from '../e2e/harness.js';
import { runCliProcess } from './cli-process.js';

/** `npm run cli -- retry ID [--batch-date D --reason R]` against a running connector (simulators, real HTTP). */
describe('CLI retry', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
    seedSandboxIntacctCompany(e.systems.intacct.state, new Date());
    await e.running.service.importMappings(demoMappingsJson(), 'cli retry test', 'system:test');
    await e.running.referenceSync.run(['dimensions', 'vendors', 'employees'], 'system:test');
  }, 60_000);
  afterAll(async () => {
    await e?.close();
  });

  it('posts a closed-period document on the batch date given, and says what it did', async () => {
    e.systems.intacct.state.closedPeriods.add('2026-01');
    const doc = generateExpenseDocument({
      employeeId: 'E1021',
      accountCodes: ['476000'],
      entryCents: [3100],
      submitDate: '2026-01-20T09:00:00.000Z',
      reportName: 'January offsite',
    });
    await e.systems.concur.publishDocument(doc);
    const status = async () => e.running.service.getPosting(doc.id)?.status;
    await e.settle(async () => (await status()) === 'REJECTED', 'the closed-period rejection');

    const missingReason = await runCliProcess(['retry', doc.id, '--batch-date', '2026-02-01'], { ML_URL: e.running.url });
    expect(missingReason.code).toBe(1);
    expect(missingReason.stderr).toMatch(/--batch-date needs --reason/);

    const run = await runCliProcess(['retry', doc.id, '--batch-date', '2026-02-01', '--reason', 'January is closed'], { ML_URL: e.running.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Document ${doc.id} "January offsite": retry requested with batch date 2026-02-01`);
    await e.settle(async () => (await status()) === 'CONFIRMED', 'the re-dated posting');
    const [batch] = e.systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === `ML-EXP-${doc.id}-1`);
    expect(batch!.header['BATCH_DATE']).toBe('02/01/2026');
    expect(batch!.header['BATCH_TITLE']).toContain('Concur date 2026-01-20');

    const again = await runCliProcess(['retry', doc.id], { ML_URL: e.running.url });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: CONFLICT: .*CONFIRMED/m);
  });
});
