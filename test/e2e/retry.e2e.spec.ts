import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument, type SimFisItem } from '../../src/adapters/concur/simulator/documents.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { startE2e, type E2e } from './harness.js';

/**
 * A retry posts what the audit trail shows: after a fix (a remapped account, a department allowed on
 * the account, a reopened period), `retryPosting` re-evaluates the document with the mappings and
 * reference data of now, and the GLBATCH Intacct receives is exactly the `journalEntry` GraphQL shows
 * and the timeline records. Each case runs three times, once alone and twice with a reference sync
 * started at the same moment (the race that once sent the stale entry 3 times out of 3).
 */
interface Line {
  accountNo: string;
  trType: number;
  amount: string;
  dimensions: Array<{ target: string; value: string }>;
}
interface Entry {
  postingKey: string;
  batchDate: string;
  batchTitle: string;
  lines: Line[];
}
interface Detail {
  status: string;
  postingKey: string;
  intacctRecordNo: string | null;
  lastError: { category: string; message: string; description2: string | null; correction: string | null; firstOpenDate: string | null } | null;
  journalEntry: Entry | null;
  timeline: Array<{ type: string; actor: string; data: Record<string, unknown> }>;
}

const DETAIL = `status postingKey intacctRecordNo
  lastError { category message description2 correction firstOpenDate }
  journalEntry { postingKey batchDate batchTitle lines { accountNo trType amount dimensions { target value } } }
  timeline { type actor data }`;

/** Intacct's mm/dd/yyyy as the ISO day. */
const isoOf = (usDate: string): string => `${usDate.slice(6, 10)}-${usDate.slice(0, 2)}-${usDate.slice(3, 5)}`;

