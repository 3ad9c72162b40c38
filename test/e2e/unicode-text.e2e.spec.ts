import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';
import { TITLE_MAX } from '../../src/domain/posting/text.js';
import { startE2e, type E2e } from './harness.js';

/**
 * A Concur document whose report name and vendor carry emoji sequences, combining marks, CJK and a
 * lone surrogate (a JSON `\ud83d` escape without its pair) goes through the running service: the
 * GLBATCH Intacct receives and every GraphQL answer about it are well-formed UTF-16, cut within the
 * limits between grapheme clusters.
 */
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_ESCAPE = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;
const length = (text: string): number => [...text].length;

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

describe('texts with emoji, combining marks and broken surrogates through the service', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e();
    seedSandboxIntacctCompany(e.systems.intacct.state, new Date());
    const imported = await e.graphql(`mutation($json: String!) { importMappings(json: $json, reason: "demo set") { revision } }`, { json: demoMappingsJson() });
    expect(imported.errors).toBeUndefined();
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('GraphQL and the GLBATCH carry no lone surrogate; the title stays within its limit', async () => {
    const reportName = `Réunion \ud83d à Tōkyō 東京 ${'👨‍👩‍👧‍👦'.repeat(6)} ${'e\u0301'.repeat(30)} 🇯🇵🇯🇵`;
    const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [4200], reportName });
    const entry = (doc.document['expenseEntry'] as Array<Record<string, unknown>>)[0]!;
    entry['entryVendorDescription'] = `株式会社 \ude00 ${'👍🏿'.repeat(30)} ${'🏳️‍🌈'.repeat(10)}`;
    await e.systems.concur.publishDocument(doc);

    const query = `query($id: ID!) { posting(id: $id) { status reportName journalEntry { batchTitle lines { memo } } timeline { type data } } }`;
    let raw = '';
    await e.settle(async () => {
      const res = await fetch(`${e.running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { id: doc.id } }),
      });
      raw = await res.text();
      const status = (JSON.parse(raw) as { data?: { posting?: { status: string } | null } }).data?.posting?.status;
      return status === 'POSTED' || status === 'CONFIRMED';
    }, 'the document to post');

    // No escaped lone surrogate in the HTTP body, and none in any string of the answer.
    expect(raw).not.toMatch(LONE_ESCAPE);
    const body = JSON.parse(raw) as { data: { posting: { reportName: string; journalEntry: { batchTitle: string; lines: Array<{ memo: string }> } } } };
    for (const s of strings(body.data)) expect(LONE.test(s), JSON.stringify(s)).toBe(false);
    const p = body.data.posting;
    expect(p.reportName).toContain('\ufffd');
    expect(length(p.journalEntry.batchTitle)).toBeLessThanOrEqual(TITLE_MAX);
    expect(p.journalEntry.batchTitle.endsWith(`… (${(doc.document['report'] as { reportId: string }).reportId})`)).toBe(true);
    for (const line of p.journalEntry.lines) expect(length(line.memo)).toBeLessThanOrEqual(100);

    // What Intacct received: the GLBATCH as the simulator stored it.
    const batches = e.systems.intacct.state.glbatches.filter((b) => String(b.header['BATCH_TITLE'] ?? '').includes('Réunion'));
    expect(batches).toHaveLength(1);
    for (const s of strings(batches[0])) expect(LONE.test(s), JSON.stringify(s)).toBe(false);
    expect(batches[0]!.header['BATCH_TITLE']).toBe(p.journalEntry.batchTitle);
  });
});
