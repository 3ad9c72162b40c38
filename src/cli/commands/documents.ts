import type { CliCommand } from '../args.js';
import { CliError, type GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';
import { codePoints, cutAtGrapheme } from '../../domain/unicode.js';

/**
 * The day-to-day verbs over the GraphQL API: `list` (the postings query), `show ID` (one posting
 * with its entry, timeline and last error) and `report` (the auditReport query; `--csv` prints its
 * CSV and nothing else on stdout, so `report … --csv > audit.csv` gives a file ready for a spreadsheet).
 */
interface Row {
  id: string;
  status: string;
  docType: string;
  concurDocumentId: string;
  reportName: string | null;
  employeeId: string | null;
  employeeName: string | null;
  amount: string | null;
  currency: string | null;
  intacctRecordNo: string | null;
  updatedAt: string;
}

const LIST_QUERY = `query($filter: PostingFilter, $first: Int, $after: String) { postings(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id status docType concurDocumentId reportName employeeId employeeName amount currency intacctRecordNo updatedAt } } } }`;

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][], rightAligned: number[] = []): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** At most `max` characters, cut between grapheme clusters (never half an emoji or a letter without its accent). */
export const clip = (text: string | null, max: number): string =>
  text === null ? '' : codePoints(text) > max ? `${cutAtGrapheme(text, max - 1, true)}…` : text;

export async function list(client: GraphqlClient, io: CliIo, command: Extract<CliCommand, { name: 'list' }>): Promise<number> {
  const filter: Record<string, unknown> = {};
  if (command.status.length) filter['status'] = command.status;
  if (command.text) filter['text'] = command.text;
  const rows: Row[] = [];
  let after: string | null = null;
  let total = 0;
  do {
    type Page = { postings: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: Row }> } };
    const page: Page = await client.request<Page>(LIST_QUERY, { filter, first: Math.min(100, command.limit - rows.length), after });
    total = page.postings.totalCount;
    rows.push(...page.postings.edges.map((e) => e.node));
    after = page.postings.pageInfo.hasNextPage ? page.postings.pageInfo.endCursor : null;
  } while (after && rows.length < command.limit);
  if (rows.length === 0) {
    io.err.write('no document matches\n');
    return 0;
  }
  const lines = table(
    ['STATUS', 'TYPE', 'DOCUMENT', 'REPORT', 'EMPLOYEE', 'AMOUNT', 'CUR', 'RECORDNO', 'LAST CHANGE (UTC)'],
    rows.map((r) => [
      r.status,
      r.docType,
      r.concurDocumentId,
      clip(r.reportName, 40),
      clip(r.employeeId ? `${r.employeeId}${r.employeeName ? ` ${r.employeeName}` : ''}` : '', 28),
      r.amount ?? '',
      r.currency ?? '',
      r.intacctRecordNo ?? '',
      r.updatedAt.slice(0, 19).replace('T', ' '),
    ]),
    [5],
  );
  for (const l of lines) io.out(l);
  io.err.write(`${rows.length} of ${total} document${total === 1 ? '' : 's'}${rows.length < total ? ' (use --limit, --status or --text for others)' : ''}\n`);
  return 0;
}

interface Detail extends Row {
  reportId: string | null;
  postingKey: string | null;
  batchDate: string | null;
  attempts: number;
  createdAt: string;
  postedAt: string | null;
  rejectionReason: string | null;
  gaps: Array<{ message: string }>;
  lastError: { category: string; errorNo: string | null; message: string; correction: string | null; firstOpenDate: string | null } | null;
  journalEntry: {
    journal: string;
    batchDate: string;
    batchTitle: string;
    currency: string;
    total: string;
    lines: Array<{
      accountNo: string;
      accountName: string | null;
      trType: number;
      amount: string;
      memo: string;
      dimensions: Array<{ target: string; value: string }>;
    }>;
  } | null;
  timeline: Array<{ type: string; actor: string; occurredAt: string }>;
}

const SHOW_QUERY = `query($id: ID!) { posting(id: $id) {
  id status docType concurDocumentId reportId reportName employeeId employeeName amount currency intacctRecordNo postingKey batchDate attempts createdAt updatedAt postedAt rejectionReason
  gaps { message } lastError { category errorNo message correction firstOpenDate }
  journalEntry { journal batchDate batchTitle currency total lines { accountNo accountName trType amount memo dimensions { target value } } }
  timeline { type actor occurredAt } } }`;

