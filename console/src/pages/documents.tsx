import { useState } from 'preact/hooks';
import { gql, type Me } from '../api.js';
import { DateOnly, DateTime, ErrorMessage, Money, Notice, PageTitle, StatusBadge, TableWrap, useLoad, useReady } from '../components.js';
import { download, isoDay } from '../format.js';
import { href, navigate, type Route } from '../router.js';
import { toCsv } from '../../../src/csv/csv.js';

export const STATUSES = ['RECEIVED', 'FETCHED', 'AWAITING_MAPPING', 'READY', 'POSTING', 'POSTED', 'FAILED', 'REJECTED', 'CONFIRMED', 'SUPERSEDED', 'REVERSED'];

export interface DocumentRow {
  id: string;
  status: string;
  docType: string;
  concurDocumentId: string;
  reportId: string | null;
  reportName: string | null;
  employeeId: string | null;
  employeeName: string | null;
  amount: string | null;
  currency: string | null;
  intacctRecordNo: string | null;
  postingKey: string | null;
  batchDate: string | null;
  createdAt: string;
  updatedAt: string;
  postedAt: string | null;
}

const ROW_FIELDS =
  'id status docType concurDocumentId reportId reportName employeeId employeeName amount currency intacctRecordNo postingKey batchDate createdAt updatedAt postedAt';
export const DOCUMENTS_QUERY = `query Documents($filter: PostingFilter, $first: Int, $after: String) {
  postings(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ROW_FIELDS} } } } }`;

interface Connection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: DocumentRow }>;
}

interface Filter {
  status: string[];
  text: string;
  employeeId: string;
  minAmount: string;
  maxAmount: string;
  from: string;
  to: string;
}

