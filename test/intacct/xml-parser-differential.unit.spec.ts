/**
 * The one-pass response parser against the fast-xml-parser one it replaced (kept in
 * test/intacct/support/legacy-response-parser.ts): the same records, results and typed errors for
 * fixtures, generated responses and mutated (mostly malformed) ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IntacctGatewayError, IntacctUnreadableResponseError } from '../../src/adapters/intacct/errors.js';
import { parseGatewayResponse, parseXmlDocument } from '../../src/adapters/intacct/xml/response-parser.js';
import * as legacy from './support/legacy-response-parser.js';

type Outcome = { ok: unknown } | { error: Record<string, unknown> };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: fn() };
  } catch (error) {
    if (!(error instanceof IntacctGatewayError)) return { error: { untyped: error instanceof Error ? error.constructor.name : typeof error } };
    const e = error as IntacctGatewayError & { kind?: string };
    // The wording for broken XML is not part of the contract (it came from the validator), a refused declaration is.
    const keepMessage = e.kind !== 'malformed' || e.message.includes('DOCTYPE');
    return {
      error: {
        type: e.constructor.name,
        kind: e.kind,
        level: e.level,
        httpStatus: e.httpStatus,
        errors: e.errors,
        retriable: e.retriable,
        mayHaveRun: e.mayHaveRun,
        ...(keepMessage ? { message: e.message } : {}),
      },
    };
  }
}

const MALFORMED = { type: 'IntacctUnreadableResponseError', kind: 'malformed' };

/**
 * Same outcome; where the old parser threw an untyped error (an unclosed comment after the root, a
 * reserved tag name, too deep nesting, an out-of-range character reference) the new one must refuse
 * the body as malformed XML instead.
 */
