import { useState } from 'preact/hooks';
import { gql } from '../api.js';
import { DateOnly, DateTime, ErrorMessage, Money, PageTitle, TableWrap, useLoad, useReady } from '../components.js';
import { download, isoDay } from '../format.js';
import { href, navigate, type Route } from '../router.js';

interface Dim {
  target: string;
  value: string;
  name: string | null;
}
interface Report {
  from: string;
  to: string;
  generatedAt: string;
  entries: Array<{
    posting: {
      id: string;
      concurDocumentId: string;
      reportId: string | null;
      reportName: string | null;
      employeeId: string | null;
      intacctRecordNo: string | null;
      status: string;
      postedAt: string | null;
    };
    batchDate: string;
    currency: string;
    total: string;
    lines: Array<{ accountNo: string; accountName: string | null; trType: number; amount: string; dimensions: Dim[] }>;
  }>;
  totals: Array<{ currency: string; accountNo: string; accountName: string | null; dimensions: Dim[]; debit: string; credit: string; lines: number }>;
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
  csv: string;
}

const DIMS = 'target value name';
export const AUDIT_QUERY = `query Audit($from: Date!, $to: Date!) { auditReport(from: $from, to: $to) { from to generatedAt
  entries { posting { id concurDocumentId reportId reportName employeeId intacctRecordNo status postedAt } batchDate currency total lines { accountNo accountName trType amount dimensions { ${DIMS} } } }
  totals { currency accountNo accountName dimensions { ${DIMS} } debit credit lines }
  mappingChanges { revision type section key value reason actor occurredAt } csv } }`;

const dimText = (dims: Dim[]): string => dims.map((d) => `${d.target} ${d.value}${d.name ? ` (${d.name})` : ''}`).join(', ');

export function AuditPage({ route }: { route: Route }) {
  const today = new Date();
  const from = route.params.get('from') ?? isoDay(new Date(today.getFullYear(), today.getMonth(), 1));
  const to = route.params.get('to') ?? isoDay(today);
  const [form, setForm] = useState({ from, to });
  const q = useLoad(() => gql<{ auditReport: Report }>(AUDIT_QUERY, { from, to }).then((r) => r.auditReport), `audit:${from}:${to}`);
  useReady('audit', q.data !== null || q.error !== null, q.data);
  const r = q.data;
  return (
    <>
      <PageTitle title="Audit report">
        {r && (
          <div class="actions no-print">
            <button type="button" class="secondary" onClick={() => download(`audit-${r.from}-to-${r.to}.csv`, `\ufeff${r.csv}`, 'text/csv;charset=utf-8')}>
              Download CSV
            </button>
            <button type="button" class="secondary" onClick={() => window.print()}>
              Print
            </button>
          </div>
        )}
      </PageTitle>
      <form
        class="inline-form no-print"
        aria-label="Report range"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href(['audit'], form));
        }}
      >
        <div class="field">
          <label for="a-from">GL batch date from</label>
          <input id="a-from" type="date" required value={form.from} onInput={(e) => setForm({ ...form, from: (e.currentTarget as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="a-to">to</label>
          <input id="a-to" type="date" required value={form.to} onInput={(e) => setForm({ ...form, to: (e.currentTarget as HTMLInputElement).value })} />
        </div>
        <button type="submit">Show report</button>
      </form>
      <ErrorMessage error={q.error} />
      {r && (
        <>
          <p>
            Entries with a GL batch date from <DateOnly day={r.from} /> to <DateOnly day={r.to} />; generated <DateTime iso={r.generatedAt} />.
          </p>
          <section class="card" aria-labelledby="h-entries">
            <h2 id="h-entries">Posted entries ({r.entries.length})</h2>
            <TableWrap label="Posted entries">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Batch date</th>
                    <th scope="col">Concur report</th>
                    <th scope="col">Employee</th>
                    <th scope="col">Intacct RECORDNO</th>
                    <th scope="col">Lines</th>
                    <th scope="col" class="num">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.entries.map((e) => (
                    <tr key={e.posting.id}>
                      <td>
                        <DateOnly day={e.batchDate} />
                      </td>
                      <td>
                        <a href={href(['documents', e.posting.id])}>{e.posting.reportName ?? e.posting.concurDocumentId}</a>
                        <br />
                        <small class="hint">{e.posting.reportId ?? e.posting.concurDocumentId}</small>
                      </td>
                      <td>{e.posting.employeeId ?? '—'}</td>
                      <td>{e.posting.intacctRecordNo}</td>
                      <td>
                        <ul class="plain compact">
                          {e.lines.map((l, i) => (
                            <li key={i}>
                              {l.trType === 1 ? 'Dr' : 'Cr'} {l.accountNo} {l.accountName ?? ''} <Money amount={l.amount} currency={e.currency} />
                              {l.dimensions.length > 0 && <small class="hint"> · {dimText(l.dimensions)}</small>}
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td class="num">
                        <Money amount={e.total} currency={e.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </section>
          <section class="card" aria-labelledby="h-totals">
            <h2 id="h-totals">Totals per account and dimension</h2>
            <TableWrap label="Totals per account and dimension">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Dimensions</th>
                    <th scope="col" class="num">
                      Debit
                    </th>
                    <th scope="col" class="num">
                      Credit
                    </th>
                    <th scope="col" class="num">
                      Lines
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.totals.map((t, i) => (
                    <tr key={i}>
                      <td>
                        {t.accountNo} {t.accountName ?? ''}
                      </td>
                      <td>{dimText(t.dimensions) || '—'}</td>
                      <td class="num">
                        <Money amount={t.debit} currency={t.currency} />
                      </td>
                      <td class="num">
                        <Money amount={t.credit} currency={t.currency} />
                      </td>
                      <td class="num">{t.lines}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </section>
          <section class="card" aria-labelledby="h-changes">
            <h2 id="h-changes">Mapping changes in the range</h2>
            {r.mappingChanges.length === 0 && <p>None.</p>}
            <TableWrap label="Mapping changes">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Change</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {r.mappingChanges.map((c) => (
                    <tr key={c.revision}>
                      <td>
                        <DateTime iso={c.occurredAt} />
                      </td>
                      <td>{c.actor}</td>
                      <td>
                        {c.type === 'MappingsImported' ? (
                          'imported the whole set'
                        ) : (
                          <>
                            {c.section}
                            {c.key ? ` ${c.key}` : ''} = <code>{c.value}</code>
                          </>
                        )}
                      </td>
                      <td>{c.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </section>
        </>
      )}
    </>
  );
}