describe('retryPosting posts what the audit trail shows (real HTTP, simulators)', () => {
  let e: E2e;
  let closedMonth: string;
  let closedDay: string;

  const detail = async (id: string): Promise<Detail> => {
    const r = await e.graphql<{ posting: Detail }>(`query($id: ID!) { posting(id: $id) { ${DETAIL} } }`, { id });
    expect(r.errors).toBeUndefined();
    return r.data!.posting;
  };
  const statusOf = async (id: string): Promise<string> => (await detail(id)).status;
  const glbatchesFor = (postingKey: string) => e.systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === postingKey);
  const sentLines = (postingKey: string) => {
    const [batch, ...more] = glbatchesFor(postingKey);
    expect(more, `one GLBATCH for ${postingKey}`).toHaveLength(0);
    expect(batch, `a GLBATCH for ${postingKey}`).toBeDefined();
    return {
      header: batch!.header,
      lines: (batch!.entries as Array<Record<string, string>>).map((x) =>
        canonical(x['ACCOUNTNO']!, Number(x['TR_TYPE']), x['TRX_AMOUNT']!, {
          DEPARTMENT: x['DEPARTMENT'],
          LOCATION: x['LOCATION'],
          EMPLOYEEID: x['EMPLOYEEID'],
          VENDORID: x['VENDORID'],
        }),
      ),
    };
  };
  const canonical = (account: string, trType: number, amount: string, dims: Record<string, string | undefined>): string =>
    `${account}|${trType}|${amount}|${Object.entries(dims)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',')}`;
  const shownLines = (entry: Entry): string[] =>
    entry.lines
      .map((l) =>
        canonical(
          l.accountNo,
          l.trType,
          l.amount,
          Object.fromEntries(
            l.dimensions.filter((d) => ['DEPARTMENT', 'LOCATION', 'EMPLOYEEID', 'VENDORID'].includes(d.target)).map((d) => [d.target, d.value]),
          ),
        ),
      )
      .sort();
  const lastRequested = (d: Detail): Entry => {
    const req = d.timeline.filter((t) => t.type === 'PostingRequested' && t.data['reverses'] === null).at(-1);
    // The timeline carries the event as stored: dimensions are an object there.
    const raw = req!.data['entry'] as unknown as Omit<Entry, 'lines'> & { lines: Array<Omit<Line, 'dimensions'> & { dimensions: Record<string, string> }> };
    return { ...raw, lines: raw.lines.map((l) => ({ ...l, dimensions: Object.entries(l.dimensions).map(([target, value]) => ({ target, value })) })) };
  };

  /** What Intacct holds = what GraphQL shows = what the timeline's last posting request carries. */
  const expectBooksEqualAudit = async (id: string): Promise<Detail> => {
    const d = await detail(id);
    const sent = sentLines(d.postingKey);
    expect(sent.lines.sort()).toEqual(shownLines(d.journalEntry!));
    expect(shownLines(lastRequested(d))).toEqual(shownLines(d.journalEntry!));
    expect(isoOf(sent.header['BATCH_DATE']!)).toBe(d.journalEntry!.batchDate);
    expect(sent.header['BATCH_TITLE']).toBe(d.journalEntry!.batchTitle);
    expect(d.intacctRecordNo).toBe(glbatchesFor(d.postingKey)[0]!.recordNo);
    return d;
  };

  const setMapping = async (section: string, key: string, value: unknown, reason: string): Promise<void> => {
    const r = await e.graphql(
      `mutation($s: String!, $k: String!, $v: JSON!, $r: String!) { setMapping(section: $s, key: $k, value: $v, reason: $r) { revision } }`,
      { s: section, k: key, v: value, r: reason },
    );
    expect(r.errors).toBeUndefined();
  };
  const retry = (id: string, extra = '') =>
    e.graphql<{ retryPosting: { status: string } }>(`mutation($id: ID!) { retryPosting(id: $id${extra}) { status } }`, { id });
  const syncNow = () => e.graphql(`mutation { syncReferenceData { id state } }`);

  const publish = async (doc: SimFisItem, until: string): Promise<void> => {
    await e.systems.concur.publishDocument(doc);
    await e.settle(async () => (await statusOf(doc.id)) === until, `document ${doc.id} to be ${until}`);
  };

  beforeAll(async () => {
    e = await startE2e();
    const now = new Date();
    seedSandboxIntacctCompany(e.systems.intacct.state, now);
    await e.running.service.importMappings(demoMappingsJson(), 'retry tests', 'system:test');
    const sync = await e.running.referenceSync.run(['dimensions', 'vendors', 'employees'], 'system:test');
    expect(sync.errors).toEqual([]);
    // A month well in the past, closed in Intacct as after month-end; its 15th is the report date.
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 15));
    closedMonth = d.toISOString().slice(0, 7);
    closedDay = d.toISOString().slice(0, 10);
  }, 60_000);

  afterAll(async () => {
    await e?.close();
  });

  for (const [round, withSync] of [
    [1, false],
    [2, true],
    [3, true],
  ] as const) {
    it(`closed period -> remap 6400 to 6200 -> reopen -> retry posts on 6200 (round ${round}${withSync ? ', sync at the same moment' : ''})`, async () => {
      const code = `47700${round}`;
      await setMapping('accounts', code, '6400', 'office supplies, first guess');
      e.systems.intacct.state.closedPeriods.add(closedMonth);
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: [code], entryCents: [4200 + round], submitDate: `${closedDay}T10:00:00.000Z` });
      try {
        await publish(doc, 'REJECTED');
        const rejected = await detail(doc.id);
        expect(rejected.lastError?.category).toBe('closed-period');
        expect(glbatchesFor(rejected.postingKey)).toHaveLength(0);

        await setMapping('accounts', code, '6200', 'these are lodging costs');
        e.systems.intacct.state.closedPeriods.delete(closedMonth);
        const [r] = await Promise.all([retry(doc.id), withSync ? syncNow() : Promise.resolve(null)]);
        expect(r.errors).toBeUndefined();
        await e.settle(async () => (await statusOf(doc.id)) === 'CONFIRMED', 'the retried document to post');
        const posted = await expectBooksEqualAudit(doc.id);
        expect(posted.journalEntry!.lines.map((l) => l.accountNo)).toContain('6200');
        expect(posted.journalEntry!.lines.map((l) => l.accountNo)).not.toContain('6400');
      } finally {
        e.systems.intacct.state.closedPeriods.delete(closedMonth);
      }
    });

    it(`restricted department -> department fixed -> retry posts the allowed department (round ${round}${withSync ? ', sync at the same moment' : ''})`, async () => {
      // 6500 (Concur 474210, travel) does not allow department D300 in the simulated company.
      const costCentre = `CC-${round}`;
      const rule = (department: string) => ({
        source: 'allocationCustom4Code',
        target: 'DEPARTMENT',
        values: { '21-BELLEV1': 'D100', '21-SEATTLE': 'D200', '11-KING': 'D300', [costCentre]: department },
        passThrough: false,
      });
      await setMapping('dimensions', 'allocationCustom4Code->DEPARTMENT', rule('D300'), 'new cost centre');
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['474210'], entryCents: [8800 + round] });
      for (const entry of doc.document['expenseEntry'] as Array<{ allocation: Array<Record<string, unknown>> }>)
        entry.allocation[0]!['allocationCustom4Code'] = costCentre;
      await publish(doc, 'REJECTED');
      const rejected = await detail(doc.id);
      expect(rejected.lastError?.message).toMatch(/Department D300 is restricted for account 6500/);

      await setMapping('dimensions', 'allocationCustom4Code->DEPARTMENT', rule('D200'), 'the cost centre belongs to engineering');
      const [r] = await Promise.all([retry(doc.id), withSync ? syncNow() : Promise.resolve(null)]);
      expect(r.errors).toBeUndefined();
      await e.settle(async () => (await statusOf(doc.id)) === 'CONFIRMED', 'the retried document to post');
      const posted = await expectBooksEqualAudit(doc.id);
      const departments = posted.journalEntry!.lines.flatMap((l) => l.dimensions.filter((d) => d.target === 'DEPARTMENT').map((d) => d.value));
      expect(departments).toContain('D200');
      expect(departments).not.toContain('D300');
    });
  }

  it("a closed-period rejection carries Intacct's own text, its correction and the first open date", async () => {
    e.systems.intacct.state.closedPeriods.add(closedMonth);
    try {
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [1234], submitDate: `${closedDay}T10:00:00.000Z` });
      await publish(doc, 'REJECTED');
      const d = await detail(doc.id);
      const us = `${closedDay.slice(5, 7)}/${closedDay.slice(8, 10)}/${closedDay.slice(0, 4)}`;
      expect(d.lastError).toMatchObject({ category: 'closed-period' });
      expect(d.lastError!.description2).toContain(`The period for ${us} is closed`);
      expect(d.lastError!.correction).toBeTruthy();
      // The message a person reads quotes Intacct, with both dates, and names the ways out.
      expect(d.lastError!.message).toContain(`The period for ${us} is closed. Date must be on or after`);
      expect(d.lastError!.message).toMatch(/batchDate/);
      expect(d.lastError!.message).toMatch(/next-open-period/);
      expect(d.lastError!.firstOpenDate).toMatch(/^\d{4}-\d{2}-01$/);
      expect(d.lastError!.firstOpenDate! > closedDay).toBe(true);
    } finally {
      e.systems.intacct.state.closedPeriods.delete(closedMonth);
    }
  });

  it('retryPosting with a batch date posts that one document on the chosen date, recorded with actor and reason', async () => {
    e.systems.intacct.state.closedPeriods.add(closedMonth);
    try {
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [5678], submitDate: `${closedDay}T10:00:00.000Z` });
      await publish(doc, 'REJECTED');
      const firstOpen = (await detail(doc.id)).lastError!.firstOpenDate!;
      const bad = await retry(doc.id, ', batchDate: "2026-02-30", reason: "x"');
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const noReason = await retry(doc.id, `, batchDate: "${firstOpen}"`);
      expect(noReason.errors?.[0]?.message).toMatch(/reason/);

      const r = await retry(doc.id, `, batchDate: "${firstOpen}", reason: "period closed; post in the first open month"`);
      expect(r.errors).toBeUndefined();
      await e.settle(async () => (await statusOf(doc.id)) === 'CONFIRMED', 'the re-dated document to post');
      const d = await expectBooksEqualAudit(doc.id);
      expect(d.journalEntry!.batchDate).toBe(firstOpen);
      // The original date stays visible in Intacct (the batch title) and in the timeline.
      expect(d.journalEntry!.batchTitle).toContain(closedDay);
      const asked = d.timeline.filter((t) => t.type === 'PostingRetryRequested').at(-1)!;
      expect(asked.actor).toBe('user:sandbox');
      expect(asked.data).toMatchObject({ reason: 'period closed; post in the first open month', batchDate: firstOpen, originalBatchDate: closedDay });
    } finally {
      e.systems.intacct.state.closedPeriods.delete(closedMonth);
    }
  });

  it('closedPeriodPolicy next-open-period posts on the first open date Intacct names, keeping the original date', async () => {
    await setMapping('options', 'closedPeriodPolicy', 'next-open-period', 'month-end: late reports go to the open month');
    e.systems.intacct.state.closedPeriods.add(closedMonth);
    try {
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [9012], submitDate: `${closedDay}T10:00:00.000Z` });
      await publish(doc, 'CONFIRMED');
      const d = await expectBooksEqualAudit(doc.id);
      expect(d.journalEntry!.batchDate > closedDay).toBe(true);
      expect(d.journalEntry!.batchDate).toMatch(/-01$/);
      expect(d.journalEntry!.batchTitle).toContain(closedDay);
      const types = d.timeline.map((t) => t.type);
      // Intacct's refusal stays on record, then the re-dated request with both dates.
      expect(types).toContain('PostingRejected');
      const redated = d.timeline.find((t) => t.type === 'JournalEntryRedated')!;
      expect(redated.data).toMatchObject({ originalBatchDate: closedDay, batchDate: d.journalEntry!.batchDate, policy: 'next-open-period' });
      // Concur never heard of an error for it.
      expect(JSON.stringify(e.systems.concur.state.confirmations(doc.id))).not.toContain('"error"');
    } finally {
      e.systems.intacct.state.closedPeriods.delete(closedMonth);
      await setMapping('options', 'closedPeriodPolicy', 'reject', 'back to the default');
    }
  });
});
