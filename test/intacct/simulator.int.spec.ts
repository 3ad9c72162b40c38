import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpTransport } from '../../src/adapters/intacct/http-transport.js';
import { startIntacctSimulator, type IntacctSimulator } from '../../src/adapters/intacct/simulator/index.js';
import { buildRequest } from '../../src/adapters/intacct/xml/envelope.js';
import { parseGatewayResponse } from '../../src/adapters/intacct/xml/response-parser.js';
import { el, fields } from '../../src/adapters/intacct/xml/xml-builder.js';
import { clientFor } from './harness.js';

let sim: IntacctSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

type Line = Record<string, string>;
const glbatch = (lines: Line[], header: Line = {}) =>
  el(
    'create',
    el('GLBATCH', [
      ...fields({ JOURNAL: 'EXPJ', BATCH_DATE: '06/30/2026', BATCH_TITLE: 't', REFERENCENO: 'r', ...header }),
      el(
        'ENTRIES',
        lines.map((l) => el('GLENTRY', fields(l))),
      ),
    ]),
  );
const debit = (account: string, amount: string, extra: Line = {}): Line => ({ ACCOUNTNO: account, TR_TYPE: '1', TRX_AMOUNT: amount, ...extra });
const credit = (account: string, amount: string, extra: Line = {}): Line => ({ ACCOUNTNO: account, TR_TYPE: '-1', TRX_AMOUNT: amount, ...extra });

describe('Intacct simulator rules', () => {
  it('validates GLBATCHes like Intacct (BL01001973 with the specific text in description2)', async () => {
    sim = await startIntacctSimulator();
    const client = clientFor(sim);
    const cases: [ReturnType<typeof glbatch>, RegExp][] = [
      [glbatch([debit('6200', '10.00'), credit('2100', '9.99')]), /not balanced/],
      [glbatch([debit('6200', '10.00')]), /at least two lines/],
      [glbatch([debit('9999', '10.00'), credit('2100', '10.00')]), /Account 9999 is not valid/],
      [glbatch([debit('6500', '10.00'), credit('2100', '10.00')]), /missing the Department dimension for the Account 6500/],
      [glbatch([debit('6200', '10.00', { DEPARTMENT: 'D900' }), credit('2100', '10.00')]), /Department D900 is not valid/],
      [glbatch([debit('6200', '10.00'), credit('2100', '10.00')], { BATCH_DATE: '12/31/2025' }), /closed. Date must be on or after 01\/01\/2026/],
      [glbatch([debit('6200', '10.00'), credit('2100', '10.00')], { BATCH_DATE: '2026-06-30' }), /mm\/dd\/yyyy/],
      [glbatch([debit('6200', '10.00'), credit('2100', '10.00')], { JOURNAL: '' }), /Required field JOURNAL/],
    ];
    const results = await client.execute(
      cases.map(([body], i) => ({ controlId: `v-${i}`, body })),
      { uniqueId: true, mayCreate: true },
    );
    results.forEach((r, i) => {
      expect(r.status).toBe('failure');
      expect(r.errors[0]!.errorNo).toBe('BL01001973');
      expect(r.errors[0]!.description2).toMatch(cases[i]![1]);
    });
    expect(sim.state.glbatches).toHaveLength(0);
    const [ok] = await client.execute([{ controlId: 'ok', body: glbatch([debit('6200', '10.00', { DEPARTMENT: '0021' }), credit('2100', '10.00')]) }], {
      uniqueId: true,
      mayCreate: true,
    });
    expect(ok!.status).toBe('success');
    expect(sim.state.glbatches[0]!.entries[0]!['DEPARTMENT']).toBe('0021');
  });

  it('lets a session really expire after its lifetime and reports it at the authentication level', async () => {
    sim = await startIntacctSimulator({ sessionLifetimeMs: 150 });
    const session = await clientFor(sim).sessions.get();
    const request = (sessionId: string) =>
      buildRequest({
        sender: { senderId: 'ml-sender', senderPassword: 'sender-secret' },
        requestControlId: 'x',
        uniqueId: false,
        transaction: false,
        auth: { sessionId },
        functions: [{ controlId: 'q', body: el('readByQuery', [el('object', 'CLASS'), el('query', '')]) }],
      });
    const fresh = await nodeHttpTransport(session.endpoint, request(session.sessionId), 5000);
    expect(parseGatewayResponse(fresh.status, fresh.body).results[0]!.status).toBe('success');
    await new Promise((r) => setTimeout(r, 250));
    const stale = await nodeHttpTransport(session.endpoint, request(session.sessionId), 5000);
    expect(() => parseGatewayResponse(stale.status, stale.body)).toThrow(/authentication failed/);
  });

  it('refuses bodies that are not XML and declared entities', async () => {
    sim = await startIntacctSimulator();
    const answer = await nodeHttpTransport(sim.url, '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><request/>', 5000);
    expect(answer.status).toBe(400);
    expect(() => parseGatewayResponse(answer.status, answer.body)).toThrow(/XL03000003/);
  });
});
