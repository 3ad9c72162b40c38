import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument, generateInvoiceDocument, type SimFisItem } from '../../src/adapters/concur/simulator/documents.js';
import type { IntacctGatewayClient } from '../../src/adapters/intacct/gateway-client.js';
import { SqlitePostingState } from '../../src/adapters/intacct/posting-state.js';
import { IntacctPostingWorker } from '../../src/adapters/intacct/posting-worker.js';
import { seededRandom } from '../../src/adapters/intacct/simulator/faults.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { documentStreamId, type PostingSucceeded } from '../../src/domain/document/events.js';
import { foldDocument } from '../../src/domain/document/state.js';
import type { IntacctTarget } from '../../src/domain/journal/journal-entry.js';
import { clientFor } from '../intacct/harness.js';
import { startE2e, type E2e } from './harness.js';

/**
 * Chaos over mixed posting targets, end to end (Concur simulator -> webhook -> pipeline -> posting
 * worker -> Intacct simulator over real HTTP on loopback, Concur confirmation): 60 documents of mixed
 * kinds, each becoming one to four Intacct records (GLBATCH, EEXPENSES, APBILL, CCTRANSACTION on one
 * or two card accounts), under seeded gateway faults (5xx, 524 and dropped connections after the
 * commit, killed sessions) and two worker crashes mid-run. It must end with every record in Intacct
 * exactly once under its own key, the RECORDNO on record equal to Intacct's, every document
 * CONFIRMED, and every record and document balanced to the cent.
 *
 * The connector's own posting worker is replaced at start by one with test retry delays (the
 * production ones wait 30 s and more between attempts) on a queue file of the test's, as
 * test/intacct/chaos.int.spec.ts does; killing it is the crash (nothing more is recorded, requests
 * on the wire go on unobserved), and the next worker starts on the same queue file.
 */
const DOCUMENTS = 60;
const SEED = 20260701;
const RATES = { http5xx: 0.08, timeout524: 0.08, drop: 0.08, sessionKill: 0.06 };
const TARGETS = {
  expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION', companyPaid: 'GLBATCH' },
  invoice: 'APBILL',
  paymentRequest: 'GLBATCH',
};
/** Card programs: the default (CBCP, no program on the entry) and a second one on its own active card account. */
const SECOND_PROGRAM = 'VI';
const SECOND_CARD = 'VISA-CORP';

/** Exact cents of a decimal string with at most 2 decimals (no floats); throws on anything else. */
function cents(amount: string | undefined): number {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(amount ?? '');
  if (!m) throw new Error(`not an amount: ${amount}`);
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(v)) throw new Error(`amount out of range: ${amount}`);
  return m[1] ? -v : v;
}

/** A generated report whose lines carry a mapped cost centre (the demo chart wants a department on 6100 and 6500). */
function report(options: Parameters<typeof generateExpenseDocument>[0]): SimFisItem {
  const doc = generateExpenseDocument(options);
  for (const entry of doc.document['expenseEntry'] as Array<{ allocation: Array<Record<string, unknown>> }>)
    for (const a of entry.allocation) a['allocationCustom4Code'] = '21-BELLEV1';
  return doc;
}

type Paid = 'oop' | 'card' | 'card2' | 'copd';
/** Sets how each entry was paid: out of pocket (EMPL), company card (CBCP; `card2` on the second program), company paid (COPD). */
function paidAs(doc: SimFisItem, how: readonly Paid[]): SimFisItem {
  const entries = doc.document['expenseEntry'] as Array<Record<string, unknown> & { allocation: Array<{ journal: Array<Record<string, unknown>> }> }>;
  for (const [i, entry] of entries.entries()) {
    const paid = how[i]!;
    if (paid === 'card2') entry['cardProgramTypeCode'] = SECOND_PROGRAM;
    const payee = paid === 'oop' ? 'EMPL' : paid === 'copd' ? 'COPD' : 'CBCP';
    for (const a of entry.allocation) for (const j of a.journal) j['journalPayee'] = payee;
  }
  return doc;
}

interface Planned {
  doc: SimFisItem;
  /** The records the document must become, in the connector's order (GLBATCH, EEXPENSES, APBILL, CCTRANSACTION by card account). */
  targets: IntacctTarget[];
  totalCents: number;
}

const EXPENSE_ACCOUNTS = ['474300', '474230', '474210', '474100'];
const EMPLOYEES = ['E1021', 'E1022', 'E1023'];