function expectSame(body: string, status = 200): void {
  for (const [now, before] of [
    [outcome(() => parseGatewayResponse(status, body)), outcome(() => legacy.parseGatewayResponse(status, body))],
    [outcome(() => parseXmlDocument(body, status)), outcome(() => legacy.parseXmlDocument(body, status))],
  ] as const) {
    if ('error' in before && 'untyped' in before.error) expect(now, body).toMatchObject({ error: MALFORMED });
    else expect(now, body).toStrictEqual(before);
  }
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = [
  '6000.10',
  'Travel &amp; meals &lt;EU&gt; &#233;t&#xE9;',
  'Zürich – Café “Œuvre” 東京 🚕',
  '  spaced  out  ',
  '&nbsp;&amp;&quot;&apos;&#x1F695;&#0;',
  '&#;&#x;&abcdefghijklmnopqrst;',
  'a > b ]]> c',
  '',
  '0042',
  'line one\r\nline two\rthree',
];

function generate(r: () => number): { body: string; status: number } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const nl = (): string => pick(['', '', '\n', '\n  ', '\r\n    ', ' ']);
  const leaf = (name: string, value: string): string => {
    if (value === '' && chance(0.3)) return `<${name}/>`;
    if (chance(0.1)) return `<${name}><![CDATA[${value.replace(/&amp;/g, '&')}]]></${name}>`;
    if (chance(0.1)) return `<${name}>${value}<!-- a comment -->${pick(['', ' ', 'x'])}</${name}>`;
    if (chance(0.05)) return `<${name}>${value}<?pi data?> tail</${name}>`;
    if (chance(0.1)) return `<${name} unit="${pick(['USD', 'a&amp;b', ' padded ', 'x<y', "it's"])}">${value}</${name}>`;
    return `<${name}>${value}</${name}>`;
  };
  const errors = (): string => {
    const count = pick([0, 1, 1, 2, 3]);
    const one = (): string =>
      chance(0.1)
        ? pick(['<error/>', '<error>text only</error>'])
        : `<error>${leaf('errorno', pick(['BL01001973', 'XL03000006', '']))}${chance(0.8) ? leaf('description', pick(TEXTS)) : ''}${leaf('description2', pick(TEXTS))}${chance(0.7) ? leaf('correction', pick(TEXTS)) : ''}</error>`;
    return `<errormessage>${nl()}${Array.from({ length: count }, one).join(nl())}${nl()}</errormessage>`;
  };
  const row = (name: string): string => {
    const fields = Array.from({ length: pick([0, 1, 2, 4]) }, () =>
      chance(0.15)
        ? `<ADDRESS${chance(0.5) ? ' type="billing"' : ''}><CITY>${pick(TEXTS)}</CITY>${chance(0.5) ? '<CITY>Lyon</CITY>' : ''}${chance(0.3) ? 'mixed text' : ''}<ZIP/></ADDRESS>`
        : leaf(pick(['RECORDNO', 'ACCOUNTNO', 'TITLE', 'STATUS', 'TITLE', 'toString', 'isPrototypeOf', 'ns:X', 'A.B']), pick(TEXTS)),
    ).join(nl());
    if (chance(0.05)) return `<${name}/>`;
    if (chance(0.05)) return `<${name}>only text</${name}>`;
    return `<${name}${chance(0.1) ? ' id="7"' : ''}>${fields}</${name}>`;
  };
  const data = (): string => {
    if (chance(0.1)) return pick(['<data/>', '<data></data>', '<data listtype="objects" count="0"/>', '<data>text</data>']);
    const names = pick([['glbatch'], ['GLACCOUNT'], ['api'], ['a', 'b'], ['GLACCOUNT', 'api', 'GLACCOUNT']]);
    const rows = Array.from({ length: pick([0, 1, 1, 2, 3]) }, () => row(pick(names))).join(nl());
    const attrs = [
      chance(0.8) ? ` listtype="${pick(['objects', 'GLACCOUNT', 'glbatch'])}"` : '',
      chance(0.8) ? ` count="${pick(['0', '1', '2'])}"` : '',
      chance(0.5) ? ` totalcount="${pick(['3', '100'])}"` : '',
      chance(0.5) ? ` numremaining="${pick(['0', '2', '97'])}"` : '',
      chance(0.4) ? ` resultId="7765623330WU1hh8CoA4QAAHxI9i8AAAAA5"` : '',
    ].join('');
    return `<data${attrs}>${nl()}${rows}${nl()}</data>${chance(0.05) ? '<data/>' : ''}`;
  };
  const result = (): string => {
    if (chance(0.03)) return '<result/>';
    const status = pick(['success', 'success', 'failure', 'aborted']);
    return `<result>${nl()}${leaf('status', status)}${leaf('function', pick(['create', 'readByQuery', 'readMore', 'create_sotransaction']))}${leaf('controlid', pick(['ML-EXP-0021-1', 'k&quot;1', 'q-1']))}${chance(0.3) ? leaf('key', pick(['0042', ''])) : ''}${status === 'success' ? (chance(0.8) ? data() : '') : errors()}${nl()}</result>`;
  };
  const controlFails = chance(0.1);
  const control = `<control>${leaf('status', controlFails ? 'failure' : pick(['success', 'success', 'success', 'Success']))}${leaf('senderid', 'ml-sender')}${chance(0.9) ? leaf('controlid', pick(['ml-5', 'r-1', ''])) : ''}${leaf('uniqueid', 'false')}${leaf('dtdversion', '3.0')}</control>`;
  const authFails = chance(0.08);
  const authentication = chance(0.9)
    ? `<authentication>${leaf('status', authFails ? 'failure' : 'success')}${leaf('userid', 'ml-api')}${leaf('companyid', 'ml-demo')}${chance(0.5) ? leaf('locationid', pick(['', '100'])) : ''}${chance(0.9) ? leaf('sessiontimeout', '2026-06-30T12:15:00+00:00') : ''}</authentication>`
    : '';
  const operationErrors = authFails || chance(0.05) ? errors() : '';
  const results = Array.from({ length: pick([0, 1, 1, 1, 2, 3, 5]) }, result).join(nl());
  const operation = chance(0.95)
    ? `<operation${chance(0.3) ? ' transaction="true"' : ''}>${nl()}${authentication}${nl()}${operationErrors}${results}${nl()}</operation>`
    : '';
  const top = controlFails || chance(0.03) ? errors() : '';
  const declaration = chance(0.7) ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '';
  const body = `${chance(0.05) ? '\ufeff' : ''}${declaration}<response>${nl()}${control}${nl()}${top}${operation}${nl()}</response>${pick(['', '\n', '<!-- trailing -->'])}`;
  return { body, status: pick([200, 200, 200, 200, 400, 500]) };
}

