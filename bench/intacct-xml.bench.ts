/**
 * Parsing Intacct's answers, in one run: the one-pass parser of the connector, the fast-xml-parser
 * based one it replaced (kept as a test helper) and, when the package is installed, the official
 * `@intacct/intacct-sdk` (`new OnlineResponse(body)`: xml2js, then its Control, Authentication and
 * Result objects). Four answers: the compact one of the round-trip bench, one GLBATCH create, a batch of 50 creates (as the worker sends
 * them) and a readByQuery page of 100 GLACCOUNT rows. Each figure is the median of 3 rounds, the
 * parsers interleaved within a round, so the ratios come from the same conditions.
 */
import { createRequire } from 'node:module';
import { parseGatewayResponse } from '../src/adapters/intacct/xml/response-parser.js';
import { parseGatewayResponse as parseWithFastXmlParser } from '../test/intacct/support/legacy-response-parser.js';
import type { Emit } from './figure.js';

const SDK_PACKAGE = '@intacct/intacct-sdk';
type Parse = (body: string) => unknown;

/** The SDK's own entry point for an answer to a request, or null when the package is absent. */
function loadSdk(): Parse | null {
  const require = createRequire(import.meta.url);
  for (const load of [
    () => require(`${SDK_PACKAGE}/dist/Xml/OnlineResponse`) as { default?: new (body: string) => unknown },
    () => (require(SDK_PACKAGE) as { Xml: { OnlineResponse: new (body: string) => unknown } }).Xml.OnlineResponse,
  ]) {
    try {
      const mod = load() as { default?: new (body: string) => unknown } | (new (body: string) => unknown);
      const OnlineResponse = typeof mod === 'function' ? mod : mod.default;
      if (typeof OnlineResponse === 'function') return (body) => new OnlineResponse(body);
    } catch {
      // try the next way in, then give up
    }
  }
  return null;
}

const head = (controlId: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <control><status>success</status><senderid>ml-sender</senderid><controlid>${controlId}</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>\n  <operation>\n    <authentication><status>success</status><userid>ml-api</userid><companyid>ml-demo</companyid><locationid></locationid><sessiontimestamp>2026-06-30T10:15:00+00:00</sessiontimestamp><sessiontimeout>2026-06-30T12:15:00+00:00</sessiontimeout></authentication>\n`;
const tail = '  </operation>\n</response>\n';
const created = (k: number): string =>
  `    <result>\n      <status>success</status>\n      <function>create</function>\n      <controlid>ML-EXP-${k}-1</controlid>\n      <data listtype="objects" count="1"><glbatch><RECORDNO>${1000 + k}</RECORDNO></glbatch></data>\n    </result>\n`;
const account = (k: number): string =>
  `<GLACCOUNT><RECORDNO>${k}</RECORDNO><ACCOUNTNO>${6000 + k}.10</ACCOUNTNO><TITLE>Travel &amp; meals ${k} – Zürich</TITLE><ACCOUNTTYPE>incomestatement</ACCOUNTTYPE><NORMALBALANCE>debit</NORMALBALANCE><CLOSINGTYPE>non-closing account</CLOSINGTYPE><STATUS>active</STATUS><REQUIREDEPT>true</REQUIREDEPT><REQUIRELOC>false</REQUIRELOC><WHENMODIFIED>06/30/2026 10:15:00</WHENMODIFIED></GLACCOUNT>\n`;

const ANSWERS = [
  {
    name: 'the compact GLBATCH answer of the serialize + parse round trip (bench/intacct.bench.ts)',
    body: '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status><controlid>r-1</controlid></control><operation><authentication><status>success</status><userid>ml-api</userid><companyid>ml-demo</companyid><sessiontimestamp>2026-06-30T10:00:00Z</sessiontimestamp><sessiontimeout>2026-06-30T12:00:00Z</sessiontimeout></authentication><result><status>success</status><function>create</function><controlid>expense:B-1:1</controlid><data listtype="objects" count="1"><glbatch><RECORDNO>1001</RECORDNO></glbatch></data></result></operation></response>',
  },
  { name: 'one GLBATCH create', body: head('r-1') + created(1) + tail },
  { name: 'a batch of 50 GLBATCH creates', body: head('r-2') + Array.from({ length: 50 }, (_, k) => created(k)).join('') + tail },
  {
    name: 'a readByQuery page of 100 GLACCOUNT rows',
    body: `${head('r-3')}    <result>\n      <status>success</status>\n      <function>readByQuery</function>\n      <controlid>q-1</controlid>\n      <data listtype="GLACCOUNT" count="100" totalcount="250" numremaining="150" resultId="7765623330WU1hh8CoA4QAAHxI9i8AAAAA5">\n${Array.from({ length: 100 }, (_, k) => account(k)).join('')}      </data>\n    </result>\n${tail}`,
  },
];

function perSecond(parse: Parse, body: string, minMs: number): number {
  let count = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let k = 0; k < 50; k++) parse(body);
    count += 50;
    elapsed = performance.now() - started;
  } while (elapsed < minMs);
  return count / (elapsed / 1000);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const sdk = loadSdk();
  if (!sdk) process.stderr.write(`# bench intacct-xml: ${SDK_PACKAGE} is not installed (a devDependency to add), the SDK figure is skipped\n`);
  const parsers: { name: string; parse: Parse }[] = [
    { name: 'ours', parse: (b) => parseGatewayResponse(200, b) },
    { name: 'fast-xml-parser (before)', parse: (b) => parseWithFastXmlParser(200, b) },
    ...(sdk ? [{ name: SDK_PACKAGE, parse: sdk }] : []),
  ];
  const minMs = opts.quick ? 150 : 600;
  for (const answer of ANSWERS) {
    // Same answer from every parser first (warm-up, and a check that each really parsed it).
    for (const p of parsers) for (let k = 0; k < 300; k++) p.parse(answer.body);
    const rounds = new Map(parsers.map((p) => [p.name, [] as number[]]));
    for (let round = 0; round < 3; round++) for (const p of parsers) rounds.get(p.name)!.push(perSecond(p.parse, answer.body, minMs));
    const figure = new Map([...rounds].map(([name, xs]) => [name, median(xs)]));
    const ours = figure.get('ours')!;
    const before = figure.get('fast-xml-parser (before)')!;
    const official = figure.get(SDK_PACKAGE);
    // Ratios per round, then their median: rounds see the same load from the other processes on the machine.
    const ratio = (other: string): number => Math.round(median(rounds.get('ours')!.map((v, k) => v / rounds.get(other)![k]!)) * 100) / 100;
    emit({
      name: `Intacct response parse: ${answer.name} (${answer.body.length} chars)`,
      value: Math.round(ours),
      unit: 'responses/s',
      baseline: official
        ? { name: `${SDK_PACKAGE} new OnlineResponse(body), same run`, value: Math.round(official), unit: 'responses/s' }
        : { name: 'fast-xml-parser parser it replaced, same run', value: Math.round(before), unit: 'responses/s' },
      before: Math.round(before),
      ratioToBefore: ratio('fast-xml-parser (before)'),
      ...(official ? { ratioToSdk: ratio(SDK_PACKAGE) } : { sdk: `${SDK_PACKAGE} not installed, skipped` }),
      rounds: Object.fromEntries([...rounds].map(([name, xs]) => [name, xs.map(Math.round)])),
      goal: '>= the official SDK, one pass, DOCTYPE/entities refused',
    });
  }
}