/** The documents, drawn from a seeded generator: a mix of kinds and of payment classes within reports. */
function plan(): Planned[] {
  const random = seededRandom(SEED + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const amount = (): number => 100 + Math.floor(random() * 60_000);
  const shapes: Paid[][] = [
    ['oop', 'oop'],
    ['oop', 'card', 'oop'],
    ['card', 'oop', 'card2'],
    ['card', 'card'],
    ['copd', 'copd'],
    ['oop', 'copd', 'card'],
    ['card2', 'oop', 'copd', 'card'],
  ];
  const out: Planned[] = [];
  for (let i = 0; i < DOCUMENTS; i++) {
    if (i % 5 === 4) {
      const lineCents = Array.from({ length: 1 + Math.floor(random() * 3) }, amount);
      const doc = generateInvoiceDocument({ vendorCode: pick(['V100', 'V200']), accountCodes: ['478000', '476000'], lineCents });
      out.push({ doc, targets: ['APBILL'], totalCents: lineCents.reduce((a, b) => a + b, 0) });
      continue;
    }
    const how = pick(shapes);
    const entryCents = how.map(amount);
    const accountCodes = how.map(() => pick(EXPENSE_ACCOUNTS));
    const doc = paidAs(report({ employeeId: pick(EMPLOYEES), accountCodes, entryCents }), how);
    const targets: IntacctTarget[] = [];
    if (how.includes('copd')) targets.push('GLBATCH');
    if (how.includes('oop')) targets.push('EEXPENSES');
    if (how.includes('card')) targets.push('CCTRANSACTION'); // AMEX-CORP
    if (how.includes('card2')) targets.push('CCTRANSACTION'); // VISA-CORP sorts after it
    out.push({ doc, targets, totalCents: entryCents.reduce((a, b) => a + b, 0) });
  }
  return out;
}

describe('chaos over mixed posting targets (real HTTP, simulators, worker crashes)', () => {
  let e: E2e;
  let client: IntacctGatewayClient;
  let current: { worker: IntacctPostingWorker; state: SqlitePostingState } | null = null;
  const errors: Error[] = [];

  const startWorker = async (): Promise<void> => {
    const state = SqlitePostingState.open(join(e.config.dataDir, 'chaos-posting.db'));
    const worker = new IntacctPostingWorker({
      store: e.running.store,
      gateway: client,
      state,
      batchSize: 2,
      parallelBatches: 2,
      retry: { baseDelayMs: 20, maxDelayMs: 150 },
      onError: (error) => errors.push(error),
    });
    await worker.start();
    current = { worker, state };
  };
  /** A crash: nothing more is recorded, whatever is on the wire lands unobserved. */
  const killWorker = (): void => {
    current!.worker.kill();
    current!.state.close();
    current = null;
  };

  beforeAll(async () => {
    e = await startE2e({ systems: { chargeCards: [{ cardId: SECOND_CARD }], intacctFaults: { seed: SEED, latencyMs: [0, 3] } } });
    seedSandboxIntacctCompany(e.systems.intacct.state, new Date());
    await e.running.service.importMappings(demoMappingsJson(), 'targets chaos', 'system:test');
    await e.running.service.importMappings(
      JSON.stringify({ targets: TARGETS, cardAccounts: { CBCP: 'AMEX-CORP', [SECOND_PROGRAM]: SECOND_CARD }, expenseTypes: { MEALS: 'Meals' } }),
      'mixed targets, two card programs',
      'system:test',
    );
    const sync = await e.running.referenceSync.run(['dimensions', 'vendors', 'employees'], 'system:test');
    expect(sync.errors).toEqual([]);
    e.running.worker.kill(); // replaced by the test's workers (see above); it has seen no posting
    client = clientFor(e.systems.intacct, { retry: { baseDelayMs: 2, maxDelayMs: 40, maxAttempts: 10 } });
  }, 60_000);

  afterAll(async () => {
    if (current) {
      await current.worker.stop();
      current.state.close();
    }
    await e?.close();
  });

  it('60 mixed documents through gateway faults and two worker crashes: every record once, balanced, every document CONFIRMED', async () => {
    const sim = e.systems.intacct;
    const planned = plan();
    const expectedRecords = planned.reduce((n, p) => n + p.targets.length, 0);
    const posted = (): number => sim.state.glbatches.length + sim.state.records.length;
    const t0 = Date.now();
    const log = (m: string): void => void process.stderr.write(`[targets-chaos] +${Date.now() - t0}ms ${m}: intacct records=${posted()}\n`);
    const waitFor = async (test: () => boolean | Promise<boolean>, what: string, ms = 40_000): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!(await test())) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what} (faults ${JSON.stringify(sim.faults.injected)}, errors ${errors.join('; ')})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const publish = async (from: number, to: number): Promise<void> => {
      for (const p of planned.slice(from, to)) await e.systems.concur.publishDocument(p.doc);
    };

    sim.faults.rates = RATES; // from here on: the setup above ran without faults
    await startWorker();
    await publish(0, 25);
    await waitFor(() => posted() >= 15, 'first records');
    log('killing worker 1');
    killWorker();
    await publish(25, 45);
    await startWorker();
    await waitFor(() => posted() >= 50, 'more records');
    log('killing worker 2');
    killWorker();
    await publish(45, DOCUMENTS);
    await startWorker();
    const statusOf = (id: string): string | null => e.running.service.queries.get(id)?.status ?? null;
    await e
      .settle(() => planned.every((p) => statusOf(p.doc.id) === 'CONFIRMED'), 'every document CONFIRMED', 45_000)
      .catch((error: Error) => {
        const open = planned.filter((p) => statusOf(p.doc.id) !== 'CONFIRMED').map((p) => `${p.doc.id}=${statusOf(p.doc.id)}`);
        throw new Error(`${error.message}: ${open.slice(0, 10).join(', ')} (faults ${JSON.stringify(sim.faults.injected)}, errors ${errors.join('; ')})`);
      });
    await current!.worker.idle();
    log('all confirmed');

    const injected = sim.faults.injected;
    process.stderr.write(
      `[targets-chaos] faults ${JSON.stringify(injected)}, requests ${sim.stats.requests}, ${expectedRecords} records of ${DOCUMENTS} documents\n`,
    );
    for (const kind of ['http5xx', 'timeout524', 'drop', 'sessionKill'] as const) expect(injected[kind], `${kind} injected`).toBeGreaterThan(0);

    // Intacct holds exactly the records the documents planned, each once under its own key (no reversals here).
    const isReversal = (controlId: string, state: string | undefined): boolean => controlId.endsWith('-REV') || state === 'Reversal';
    const inIntacct = [
      ...sim.state.glbatches.map((b) => ({ object: 'GLBATCH', controlId: b.controlId, recordNo: b.recordNo, state: undefined as string | undefined })),
      ...sim.state.records.map((r) => ({ object: r.object, controlId: r.controlId, recordNo: r.recordNo, state: r.header['STATE'] })),
    ].filter((r) => !isReversal(r.controlId, r.state));
    expect(inIntacct).toHaveLength(expectedRecords);
    expect(new Set(inIntacct.map((r) => r.controlId)).size).toBe(expectedRecords);
    const byControlId = new Map(inIntacct.map((r) => [r.controlId, r]));

    let foundExisting = 0;
    const byTarget = new Map<string, number>();
    let grand = 0;
    for (const p of planned) {
      const stream = documentStreamId(p.doc.docType, p.doc.id);
      const events = await e.running.store.readStream(stream);
      const state = foldDocument(events);
      expect(state.status, p.doc.id).toBe('CONFIRMED');
      expect(statusOf(p.doc.id), p.doc.id).toBe('CONFIRMED');
      expect(events.some((x) => x.type === 'PostingRejected')).toBe(false);
      expect(state.reversals).toEqual([]);
      expect(
        state.records.map((r) => r.target),
        p.doc.id,
      ).toEqual(p.targets);
      let documentCost = 0;
      for (const r of state.records) {
        byTarget.set(r.target, (byTarget.get(r.target) ?? 0) + 1);
        expect(r.status, r.postingKey).toBe('POSTED');
        const succeeded = events.filter((x) => x.type === 'PostingSucceeded' && (x.data as PostingSucceeded).postingKey === r.postingKey);
        expect(succeeded, `${r.postingKey} succeeded once`).toHaveLength(1);
        if ((succeeded[0]!.data as PostingSucceeded).outcome === 'found-existing') foundExisting++;
        const there = byControlId.get(r.postingKey);
        expect(there, `${r.target} ${r.postingKey} in Intacct`).toBeDefined();
        expect(there!.object).toBe(r.target);
        expect(r.recordNo, r.postingKey).toBe(there!.recordNo);
        const entryTotal = cents(r.entry!.total);
        if (r.target === 'GLBATCH') {
          const [batch] = sim.state.glbatches.filter((b) => b.controlId === r.postingKey);
          const side = (t: string): number => batch!.entries.filter((x) => x['TR_TYPE'] === t).reduce((s, x) => s + cents(x['TRX_AMOUNT']), 0);
          expect(side('1'), `${r.postingKey} debits`).toBe(entryTotal);
          expect(side('-1'), `${r.postingKey} credits`).toBe(entryTotal);
          documentCost += side('1'); // the cost lines of a journal are its debits (no credit notes in this mix)
        } else {
          const [record] = sim.state.records.filter((x) => x.controlId === r.postingKey);
          // The payable is Intacct's own (from the header): every stored line is a cost line.
          const lines = record!.lines.reduce((s, l) => s + cents(l['AMOUNT'] ?? l['TRX_AMOUNT']), 0);
          expect(lines, `${r.postingKey} lines`).toBe(entryTotal);
          expect(cents(record!.header['TOTALENTERED']), `${r.postingKey} TOTALENTERED`).toBe(entryTotal);
          documentCost += lines;
        }
      }
      expect(documentCost, `${p.doc.id}: its records' cost lines add up to the document total`).toBe(p.totalCents);
      grand += documentCost;
    }
    expect(grand).toBe(planned.reduce((s, p) => s + p.totalCents, 0));
    for (const target of ['GLBATCH', 'EEXPENSES', 'APBILL', 'CCTRANSACTION']) expect(byTarget.get(target) ?? 0, target).toBeGreaterThan(0);
    // Two card accounts were charged.
    expect(new Set(sim.state.records.filter((r) => r.object === 'CCTRANSACTION').map((r) => r.header['FINANCIALENTITY']))).toEqual(
      new Set(['AMEX-CORP', SECOND_CARD]),
    );
    // Lost answers were recovered by reading back, not by posting again.
    expect(foundExisting).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    process.stderr.write(`[targets-chaos] records by target ${JSON.stringify([...byTarget])}, found-existing ${foundExisting}, ${Date.now() - t0} ms\n`);
  }, 90_000);
});
