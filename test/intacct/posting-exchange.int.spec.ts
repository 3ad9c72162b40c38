import { afterEach, describe, expect, it } from 'vitest';
import type { PostingExchange, PostingFailed, PostingRejected, PostingSucceeded } from '../../src/domain/document/events.js';
import { capXml, documentExchange, redactGatewayXml, type RawExchange } from '../../src/adapters/intacct/exchange-record.js';
import { serializeGlBatch } from '../../src/adapters/intacct/glbatch-serializer.js';
import { clientFor, startHarness, within, type Harness } from './harness.js';
import { expenseEntry, requestPosting } from './journal-fixtures.js';

// The credentials clientFor() uses; the simulator's demo company expects exactly these.
const SENDER_PASSWORD = 'sender-secret';
const USER_PASSWORD = 'user-secret';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function outcome<T>(harness: Harness, streamId: string, type: string): Promise<T[]> {
  return (await harness.store.readStream(streamId)).filter((e) => e.type === type).map((e) => e.data as T);
}

/** No secret the gateway ever saw may be anywhere in the stored events. */
async function expectNoSecretsStored(harness: Harness): Promise<void> {
  const log = JSON.stringify(await harness.store.readAll(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  expect(harness.sim.sessionIdsIssued.length).toBeGreaterThan(0);
  for (const secret of [SENDER_PASSWORD, USER_PASSWORD, ...harness.sim.sessionIdsIssued]) expect(log).not.toContain(secret);
}

function expectTimed(x: PostingExchange): void {
  expect(Number.isNaN(Date.parse(x.sentAt))).toBe(false);
  expect(x.durationMs).toBeGreaterThanOrEqual(0);
}

describe('XML exchanged with Intacct, recorded on the outcome events', () => {
  it('records the GLBATCH sent and the RECORDNO answered, and a rejection with its error XML, with no secret stored', async () => {
    h = await startHarness();
    const ok = expenseEntry('X-1', [2430, 570]);
    const okStream = await requestPosting(h.store, ok);
    await within(10_000, h.worker.idle(), 'the posting');
    h.sim.expireSessions(); // the next posting renews the session: two session ids to look for
    const bad = expenseEntry('X-2', [1000]);
    bad.lines[0]!.dimensions.DEPARTMENT = 'D300';
    const badStream = await requestPosting(h.store, bad);
    await within(10_000, h.worker.idle(), 'the rejection');
    expect(h.sim.sessionIdsIssued.length).toBeGreaterThanOrEqual(2);

    const [succeeded] = await outcome<PostingSucceeded>(h, okStream, 'PostingSucceeded');
    const x = succeeded!.exchange!;
    expect(x.request).toContain('<create><GLBATCH>');
    expect(x.request).toContain(`<REFERENCENO>${ok.postingKey}</REFERENCENO>`);
    expect(x.request).toContain(`<function controlid="${ok.postingKey}">`);
    expect(x.request).toContain('<senderid>ml-sender</senderid><password>[REDACTED]</password>');
    expect(x.request).toContain('<sessionid>[REDACTED]</sessionid>');
    expect(x.response).toContain('<control><status>success</status>');
    expect(x.response).toContain(`<controlid>${ok.postingKey}</controlid>`);
    expect(x.response).toContain(`<RECORDNO>${succeeded!.recordNo}</RECORDNO>`);
    expect(x.reason).toBeUndefined();
    expectTimed(x);

    const [rejected] = await outcome<PostingRejected>(h, badStream, 'PostingRejected');
    const r = rejected!.exchange!;
    expect(r.request).toContain(`<REFERENCENO>${bad.postingKey}</REFERENCENO>`);
    expect(r.request).toContain('<DEPARTMENT>D300</DEPARTMENT>');
    expect(r.response).toContain('<status>failure</status>');
    expect(r.response).toContain('<errorno>BL01001973</errorno>');
    expect(r.response).toContain('Department D300 is restricted by GL account 6500.');
    expect(r.request).not.toContain(ok.postingKey);
    await expectNoSecretsStored(h);
  });

  it.each([
    ['timeout524', /HTTP 524/],
    ['drop', /connection|socket|hang up/i],
  ] as const)('after a %s records the unanswered create (response null, with the reason) and the readByQuery that found it', async (fault, reason) => {
    h = await startHarness();
    await h.client.sessions.get(); // the fault must hit the posting request, not the login
    h.sim.faults.next(fault);
    const entry = expenseEntry(`X-${fault}`, [9999]);
    const stream = await requestPosting(h.store, entry);
    await within(10_000, h.worker.idle(), 'the posting');
    const [succeeded] = await outcome<PostingSucceeded>(h, stream, 'PostingSucceeded');
    expect(succeeded!.outcome).toBe('found-existing');
    const readBack = succeeded!.exchange!;
    expect(readBack.request).toContain('<readByQuery><object>GLBATCH</object>');
    expect(readBack.request).toContain(`<query>REFERENCENO = &apos;${entry.postingKey}&apos;</query>`);
    expect(readBack.response).toContain(`<RECORDNO>${succeeded!.recordNo}</RECORDNO>`);
    const unanswered = succeeded!.earlierExchange!;
    expect(unanswered.request).toContain(`<REFERENCENO>${entry.postingKey}</REFERENCENO>`);
    expect(unanswered.response).toBeNull();
    expect(unanswered.reason).toMatch(reason);
    expectTimed(unanswered);
    await expectNoSecretsStored(h);
  });

  it('a 5xx is recorded on PostingFailed with the body received', async () => {
    h = await startHarness({}, { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } }, { retry: { maxAttempts: 1 } });
    await h.client.sessions.get();
    h.sim.faults.next('http5xx');
    const entry = expenseEntry('X-5XX', [4242]);
    const stream = await requestPosting(h.store, entry);
    for (let i = 0; i < 200 && (await outcome(h, stream, 'PostingFailed')).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const [failed] = await outcome<PostingFailed>(h, stream, 'PostingFailed');
    expect(failed!.exchange!.request).toContain(`<REFERENCENO>${entry.postingKey}</REFERENCENO>`);
    expect(failed!.exchange!.response).toContain('Service Temporarily Unavailable');
    await expectNoSecretsStored(h);
  });

  it("keeps only each document's function and result when several share one request", async () => {
    h = await startHarness();
    const entries = ['M-1', 'M-2', 'M-3'].map((id) => expenseEntry(id, [100]));
    entries[1]!.lines[0]!.dimensions.DEPARTMENT = 'D300'; // one fails alone (transaction="false")
    let raw: RawExchange | undefined;
    const client = clientFor(h.sim);
    await client.execute(
      entries.map((e) => ({ controlId: e.postingKey, body: serializeGlBatch(e) })),
      { uniqueId: true, mayCreate: true, onExchange: (x) => (raw = x) },
    );
    expect(raw!.request).toContain('<password>[REDACTED]</password>');
    for (const [i, e] of entries.entries()) {
      const x = documentExchange(raw!, e.postingKey);
      expect(x.request).toContain(`<REFERENCENO>${e.postingKey}</REFERENCENO>`);
      expect(x.request).toContain('<!-- 2 functions of other documents in this request left out -->');
      expect(x.response).toContain(`<controlid>${e.postingKey}</controlid>`);
      expect(x.response).toContain('<!-- 2 results of other documents in this request left out -->');
      for (const other of entries.filter((o) => o !== e)) {
        expect(x.request).not.toContain(other.postingKey);
        expect(x.response).not.toContain(other.postingKey);
      }
      expect(x.response).toContain(i === 1 ? '<errorno>BL01001973</errorno>' : '<RECORDNO>');
    }
  });
});

describe('exchange redaction and size cap', () => {
  it('blanks password and sessionid elements and any known secret elsewhere, escaped or not, keeps the userid', () => {
    const xml =
      '<control><password>p&amp;ss-word</password></control><authentication><userid>ml-api</userid><sessionid>abc-session-1</sessionid></authentication><description2>session abc-session-1 expired; p&amp;ss-word</description2>';
    const out = redactGatewayXml(xml, ['p&ss-word', 'abc-session-1']);
    expect(out).toBe(
      '<control><password>[REDACTED]</password></control><authentication><userid>ml-api</userid><sessionid>[REDACTED]</sessionid></authentication><description2>session [REDACTED] expired; [REDACTED]</description2>',
    );
  });

  it('cuts at the byte cap, never inside a character, and says so', () => {
    expect(capXml('<a>short</a>', 64)).toBe('<a>short</a>');
    const big = `<a>${'é'.repeat(100)}</a>`; // 2 bytes each
    const cut = capXml(big, 51);
    expect(cut.startsWith(`<a>${'é'.repeat(24)}`)).toBe(true);
    expect(cut).not.toContain('\uFFFD');
    expect(cut).toMatch(/<!-- truncated by ml-connector: 51 of 207 bytes kept -->$/);
  });
});