export async function show(client: GraphqlClient, io: CliIo, id: string): Promise<number> {
  const say = (...lines: string[]): void => lines.forEach((l) => io.out(l));
  const { posting: p } = await client.request<{ posting: Detail | null }>(SHOW_QUERY, { id });
  if (!p) throw new CliError(`No document with id "${id}": use a Concur document id, posting key or id from \`list\``);
  io.out(`${p.reportName ?? p.concurDocumentId} (${p.docType}): ${p.status}`);
  const facts: Array<[string, string | null]> = [
    ['Concur document', p.concurDocumentId],
    ['Report ID', p.reportId],
    ['Employee', p.employeeId ? `${p.employeeId}${p.employeeName ? ` (${p.employeeName})` : ''}` : null],
    ['Amount', p.amount === null ? null : `${p.amount} ${p.currency ?? ''}`.trim()],
    ['Intacct RECORDNO', p.intacctRecordNo],
    ['Posting key', p.postingKey],
    ['Batch date', p.batchDate],
    ['Received', p.createdAt],
    ['Posted', p.postedAt],
    ['Attempts', String(p.attempts)],
  ];
  for (const [k, v] of facts) if (v !== null) io.out(`  ${`${k}:`.padEnd(18)}${v}`);
  if (p.lastError) {
    io.out('');
    io.out(`Last error (${p.lastError.category}${p.lastError.errorNo ? `, Intacct ${p.lastError.errorNo}` : ''}):`);
    io.out(`  ${p.lastError.message}`);
    if (p.lastError.firstOpenDate)
      io.out(`  First open date: ${p.lastError.firstOpenDate} (retry ${p.concurDocumentId} --batch-date ${p.lastError.firstOpenDate} --reason "…")`);
  } else if (p.rejectionReason) {
    say('', `Rejected: ${p.rejectionReason}`);
  }
  if (p.gaps.length) {
    say('', 'Waiting for mappings:');
    for (const g of p.gaps) io.out(`  - ${g.message}`);
  }
  if (p.journalEntry) {
    const e = p.journalEntry;
    say('', `Journal entry: journal ${e.journal}, batch date ${e.batchDate}, "${e.batchTitle}", ${e.currency}`);
    const lines = table(
      ['ACCOUNT', 'NAME', 'DEBIT', 'CREDIT', 'DIMENSIONS', 'MEMO'],
      e.lines.map((l) => [
        l.accountNo,
        clip(l.accountName, 28),
        l.trType === 1 ? l.amount : '',
        l.trType === -1 ? l.amount : '',
        l.dimensions.map((d) => `${d.target}=${d.value}`).join(' '),
        clip(l.memo, 40),
      ]),
      [2, 3],
    );
    for (const l of lines) io.out(`  ${l}`);
    io.out(`  Total ${e.total} ${e.currency} (debits = credits)`);
  }
  say('', 'Timeline:');
  for (const t of p.timeline) io.out(`  ${t.occurredAt}  ${t.type.padEnd(26)} ${t.actor}`);
  return 0;
}

interface Report {
  from: string;
  to: string;
  entries: Array<{
    posting: { concurDocumentId: string; reportName: string | null; intacctRecordNo: string | null };
    batchDate: string;
    currency: string;
    total: string;
  }>;
  totals: Array<{
    currency: string;
    accountNo: string;
    accountName: string | null;
    dimensions: Array<{ target: string; value: string }>;
    debit: string;
    credit: string;
    lines: number;
  }>;
  mappingChanges: Array<{
    revision: number;
    type: string;
    section: string | null;
    key: string | null;
    value: string | null;
    reason: string;
    actor: string;
    occurredAt: string;
  }>;
  csv?: string;
}

export async function report(client: GraphqlClient, io: CliIo, command: Extract<CliCommand, { name: 'report' }>): Promise<number> {
  const say = (...lines: string[]): void => lines.forEach((l) => io.out(l));
  const fields = command.csv
    ? 'csv entries { batchDate }'
    : 'entries { posting { concurDocumentId reportName intacctRecordNo } batchDate currency total } totals { currency accountNo accountName dimensions { target value } debit credit lines } mappingChanges { revision type section key value reason actor occurredAt }';
  const { auditReport: r } = await client.request<{ auditReport: Report }>(
    `query($from: Date!, $to: Date!) { auditReport(from: $from, to: $to) { from to ${fields} } }`,
    { from: command.from, to: command.to },
  );
  if (command.csv) {
    // `out` ends the text with a line break: the CSV's last CRLF is left to it.
    io.out(r.csv!.replace(/\r\n$/, ''));
    io.err.write(`audit report ${r.from}..${r.to}: ${r.entries.length} entr${r.entries.length === 1 ? 'y' : 'ies'}\n`);
    return 0;
  }
  io.out(`Audit report: entries with a GL batch date from ${r.from} to ${r.to}`);
  say('', `Posted entries (${r.entries.length}):`);
  for (const l of table(
    ['BATCH DATE', 'DOCUMENT', 'REPORT', 'RECORDNO', 'TOTAL', 'CUR'],
    r.entries.map((e) => [e.batchDate, e.posting.concurDocumentId, clip(e.posting.reportName, 40), e.posting.intacctRecordNo ?? '', e.total, e.currency]),
    [4],
  ))
    io.out(`  ${l}`);
  say('', 'Totals per account and dimension:');
  for (const l of table(
    ['CUR', 'ACCOUNT', 'NAME', 'DIMENSIONS', 'DEBIT', 'CREDIT', 'LINES'],
    r.totals.map((t) => [
      t.currency,
      t.accountNo,
      clip(t.accountName, 28),
      t.dimensions.map((d) => `${d.target}=${d.value}`).join(' '),
      t.debit,
      t.credit,
      String(t.lines),
    ]),
    [4, 5, 6],
  ))
    io.out(`  ${l}`);
  say('', `Mapping changes (${r.mappingChanges.length}):`);
  for (const c of r.mappingChanges) {
    const what = c.type === 'MappingsImported' ? 'imported the whole set' : `${c.section}${c.key ? ` ${c.key}` : ''} = ${c.value}`;
    io.out(`  ${c.occurredAt}  ${c.actor}  rev ${c.revision}: ${what} (${c.reason})`);
  }
  return 0;
}