function filterOf(params: URLSearchParams): Filter {
  return {
    status: params.getAll('status'),
    text: params.get('text') ?? '',
    employeeId: params.get('employee') ?? '',
    minAmount: params.get('min') ?? '',
    maxAmount: params.get('max') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

/** The GraphQL PostingFilter of the form (empty fields left out). */
export function postingFilter(f: Filter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.status.length) out['status'] = f.status;
  if (f.text.trim()) out['text'] = f.text.trim();
  if (f.employeeId.trim()) out['employeeId'] = f.employeeId.trim();
  if (f.minAmount.trim()) out['minAmount'] = f.minAmount.trim();
  if (f.maxAmount.trim()) out['maxAmount'] = f.maxAmount.trim();
  if (f.from) out['from'] = f.from;
  if (f.to) out['to'] = f.to;
  return out;
}

const routeParams = (f: Filter, extra: Record<string, string | null> = {}) => ({
  status: f.status,
  text: f.text.trim(),
  employee: f.employeeId.trim(),
  min: f.minAmount.trim(),
  max: f.maxAmount.trim(),
  from: f.from,
  to: f.to,
  ...extra,
});

export const CSV_HEADER = [
  'Concur document ID',
  'Status',
  'Type',
  'Report ID',
  'Report name',
  'Employee ID',
  'Employee name',
  'Amount',
  'Currency',
  'Intacct RECORDNO',
  'Posting key',
  'Batch date',
  'Received at',
  'Last change at',
  'Posted at',
];
export const csvRecord = (r: DocumentRow) => [
  r.concurDocumentId,
  r.status,
  r.docType,
  r.reportId,
  r.reportName,
  r.employeeId,
  r.employeeName,
  r.amount,
  r.currency,
  r.intacctRecordNo,
  r.postingKey,
  r.batchDate,
  r.createdAt,
  r.updatedAt,
  r.postedAt,
];

/** The most rows one export reads (100 per request). */
const EXPORT_LIMIT = 50_000;

export function DocumentsPage({ route }: { route: Route; me: Me }) {
  const applied = filterOf(route.params);
  const size = Number(route.params.get('first') ?? 50) || 50;
  const after = route.params.get('after');
  const key = route.params.toString();
  const q = useLoad(() => gql<{ postings: Connection }>(DOCUMENTS_QUERY, { filter: postingFilter(applied), first: size, after }).then((r) => r.postings), key);
  useReady('documents', q.data !== null, q.data);
  const [form, setForm] = useState<Filter>(applied);
  const [formKey, setFormKey] = useState(key);
  if (formKey !== key) setForm(applied), setFormKey(key);
  const [exporting, setExporting] = useState<string | null>(null);
  const [exportError, setExportError] = useState<Error | null>(null);
  const set = (name: keyof Filter) => (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value });
  const toggleStatus = (s: string) => setForm({ ...form, status: form.status.includes(s) ? form.status.filter((x) => x !== s) : [...form.status, s] });

  const exportCsv = async (): Promise<void> => {
    setExportError(null);
    const rows: DocumentRow[] = [];
    let cursor: string | null = null;
    try {
      do {
        setExporting(`Reading documents… ${rows.length}`);
        const page: Connection = (await gql<{ postings: Connection }>(DOCUMENTS_QUERY, { filter: postingFilter(applied), first: 100, after: cursor })).postings;
        rows.push(...page.edges.map((e) => e.node));
        cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (cursor && rows.length < EXPORT_LIMIT);
      // A byte-order mark so spreadsheet programs read the file as UTF-8.
      download(`documents-${isoDay(new Date())}.csv`, `\ufeff${toCsv([CSV_HEADER, ...rows.map(csvRecord)])}`, 'text/csv;charset=utf-8');
      setExporting(`Exported ${rows.length} document${rows.length === 1 ? '' : 's'}${cursor ? ` (stopped at ${EXPORT_LIMIT}: narrow the filter)` : ''}.`);
    } catch (e) {
      setExporting(null);
      setExportError(e as Error);
    }
  };

  const data = q.data;
  return (
    <>
      <PageTitle title="Documents" />
      <form
        class="filters"
        aria-label="Filter documents"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href(['documents'], routeParams(form, { first: size === 50 ? null : String(size) })));
        }}
      >
        <div class="field">
          <label for="f-text">Search</label>
          <input id="f-text" type="search" value={form.text} onInput={set('text')} placeholder="report name, or an exact id / RECORDNO" />
        </div>
        <div class="field">
          <label for="f-employee">Employee ID</label>
          <input id="f-employee" value={form.employeeId} onInput={set('employeeId')} autoComplete="off" />
        </div>
        <div class="field narrow">
          <label for="f-min">Amount from</label>
          <input id="f-min" inputMode="decimal" value={form.minAmount} onInput={set('minAmount')} />
        </div>
        <div class="field narrow">
          <label for="f-max">Amount to</label>
          <input id="f-max" inputMode="decimal" value={form.maxAmount} onInput={set('maxAmount')} />
        </div>
        <div class="field narrow">
          <label for="f-from">Changed from (UTC day)</label>
          <input id="f-from" type="date" value={form.from} onInput={set('from')} />
        </div>
        <div class="field narrow">
          <label for="f-to">Changed to (UTC day)</label>
          <input id="f-to" type="date" value={form.to} onInput={set('to')} />
        </div>
        <fieldset class="statuses">
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} class="check">
              <input type="checkbox" name="status" value={s} checked={form.status.includes(s)} onChange={() => toggleStatus(s)} /> {s.replace(/_/g, ' ')}
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button type="button" class="secondary" onClick={() => navigate(href(['documents']))}>
            Clear
          </button>
          <button type="button" class="secondary" onClick={() => void exportCsv()} disabled={!data || exporting?.startsWith('Reading') === true}>
            Export CSV
          </button>
        </div>
      </form>
      {exporting && <Notice>{exporting}</Notice>}
      <ErrorMessage error={exportError} prefix="Export failed" />
      <ErrorMessage error={q.error} />
      {data && (
        <>
          <p class="count" role="status">
            {data.totalCount} document{data.totalCount === 1 ? '' : 's'} match{data.totalCount === 1 ? 'es' : ''}
            {after ? ' (a later page)' : ''}.
          </p>
          <TableWrap label="Documents">
            <table class="documents">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Type</th>
                  <th scope="col">Report</th>
                  <th scope="col">Employee</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">Last change</th>
                  <th scope="col">Batch date</th>
                  <th scope="col">Intacct RECORDNO</th>
                </tr>
              </thead>
              <tbody>
                {data.edges.length === 0 && (
                  <tr>
                    <td colSpan={8}>No document matches these filters.</td>
                  </tr>
                )}
                {data.edges.map(({ node: r }) => (
                  <tr key={r.id} data-document={r.concurDocumentId}>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td>{r.docType}</td>
                    <td>
                      <a href={href(['documents', r.id])}>{r.reportName ?? r.concurDocumentId}</a>
                      <br />
                      <small class="hint">{r.reportId ?? r.concurDocumentId}</small>
                    </td>
                    <td>
                      {r.employeeName ?? '—'}
                      <br />
                      <small class="hint">{r.employeeId ?? ''}</small>
                    </td>
                    <td class="num">
                      <Money amount={r.amount} currency={r.currency} />
                    </td>
                    <td>
                      <DateTime iso={r.updatedAt} />
                    </td>
                    <td>
                      <DateOnly day={r.batchDate} />
                    </td>
                    <td>{r.intacctRecordNo ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <nav class="pager" aria-label="Pages">
            {after && (
              <button type="button" class="secondary" onClick={() => history.back()}>
                Previous page
              </button>
            )}
            {data.pageInfo.hasNextPage && data.pageInfo.endCursor && (
              <a
                class="button secondary"
                href={href(['documents'], routeParams(applied, { first: size === 50 ? null : String(size), after: data.pageInfo.endCursor }))}
              >
                Next page
              </a>
            )}
            <label for="f-size">Per page</label>
            <select
              id="f-size"
              value={String(size)}
              onChange={(e) => navigate(href(['documents'], routeParams(applied, { first: (e.currentTarget as HTMLSelectElement).value })))}
            >
              {[25, 50, 100].map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
          </nav>
        </>
      )}
    </>
  );
}
