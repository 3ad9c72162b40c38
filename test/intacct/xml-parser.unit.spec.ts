import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyIntacctErrors } from '../../src/adapters/intacct/classify.js';
import { IntacctAuthenticationError, IntacctControlError, IntacctUnreadableResponseError } from '../../src/adapters/intacct/errors.js';
import { buildRequest } from '../../src/adapters/intacct/xml/envelope.js';
import { parseGatewayResponse, parseXmlDocument } from '../../src/adapters/intacct/xml/response-parser.js';
import { el } from '../../src/adapters/intacct/xml/xml-builder.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('Intacct response parser', () => {
  it('reads a GLBATCH create result keeping ids as strings and the sessiontimeout', () => {
    const r = parseGatewayResponse(200, fixture('glbatch-create-success.xml'));
    expect(r.authentication?.sessionTimeout).toBe('2026-06-30T12:15:00+00:00');
    expect(r.results).toHaveLength(1);
    expect(r.results[0]).toMatchObject({ status: 'success', function: 'create', controlId: 'ML-EXP-0021-1' });
    expect(r.results[0]!.data!.rows).toEqual([{ object: 'glbatch', fields: { RECORDNO: '0042' } }]);
  });

  it('reads result-level errors and aborted results of a transaction', () => {
    const r = parseGatewayResponse(200, fixture('result-errors-and-aborted.xml'));
    expect(r.results.map((x) => x.status)).toEqual(['failure', 'aborted']);
    expect(r.results[0]!.errors[0]).toEqual({
      errorNo: 'BL01001973',
      description: '',
      description2: 'Department D100 is restricted by GL account 6500.',
      correction: 'Use a department allowed for this account.',
    });
    const classified = classifyIntacctErrors(r.results[0]!.errors, { level: 'result' });
    expect(classified.category).toBe('validation');
    expect(classified.message).toContain('Department D100 is restricted for account 6500');
  });

  it('throws a typed error for a control-level failure (nothing ran)', () => {
    const e = thrown(() => parseGatewayResponse(200, fixture('control-failure.xml')));
    expect(e).toBeInstanceOf(IntacctControlError);
    expect((e as IntacctControlError).errors[0]!.errorNo).toBe('XL03000006');
  });

  it('throws a typed error for an authentication-level failure', () => {
    const e = thrown(() => parseGatewayResponse(200, fixture('authentication-failure.xml')));
    expect(e).toBeInstanceOf(IntacctAuthenticationError);
    expect((e as IntacctAuthenticationError).errors[0]!.description).toContain('session has expired');
  });

  it('keeps a single row as a list, decodes the predefined entities and keeps 6000.10 a string', () => {
    const r = parseGatewayResponse(200, fixture('readbyquery-single-row.xml'));
    const data = r.results[0]!.data!;
    expect(data).toMatchObject({ count: '1', totalCount: '3', numRemaining: '2', resultId: '7765623330WU1hh8CoA4QAAHxI9i8AAAAA5' });
    expect(data.rows).toHaveLength(1);
    expect(data.rows[0]!.fields).toEqual({ ACCOUNTNO: '6000.10', TITLE: 'Travel & meals <EU> été', STATUS: 'active' });
  });

  it('recognises CDN HTML pages, empty bodies and broken XML', () => {
    const html = thrown(() => parseGatewayResponse(524, fixture('cdn-524.html')));
    expect(html).toBeInstanceOf(IntacctUnreadableResponseError);
    expect((html as IntacctUnreadableResponseError).kind).toBe('html');
    expect((html as IntacctUnreadableResponseError).message).toContain('524: A timeout occurred');
    expect((thrown(() => parseGatewayResponse(502, '  ')) as IntacctUnreadableResponseError).kind).toBe('empty');
    expect((thrown(() => parseGatewayResponse(200, '<response><control>')) as IntacctUnreadableResponseError).kind).toBe('malformed');
  });

  it('never resolves declared entities (XXE, billion laughs)', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><response><control><status>success</status></control><v>&x;</v></response>';
    expect(thrown(() => parseGatewayResponse(200, xxe))).toBeInstanceOf(IntacctUnreadableResponseError);
    // An undeclared entity reference stays literal text instead of being looked up.
    expect(parseXmlDocument('<a><b>&nbsp;&amp;</b></a>')).toEqual({ a: { b: '&nbsp;&' } });
  });

  it('builds requests that escape every value', () => {
    const xml = buildRequest({
      sender: { senderId: 's<1>', senderPassword: 'p&"\'' },
      requestControlId: 'r',
      uniqueId: true,
      transaction: false,
      auth: { sessionId: 'abc' },
      functions: [{ controlId: 'k"1', body: el('create', el('GLBATCH', el('BATCH_TITLE', 'Trip <Paris> & "Lyon"\u0001'))) }],
    });
    expect(xml).toContain('<senderid>s&lt;1&gt;</senderid>');
    expect(xml).toContain('<password>p&amp;&quot;&apos;</password>');
    expect(xml).toContain('<function controlid="k&quot;1">');
    expect(xml).toContain('<BATCH_TITLE>Trip &lt;Paris&gt; &amp; &quot;Lyon&quot;</BATCH_TITLE>');
    expect(xml).toContain('<operation transaction="false">');
    const back = parseXmlDocument(xml) as { request: { operation: { content: { function: { create: { GLBATCH: { BATCH_TITLE: string } } } } } } };
    expect(back.request.operation.content.function.create.GLBATCH.BATCH_TITLE).toBe('Trip <Paris> & "Lyon"');
  });
});
