/**
 * Operator console page loads in headless Chromium over the sandbox service, until the page marks
 * itself ready (its data shown), median of several loads: a full load of each page in the tab
 * (navigation start: HTML, the cached bundle, sign-in check, GraphQL, render), next to the bare
 * GraphQL query that page makes, measured in the same run (fetch from Node); and moving to each page
 * inside the console. Skipped, with one line on stderr, when Chromium is not installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureConsoleBuilt } from '../scripts/console/build.js';
import { loadConfig } from '../src/app/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startConnector } from '../src/app/runtime.js';
import { runSandboxDemo } from '../src/app/sandbox-demo.js';
import { startSandboxSystems } from '../src/app/sandbox-systems.js';
import { demoExpectations } from '../src/app/sandbox/index.js';
import { findChromium, launchChromium } from '../test/console/browser.js';
import type { Emit } from './figure.js';

const DOCUMENTS_QUERY = `query($filter: PostingFilter, $first: Int, $after: String) { postings(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id status docType concurDocumentId reportId reportName employeeId employeeName amount currency intacctRecordNo postingKey batchDate createdAt updatedAt postedAt } } } }`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  if (!findChromium()) {
    process.stderr.write('# bench console skipped: Chromium is not installed (apt-get install -y chromium, or bash .ci/run)\n');
    return;
  }
  await ensureConsoleBuilt({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-console-'));
  const systems = await startSandboxSystems();
  const config = loadConfig({
    ML_SANDBOX: '1',
    ML_DATA_DIR: dir,
    PORT: '0',
    CONCUR_POLL_INTERVAL_S: '0',
    LOG_LEVEL: 'error',
    CONCUR_WEBHOOK_VERIFY: 'none',
    ML_GRAPHQL_RATE_LIMIT: '0',
  });
  const log = createLogger({ level: 'error', json: true, write: () => undefined });
  const running = await startConnector(config, systems.endpoints, log);
  const { browser, close } = await launchChromium();
  try {
    await runSandboxDemo(running, systems, log, new Date());
    const ids = Object.keys(demoExpectations);
    for (
      let i = 0;
      i < 400 &&
      ids.filter((id) => ['CONFIRMED', 'AWAITING_MAPPING', 'REJECTED'].includes(running.service.getPosting(id)?.status ?? '')).length < ids.length - 1;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const posted = ids.find((id) => demoExpectations[id]!.outcome === 'posted')!;
    const today = new Date().toISOString().slice(0, 10);
    // Each page and the GraphQL request it makes on load (the same text as the page sends).
    const pages: Array<{ name: string; route: string; query: string; variables?: Record<string, unknown> }> = [
      {
        name: 'overview',
        route: 'overview',
        query:
          '{ overview { today { status count } month { status count } postedPerHour { hour count } oldestWaiting { id } latestRejections { id lastError { message } } health { name ok checkedAt } intacctUsage { transactions } } }',
      },
      { name: 'documents', route: 'documents', query: DOCUMENTS_QUERY, variables: { filter: {}, first: 50, after: null } },
      {
        name: 'document',
        route: `documents/${posted}`,
        query:
          'query($id: ID!) { posting(id: $id) { id journalEntry { lines { accountNo accountName amount dimensions { target value name } } } attemptLog { requestXml responseXml } timeline { type data } concurConfirmation { status } } }',
        variables: { id: posted },
      },
      { name: 'gaps', route: 'gaps', query: '{ mappingGaps { kind code field documents { id status } } mappings { revision document } }' },
      {
        name: 'mappings',
        route: 'mappings',
        query: '{ mappings { revision json document } mappingHistory { revision type section key value reason actor occurredAt } }',
      },
      { name: 'jobs', route: 'jobs', query: '{ jobs { id } projections { name state lag } syncRuns { id counts } }' },
      {
        name: 'audit',
        route: 'audit',
        query: `{ auditReport(from: "${today.slice(0, 7)}-01", to: "${today}") { entries { total lines { accountNo amount } } totals { debit credit } mappingChanges { revision } csv } }`,
      },
    ];
    const rounds = opts.quick ? 3 : 9;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // Warm the browser's cache of the hashed bundle once, as a returning user has it.
    await page.goto(`${running.url}/#/overview`);
    await page.waitForSelector('body[data-ready]');
    for (const p of pages) {
      const loads: number[] = [];
      const queries: number[] = [];
      for (let i = 0; i < rounds + 1; i++) {
        await page.goto('about:blank');
        await page.goto(`${running.url}/#/${p.route}`);
        await page.waitForSelector(`body[data-ready="${p.name}"]`, { timeout: 10_000 });
        const ms = await page.evaluate<number>(`performance.getEntriesByName('ready:${p.name}')[0]?.startTime ?? -1`);
        const t = performance.now();
        const res = await fetch(`${running.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: p.query, variables: p.variables ?? {} }),
        });
        const body = (await res.json()) as { errors?: unknown[] };
        if (body.errors) throw new Error(`baseline query of ${p.name} failed: ${JSON.stringify(body.errors)}`);
        const q = performance.now() - t;
        if (i > 0) loads.push(ms), queries.push(q);
      }
      emit({
        name: `console full page load: ${p.name}`,
        value: Math.round(median(loads) * 10) / 10,
        unit: 'ms',
        baseline: { name: `bare GraphQL query of the ${p.name} page (Node fetch)`, value: Math.round(median(queries) * 10) / 10, unit: 'ms' },
        goal: '< 300 ms on the sandbox data',
        rounds,
        max: Math.round(Math.max(...loads) * 10) / 10,
      });
    }
    // Moving between pages inside the console (what a user does after the first load): the page's
    // component mounts, queries GraphQL and renders.
    await page.goto(`${running.url}/#/overview`);
    await page.waitForSelector('body[data-ready="overview"]');
    for (const p of pages) {
      const times: number[] = [];
      for (let i = 0; i < rounds + 1; i++) {
        await page.evaluate(`(() => { location.hash = '#/blank-${i}'; })()`);
        await page.waitForFunction(`!document.body.dataset.ready || document.body.dataset.ready !== ${JSON.stringify(p.name)}`);
        await page.evaluate(`(() => { window.__navStart = performance.now(); location.hash = ${JSON.stringify(`#/${p.route}`)}; })()`);
        await page.waitForSelector(`body[data-ready="${p.name}"]`, { timeout: 10_000 });
        const ms = await page.evaluate<number>(`performance.getEntriesByName('ready:${p.name}').at(-1).startTime - window.__navStart`);
        if (i > 0) times.push(ms);
      }
      emit({
        name: `console navigation to: ${p.name}`,
        value: Math.round(median(times) * 10) / 10,
        unit: 'ms',
        goal: '< 300 ms on the sandbox data',
        rounds,
        max: Math.round(Math.max(...times) * 10) / 10,
      });
    }
    await context.close();
  } finally {
    await close();
    await running.stop();
    await systems.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