/** Deletes, inserts or truncates outside `<!` constructs (where the old validator and parser disagreed among themselves) and inserts nothing after the root. */
function mutate(body: string, r: () => number): string {
  const pos = Math.floor(r() * body.length);
  const near = body.lastIndexOf('<!', pos);
  if (near !== -1 && pos - near < 12) return body;
  const op = Math.floor(r() * 4);
  // Text after the root: the old validator let references through there (`</response>&amp;`), see below.
  if (op >= 2 && pos >= body.lastIndexOf('</response>') + 11) return body;
  if (op === 0) return body.slice(0, pos);
  if (op === 1) return body.slice(0, pos) + body.slice(pos + 1);
  const insert = ['&', '<', '>', '"', "'", '/', ' ', '=', '&amp', '\u00e9', 'x'][Math.floor(r() * 11)]!;
  return body.slice(0, pos) + insert + body.slice(pos);
}

describe('one-pass response parser = the fast-xml-parser one', () => {
  it('agrees on every fixture', () => {
    const dir = new URL('./fixtures/', import.meta.url);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) for (const status of [200, 400, 524]) expectSame(readFileSync(new URL(f, dir), 'utf8'), status);
  });

  it('agrees on 3000 generated responses (single rows, readMore pages, empty data, failures with several errors, non-ASCII text)', () => {
    const r = rng(20260630);
    let successes = 0;
    let rows = 0;
    for (let k = 0; k < 3000; k++) {
      const { body, status } = generate(r);
      expectSame(body, status);
      const result = outcome(() => parseGatewayResponse(status, body));
      if ('ok' in result) {
        successes++;
        rows += (result.ok as ReturnType<typeof parseGatewayResponse>).results.reduce((n, x) => n + (x.data?.rows.length ?? 0), 0);
      }
    }
    // The generator must exercise both sides: parsed answers with rows and typed refusals.
    expect(successes).toBeGreaterThan(800);
    expect(rows).toBeGreaterThan(500);
  });

  it('agrees on 6000 mutated responses, mostly malformed', () => {
    const r = rng(7);
    let refused = 0;
    for (let k = 0; k < 6000; k++) {
      const { body, status } = generate(r);
      let mutated = mutate(body, r);
      if (r() < 0.3) mutated = mutate(mutated, r);
      expectSame(mutated, status);
      const result = outcome(() => parseXmlDocument(mutated));
      if ('error' in result) refused++;
    }
    expect(refused).toBeGreaterThan(2000);
  });

  it('agrees on hand-picked cases', () => {
    const ok = (inner: string): string => `<response><control><status>success</status></control><operation>${inner}</operation></response>`;
    const cases = [
      '',
      '   ',
      'plain text',
      '<html><head><title>524: A timeout occurred</title></head></html>',
      '<!DOCTYPE html><html></html>',
      '<other/>',
      '<response/>',
      '<response></response>',
      '<response><control><status>success</status></control></response>',
      ok(''),
      ok('<result/>'),
      ok('<result><status>success</status><data><a/><b/><a>1</a><b><c>2</c></b></data></result>'),
      ok('<result><status>success</status><data count="1"><glbatch><RECORDNO>1</RECORDNO></glbatch></data></result>'),
      ok(
        '<result><status>success</status><function>readMore</function><data listtype="GLACCOUNT" count="2" totalcount="5" numremaining="1" resultId="r1"><GLACCOUNT/><GLACCOUNT><A>1</A></GLACCOUNT></data></result>',
      ),
      ok('<result><status>success</status><data/><data/></result>'),
      ok('<result><status> success </status><key>  </key></result>'),
      ok('<result><status>failure</status><errormessage><error><errorno>1</errorno></error><error/><error>t</error></errormessage></result>'),
      ok('<errormessage><error><description>expired</description></error></errormessage>'),
      ok('<authentication><status>failure</status></authentication>'),
      ok('<authentication/><authentication/><result/>'),
      ok(
        '<result><status>success</status><data><r><t>a<!-- c -->b</t><u> a <![CDATA[ &amp; <x> ]]> b </u><v>a<?p?>b</v><w><![CDATA[]]></w></r></data></result>',
      ),
      ok('<result><status>success</status><data><r><f>&#x10FFFF;&#1114111;</f><g x="&#1114112;"/></r></data></result>'),
      ok('<result><status>success</status><data><r a = "1"\n b=\'2\'\t/></data></result>'),
      ok('<result><status>success</status><data><r a="1" a="2"/></data></result>'),
      ok('<result><status>success</status><data><r a/></data></result>'),
      ok('<result><status>success</status><data><r a="1"b="2"/></data></result>'),
      ok('<result><status>success</status><data><r a="1"= b="2" = /><s =/><t a="1"=b="2"/><u= a="1"/></data></result>'),
      ok('<result><status>success</status><data><r>&amp</r></data></result>'),
      ok('<result><status>success</status><data><r>&abcdefghijklmnopqrstu;</r></data></result>'),
      ok('<result><status>success</status><data><r>&#X41;</r></data></result>'),
      ok('<result><status>success</status><data><r></s></data></result>'),
      ok('<result><status>success</status><data><r></r ></data></result>'),
      ok('<result><status>success</status><data><r/ ></data></result>'),
      ok('<result><status>success</status><data>< r/></data></result>'),
      ok('<result><status>success</status><data><1r/></data></result>'),
      ok('<result><status>success</status><data><r.s/><Ré/></data></result>'),
      ok('<result><status>success</status><data><hasOwnProperty>1</hasOwnProperty><valueOf/></data></result>'),
      ok('<result><status>success</status><data><constructor/></data></result>'),
      ok(`<result><status>success</status><data>${'<d>'.repeat(120)}${'</d>'.repeat(120)}</data></result>`),
      `<?xml version="1.0"?>\r\n<response>\r\n<control><status>success</status></control><operation><result><status>success</status><data><r><m>a\r\nb</m><n v="x\r\ny"/></r></data></result></operation></response>\r\n`,
      '<?xml version="1.0"?><?xml version="1.0"?><response/>',
      ' <?xml version="1.0"?><response/>',
      '<response><control><status>success</status></control></response>trailing',
      '<response><control><status>success</status></control></response><!-- unclosed',
      '<response><control><status>success</status><!-- unclosed</control></response>',
      '<response><control><status>success</status><![CDATA[ unclosed</control></response>',
      '<response><control><status>success<?pi unclosed</status></control></response>',
      '<response a="1><control/></response>',
      '<response><control>',
    ];
    for (const body of cases) for (const status of [200, 502]) expectSame(body, status);
  });

  it('refuses DOCTYPE and entity declarations (billion laughs, external entities) exactly as before', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><response><control><status>success</status></control><v>&lol2;</v></response>`;
    const cases = [
      laughs,
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><response><control><status>success</status></control><v>&x;</v></response>',
      '<!doctype response SYSTEM "http://evil.example/r.dtd"><response/>',
      '<response><!ENTITY x "y"><control/></response>',
      '<response><control><status>success</status></control><!-- <!DOCTYPE x> --></response>',
      '<response><control><status><![CDATA[<!entity x "y">]]></status></control></response>',
      '<response a="<!DOCTYPE"><control/></response>',
      '<response><?pi <!ENTITY ?><control/></response>',
      '<response><control><status>success</status></control><operation><result><status>success</status><data><r>&x;&nbsp;</r></data></result></operation></response>',
    ];
    for (const body of cases) {
      expectSame(body);
      const e = outcome(() => parseGatewayResponse(200, body));
      if (!body.includes('&nbsp;')) expect(e).toMatchObject({ error: { ...MALFORMED, message: expect.stringContaining('DOCTYPE or entity declaration') } });
    }
  });

  it('is stricter where the old validator let malformed XML through', () => {
    const body = (inner: string): string =>
      `<response><control><status>success</status></control><operation><result><status>success</status>${inner}</result></operation></response>`;
    const lax = [
      `<x/>${body('')}`, // a second root after a self-closing one
      `<x/>junk${body('')}`,
      `<![CDATA[x]]>${body('')}`, // CDATA outside the root
      body('<data><!foo></data>'), // '<!' that is neither a comment nor CDATA became an element '!foo'
      body('<data><r><![FOO[x]]></r></data>'),
      `${body('')}&amp;`, // references after the root
      `${body('')}\n&`,
    ];
    for (const b of lax) {
      expect(outcome(() => legacy.parseGatewayResponse(200, b))).toHaveProperty('ok');
      expect(outcome(() => parseGatewayResponse(200, b))).toMatchObject({ error: MALFORMED });
    }
    const twoRoots = '<response><control><status>success</status></control></response><response/>';
    expect(outcome(() => legacy.parseXmlDocument(twoRoots))).toHaveProperty('ok');
    expect(outcome(() => parseXmlDocument(twoRoots))).toMatchObject({ error: MALFORMED });
    expect(() => parseXmlDocument('<a>&#99999999;</a>')).toThrow(IntacctUnreadableResponseError);
  });
});
