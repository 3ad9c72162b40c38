import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxDemo } from '../../src/app/sandbox-demo.js';
import { DEMO_UNMAPPED_ACCOUNT_CODE, DEMO_UNMAPPED_ACCOUNT_FIX, demoExpectations, demoTargetExpectations } from '../../src/app/sandbox/index.js';
import { parseCsv } from '../../src/csv/csv.js';
import { startE2e, TOKENS, type E2e } from '../e2e/harness.js';
import { findChromium, launchChromium, MISSING_CHROMIUM } from './browser.js';

/**
 * The operator console in a real browser (Debian's Chromium, headless, through playwright-core)
 * against the running service with the sandbox demo: what a finance user does, checked against
 * GraphQL and the simulated Intacct. Every request the pages make is recorded: all must go to the
 * service. Screenshots of each page go to test-output/screenshots/.
 */
const SKIP = process.env['ML_SKIP_BROWSER_TESTS'] === '1';
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

const quietLog = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return this;
  },
};

interface Recorder {
  urls: string[];
}

async function openPage(
  browser: Browser,
  recorder: Recorder,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-US', timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('request', (r) => recorder.urls.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page, errors };
}

async function go(page: Page, base: string, route: string, ready: string): Promise<void> {
  await page.goto(`${base}/#/${route}`);
  await page.waitForSelector(`body[data-ready="${ready}"]`, { timeout: 15_000 });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

function expectOnlyService(recorder: Recorder, base: string): void {
  const origin = new URL(base).origin;
  const foreign = recorder.urls.filter((u) => new URL(u).origin !== origin);
  expect(recorder.urls.length).toBeGreaterThan(0);
  expect(foreign, `requests to another host than ${origin}`).toEqual([]);
}

describe.skipIf(SKIP)('operator console in Chromium (sandbox service)', () => {
  let e: E2e;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const recorder: Recorder = { urls: [] };
  const ids = Object.keys(demoExpectations);
  const idOf = (outcome: string) => ids.find((i) => demoExpectations[i]!.outcome === outcome)!;

  const status = async (id: string): Promise<string> =>
    (await e.graphql<{ posting: { status: string } }>('query($id: ID!) { posting(id: $id) { status } }', { id })).data!.posting.status;

  beforeAll(async () => {
    if (!findChromium()) throw new Error(MISSING_CHROMIUM);
    mkdirSync(SCREENSHOTS, { recursive: true });
    e = await startE2e();
    await runSandboxDemo(e.running, e.systems, quietLog, new Date());
    await e.settle(async () => {
      for (const id of ids) {
        const want = { posted: 'CONFIRMED', 'awaiting-mapping': 'AWAITING_MAPPING', 'rejected-closed-period': 'REJECTED' }[demoExpectations[id]!.outcome];
        // The held-back invoice is not published at start: it has no posting.
        const current = e.running.service.getPosting(id)?.status;
        if (current !== undefined && want && current !== want) return false;
      }
      return true;
    }, 'the demo documents to settle');
    ({ browser, close: closeBrowser } = await launchChromium());
  }, 120_000);

  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  it('signs in by itself, says SANDBOX on every page, and shows each page (screenshots)', async () => {
    const { context, page, errors } = await openPage(browser, recorder);
    const pages: Array<[string, string]> = [
      ['overview', 'overview'],
      ['documents', 'documents'],
      ['gaps', 'gaps'],
      ['mappings', 'mappings'],
      ['jobs', 'jobs'],
      ['audit', 'audit'],
    ];
    for (const [route, ready] of pages) {
      await go(page, e.running.url, route, ready);
      await expect.poll(() => page.locator('header .sandbox').textContent()).toBe('SANDBOX');
      expect(await page.locator('nav a[aria-current="page"]').count()).toBe(1);
      await shot(page, route);
    }
    // The overview: health of each connection with how old the check is, and the Intacct usage.
    await go(page, e.running.url, 'overview', 'overview');
    for (const name of ['event-store', 'projections', 'concur', 'intacct']) {
      await expect.poll(() => page.locator(`tr[data-health="${name}"]`).textContent()).toMatch(/OK.*ago/);
    }
    expect(Number(await page.getByTestId('intacct-transactions').textContent())).toBeGreaterThan(0);
    // A document page, and a narrow window.
    await go(page, e.running.url, `documents/${idOf('posted')}`, 'document');
    await shot(page, 'document');
    await page.setViewportSize({ width: 390, height: 844 });
    await go(page, e.running.url, 'documents', 'documents');
    await shot(page, 'documents-narrow');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the documents with status, report, employee name and amounts in their currency', async () => {
    const { context, page } = await openPage(browser, recorder);
    await go(page, e.running.url, 'documents', 'documents');
    const total = (await e.graphql<{ postings: { totalCount: number } }>('{ postings { totalCount } }')).data!.postings.totalCount;
    expect(await page.locator('tr[data-document]').count()).toBe(total);
    const berlin = page.locator('tr', { hasText: 'Berlin trade fair' });
    await expect.poll(() => berlin.textContent()).toContain('Smith, Chris');
    expect(await berlin.locator('td.num').textContent()).toBe('€357.00');
    // Filters go into the URL hash and query GraphQL.
    await page.getByLabel('REJECTED').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=REJECTED/);
    await expect.poll(() => page.locator('tr[data-document]').count()).toBe(1);
    await page.getByLabel('Search').fill('Munich');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^1 document matches/);
    await context.close();
  });

  it("shows a document's journal entry with account names, and its debits equal its credits on screen", async () => {
    const { context, page } = await openPage(browser, recorder);
    const id = ids.find((i) => demoExpectations[i]!.case === 'b')!;
    await go(page, e.running.url, `documents/${id}`, 'document');
    const entry = page.getByTestId('journal-entry');
    const amounts = async (cls: string) =>
      await entry.locator(`tbody td.${cls} [data-amount]`).evaluateAll((els) => els.map((el) => el.getAttribute('data-amount')!));
    const cents = (list: string[]) => list.reduce((s, a) => s + BigInt(a.replace('.', '')), 0n);
    const debits = await amounts('debit');
    const credits = await amounts('credit');
    expect(debits.length).toBeGreaterThan(0);
    expect(cents(debits)).toBe(cents(credits));
    expect(await entry.getByTestId('total-debit').textContent()).toBe(await entry.getByTestId('total-credit').textContent());
    expect(await entry.getByTestId('total-debit').textContent()).toBe('€357.00');
    expect(await entry.textContent()).toContain('balanced');
    expect(await entry.textContent()).toContain('Lodging');
    expect(await entry.textContent()).toMatch(/DEPARTMENT D200 \(Engineering\)/);
    // One GLBATCH: the records table names it once, and its lines are the journal entry above (not repeated per record).
    const records = page.getByTestId('intacct-records').locator('tbody tr');
    expect(await records.count()).toBe(1);
    expect(await records.first().getAttribute('data-target')).toBe('GLBATCH');
    expect(await records.first().getByTestId('record-recordno').textContent()).toBe(await page.getByTestId('recordno').textContent());
    expect(await page.getByTestId('record-entry').count()).toBe(0);
    // The Intacct exchange is shown, redacted.
    await page.getByText('Request sent (credentials redacted)').first().click();
    const request = await page.locator('pre.code').first().textContent();
    expect(request).toContain('<create>');
    expect(request).not.toContain(e.systems.endpoints.intacct.userPassword);
    await context.close();
  });

  it('a viewer token sees the pages but no action button', async () => {
    const { context, page } = await openPage(browser, recorder);
    await go(page, e.running.url, 'overview', 'overview');
    await page.getByRole('button', { name: 'Use a token' }).click();
    await page.getByLabel('API token').fill(TOKENS.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.who').textContent()).toContain('viewer');
    expect(page.url()).not.toContain(TOKENS.viewer);
    expect(await page.evaluate<string[]>('Object.values(sessionStorage)')).toContain(TOKENS.viewer);
    await go(page, e.running.url, `documents/${idOf('rejected-closed-period')}`, 'document');
    expect(await page.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    await go(page, e.running.url, 'gaps', 'gaps');
    expect(await page.getByRole('button', { name: 'Save mapping' }).count()).toBe(0);
    await go(page, e.running.url, 'mappings', 'mappings');
    expect(await page.getByRole('button', { name: /Preview changes|Confirm import/ }).count()).toBe(0);
    await go(page, e.running.url, 'jobs', 'jobs');
    expect(await page.getByRole('button', { name: /backfill|Replay|Sync now/i }).count()).toBe(0);
    await shot(page, 'viewer-document-list');
    await context.close();
  });

  it('fixes the sandbox mapping gap through the form, and the waiting document posts', async () => {
    const { context, page } = await openPage(browser, recorder);
    const waiting = idOf('awaiting-mapping');
    await go(page, e.running.url, 'gaps', 'gaps');
    const gap = page.locator(`[data-gap="accounts:${DEMO_UNMAPPED_ACCOUNT_CODE}"]`);
    const field = gap.getByLabel('Intacct GL account', { exact: true });
    await field.fill('9999'); // inactive in the sandbox company: not offered, not accepted
    await expect.poll(() => gap.locator('.hint-bad').textContent()).toContain('is not an active');
    await field.fill(DEMO_UNMAPPED_ACCOUNT_FIX);
    await expect.poll(() => gap.locator('form .hint').first().textContent()).toContain('Training and conferences');
    await gap.getByLabel(/Reason/).fill('Conference fees are training costs');
    await gap.getByRole('button', { name: 'Save mapping' }).click();
    const progress = page.getByTestId('fix-progress');
    await expect.poll(() => progress.textContent(), { timeout: 30_000 }).toMatch(/CONFIRMED|POSTED/);
    await shot(page, 'gap-fixed');
    await e.settle(async () => (await status(waiting)) === 'CONFIRMED', 'the fixed document to post');
    const history = await e.graphql<{ mappingHistory: Array<{ key: string | null; actor: string; reason: string }> }>(
      '{ mappingHistory { key actor reason } }',
    );
    expect(history.data!.mappingHistory[0]).toMatchObject({
      key: DEMO_UNMAPPED_ACCOUNT_CODE,
      actor: 'user:sandbox',
      reason: 'Conference fees are training costs',
    });
    await context.close();
  });

  it('retries the closed-period document with a batch date and a reason', async () => {
    const { context, page } = await openPage(browser, recorder);
    const id = idOf('rejected-closed-period');
    const before = await e.graphql<{ posting: { lastError: { firstOpenDate: string } } }>(
      'query($id: ID!) { posting(id: $id) { lastError { firstOpenDate } } }',
      { id },
    );
    const firstOpen = before.data!.posting.lastError.firstOpenDate;
    await go(page, e.running.url, `documents/${id}`, 'document');
    expect(await page.getByLabel('Batch date', { exact: true }).inputValue()).toBe(firstOpen);
    await page.getByLabel(/^Reason/).fill('Last month is closed; post in the open period');
    await page.getByRole('button', { name: 'Retry with this batch date' }).click();
    await expect
      .poll(async () => ((await page.locator('.notice').count()) ? page.locator('.notice').textContent() : page.locator('main').textContent()), {
        timeout: 30_000,
      })
      .toMatch(/now (CONFIRMED|POSTED)/);
    await page.waitForSelector('body[data-ready="document"]');
    await expect.poll(() => page.getByTestId('recordno').textContent()).toMatch(/^\d+$/);
    const after = await e.graphql<{ posting: { status: string; batchDate: string; timeline: Array<{ type: string; actor: string }> } }>(
      'query($id: ID!) { posting(id: $id) { status batchDate timeline { type actor } } }',
      { id },
    );
    expect(after.data!.posting.batchDate).toBe(firstOpen);
    expect(after.data!.posting.timeline.find((t) => t.type === 'PostingRetryRequested')?.actor).toBe('user:sandbox');
    await shot(page, 'document-retried');
    await context.close();
  });

  it('an admin changes the target of out-of-pocket lines on the Targets card, with a reason, and the mapping set has it (screenshot)', async () => {
    type Doc = { targets?: { expense?: { outOfPocket?: string } } };
    const current = async (): Promise<string> => {
      const r = await e.graphql<{ mappings: { document: Doc } }>('{ mappings { document } }');
      return r.data!.mappings.document.targets?.expense?.outOfPocket ?? 'GLBATCH';
    };
    // The sandbox demo's second part chose EEXPENSES: go to GLBATCH and back, both through the card.
    expect(await current()).toBe('EEXPENSES');
    const { context, page, errors } = await openPage(browser, recorder);
    await go(page, e.running.url, 'mappings', 'mappings');
    const card = page.locator('section[aria-labelledby="h-targets"]');
    const select = card.getByLabel('Target for expense.outOfPocket');
    const save = card.getByRole('button', { name: 'Save targets' });
    expect(await select.inputValue()).toBe('EEXPENSES');
    expect(await select.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value')))).toEqual(['GLBATCH', 'EEXPENSES', 'APBILL']);
    expect(await save.isDisabled()).toBe(true);
    for (const [value, reason] of [
      ['GLBATCH', 'Out-of-pocket lines as journals for the console test'],
      ['EEXPENSES', 'Out-of-pocket lines reimbursed through Intacct again'],
    ] as const) {
      const before = Number(await page.getByTestId('mapping-revision').textContent());
      await select.selectOption(value);
      expect(await save.isDisabled()).toBe(true); // a reason is required
      await card.getByLabel(/^Reason/).fill(reason);
      await save.click();
      await expect.poll(() => card.locator('.notice').textContent(), { timeout: 15_000 }).toMatch(/Targets saved: mapping revision \d+/);
      await expect.poll(() => page.getByTestId('mapping-revision').textContent()).toBe(String(before + 1));
      expect(await select.inputValue()).toBe(value);
      expect(await current()).toBe(value);
      const history = await e.graphql<{ mappingHistory: Array<{ section: string | null; key: string | null; reason: string; actor: string }> }>(
        '{ mappingHistory { section key reason actor } }',
      );
      expect(history.data!.mappingHistory[0]).toMatchObject({ section: 'targets', key: 'expense.outOfPocket', reason, actor: 'user:sandbox' });
      if (value === 'GLBATCH') await shot(page, 'mappings-targets');
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the demo document m as its two Intacct records, an EEXPENSES and a CCTRANSACTION, with their RECORDNOs and lines (screenshot)', async () => {
    const id = Object.keys(demoTargetExpectations).find((i) => demoTargetExpectations[i]!.case === 'm')!;
    await e.settle(async () => (await status(id)) === 'CONFIRMED', 'the target demo document m to post');
    type Rec = { target: string; postingKey: string; state: string; recordNo: string | null };
    const r = await e.graphql<{ posting: { records: Rec[] } }>('query($id: ID!) { posting(id: $id) { records { target postingKey state recordNo } } }', { id });
    const records = r.data!.posting.records;
    expect(records.map((x) => x.target)).toEqual(['EEXPENSES', 'CCTRANSACTION']);
    const { context, page, errors } = await openPage(browser, recorder);
    await go(page, e.running.url, `documents/${id}`, 'document');
    await expect.poll(() => page.locator('h1').textContent()).toContain('Team offsite Seattle');
    const rows = page.getByTestId('intacct-records').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    for (const [i, rec] of records.entries()) {
      const row = rows.nth(i);
      expect(rec.recordNo).toMatch(/^\d+$/);
      expect(e.systems.intacct.state.records.filter((x) => x.controlId === rec.postingKey).map((x) => x.recordNo)).toEqual([rec.recordNo]);
      expect(await row.getAttribute('data-record')).toBe(rec.postingKey);
      expect(await row.getByTestId('record-recordno').textContent()).toBe(rec.recordNo);
      expect(await row.textContent()).toContain(rec.postingKey);
      expect(await row.textContent()).toContain('POSTED');
    }
    // The document's facts name every record's RECORDNO, not just the first.
    expect(await page.getByTestId('recordno').textContent()).toBe(records.map((x) => x.recordNo).join(', '));
    expect(await rows.nth(0).textContent()).toContain('Employee expense report (EEXPENSES)');
    expect(await rows.nth(1).textContent()).toContain('Card transaction (CCTRANSACTION)');
    // The lines per record, not as one journal entry; the payable of each is Intacct's.
    expect(await page.getByTestId('journal-entry').count()).toBe(0);
    const details = page.getByTestId('record-entry');
    expect(await details.count()).toBe(2);
    const expense = details.nth(0);
    const card = details.nth(1);
    expect(await expense.locator('h2').textContent()).toContain(`RECORDNO ${records[0]!.recordNo}`);
    expect(await card.locator('h2').textContent()).toContain(`RECORDNO ${records[1]!.recordNo}`);
    expect(await expense.textContent()).toContain('expense type Meals');
    expect(await expense.textContent()).toContain('payable booked by Intacct');
    expect(await card.textContent()).toContain('AMEX-CORP');
    expect(await card.textContent()).toContain('payable booked by Intacct');
    for (const section of [expense, card]) {
      expect(await section.getByTestId('total-debit').textContent()).toBe(await section.getByTestId('total-credit').textContent());
      expect(await section.textContent()).toContain('balanced');
    }
    const totals = await details.evaluateAll((els) =>
      els.map((el) => el.querySelector('[data-testid="total-debit"] [data-amount]')!.getAttribute('data-amount')!),
    );
    const cents = (a: string): bigint => {
      const [whole, fraction = ''] = a.split('.');
      return BigInt(`${whole}${fraction.padEnd(2, '0')}`);
    };
    expect(totals.reduce((sum, a) => sum + cents(a), 0n)).toBe(cents(demoTargetExpectations[id]!.total));
    await shot(page, 'document-targets');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('exports the filtered list as CSV whose rows are the GraphQL postings', async () => {
    const { context, page } = await openPage(browser, recorder);
    await go(page, e.running.url, 'documents', 'documents');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^documents-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parseCsv(readFileSync((await download.path())!, 'utf8'));
    const [header, ...records] = rows;
    expect(header!.slice(0, 2)).toEqual(['Concur document ID', 'Status']);
    const gql = await e.graphql<{ postings: { edges: Array<{ node: Record<string, string | null> }> } }>(
      '{ postings(first: 100) { edges { node { concurDocumentId status docType reportName amount currency intacctRecordNo } } } }',
    );
    const expected = gql.data!.postings.edges.map(({ node: n }) => [
      n['concurDocumentId'],
      n['status'],
      n['docType'],
      n['reportName'] ?? '',
      n['amount'] ?? '',
      n['currency'] ?? '',
      n['intacctRecordNo'] ?? '',
    ]);
    const col = (name: string) => header!.indexOf(name);
    const got = records.map((r) => [
      r[col('Concur document ID')],
      r[col('Status')],
      r[col('Type')],
      r[col('Report name')],
      r[col('Amount')],
      r[col('Currency')],
      r[col('Intacct RECORDNO')],
    ]);
    expect(got).toEqual(expected);
    await context.close();
  });

  it('sends no request to any host but the service', () => {
    expectOnlyService(recorder, e.running.url);
  });
});

describe.skipIf(SKIP)('operator console in Chromium (service with API tokens)', () => {
  let e: E2e;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const recorder: Recorder = { urls: [] };

  beforeAll(async () => {
    if (!findChromium()) throw new Error(MISSING_CHROMIUM);
    e = await startE2e({ auth: true });
    ({ browser, close: closeBrowser } = await launchChromium());
  }, 120_000);

  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  it('asks for a token, refuses a wrong one, keeps the right one in the tab only, and signs out', async () => {
    const { context, page, errors } = await openPage(browser, recorder);
    await go(page, e.running.url, 'overview', 'sign-in');
    await shot(page, 'sign-in');
    await page.getByLabel('API token').fill('not-a-token-of-this-service');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('does not know this token');
    await page.getByLabel('API token').fill(TOKENS.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('body[data-ready="overview"]');
    expect(await page.locator('.who').textContent()).toContain('ops (operator)');
    expect(await page.locator('header .sandbox').count()).toBe(0);
    expect(page.url()).not.toContain(TOKENS.operator);
    // A reload keeps the session (sessionStorage); a new tab of another context does not have it.
    await page.reload();
    await page.waitForSelector('body[data-ready="overview"]');
    const other = await openPage(browser, recorder);
    await go(other.page, e.running.url, 'overview', 'sign-in');
    await other.context.close();
    // An operator may act on documents but not change mappings.
    await go(page, e.running.url, 'jobs', 'jobs');
    expect(await page.getByRole('button', { name: 'Preview backfill' }).count()).toBe(1);
    await go(page, e.running.url, 'mappings', 'mappings');
    expect(await page.getByRole('button', { name: /Preview changes/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('body[data-ready="sign-in"]');
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(errors.filter((m) => !/401|Unauthorized/i.test(m))).toEqual([]);
    expectOnlyService(recorder, e.running.url);
    await context.close();
  });
});
