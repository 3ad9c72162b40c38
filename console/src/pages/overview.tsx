import { gql } from '../api.js';
import { DateTime, ErrorMessage, PageTitle, StatusBadge, TableWrap, useLoad, useReady } from '../components.js';
import { formatAge, formatHour, localPeriodStarts, timeZoneName } from '../format.js';
import { href } from '../router.js';

interface PostingBrief {
  id: string;
  concurDocumentId: string;
  reportName: string | null;
  status: string;
  createdAt: string;
  updatedAt: string;
  rejectionReason: string | null;
  lastError: { category: string; message: string } | null;
}

interface OverviewData {
  generatedAt: string;
  today: Array<{ status: string; count: number }>;
  month: Array<{ status: string; count: number }>;
  postedPerHour: Array<{ hour: string; count: number }>;
  oldestWaiting: PostingBrief | null;
  latestRejections: PostingBrief[];
  health: Array<{ name: string; ok: boolean; detail: string; checkedAt: string }>;
  intacctUsage: { month: string; transactions: number; byPurpose: Array<{ purpose: string; transactions: number }>; countingSince: string };
}

const BRIEF = 'id concurDocumentId reportName status createdAt updatedAt rejectionReason lastError { category message }';
export const OVERVIEW_QUERY = `query Overview($d: DateTime, $m: DateTime) { overview(dayStart: $d, monthStart: $m) {
  generatedAt today { status count } month { status count } postedPerHour { hour count }
  oldestWaiting { ${BRIEF} } latestRejections { ${BRIEF} }
  health { name ok detail checkedAt } intacctUsage { month transactions byPurpose { purpose transactions } countingSince } } }`;

const HEALTH_LABEL: Record<string, string> = { 'event-store': 'Event store', projections: 'Projections', concur: 'Concur', intacct: 'Intacct' };

export function OverviewPage() {
  const periods = localPeriodStarts();
  const q = useLoad(() => gql<{ overview: OverviewData }>(OVERVIEW_QUERY, { d: periods.dayStart, m: periods.monthStart }).then((r) => r.overview), 'overview');
  useReady('overview', q.data !== null, q.data);
  const o = q.data;
  return (
    <>
      <PageTitle title="Overview">
        <button type="button" class="secondary" onClick={() => void q.reload()} disabled={q.loading}>
          Refresh
        </button>
      </PageTitle>
      <ErrorMessage error={q.error} />
      {!o ? (
        <p>Loading…</p>
      ) : (
        <div class="grid">
          <section class="card" aria-labelledby="h-status">
            <h2 id="h-status">Documents by status</h2>
            <StatusTable today={o.today} month={o.month} />
            <p class="hint">By last change; today and this month in your time zone ({timeZoneName()}).</p>
          </section>
          <section class="card wide" aria-labelledby="h-health">
            <h2 id="h-health">Connections</h2>
            <TableWrap label="Connection health">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Connection</th>
                    <th scope="col">State</th>
                    <th scope="col">Checked</th>
                  </tr>
                </thead>
                <tbody>
                  {o.health.map((h) => (
                    <tr key={h.name} data-health={h.name}>
                      <th scope="row">{HEALTH_LABEL[h.name] ?? h.name}</th>
                      <td>
                        <span class={`badge badge-${h.ok ? 'ok' : 'bad'}`}>{h.ok ? 'OK' : 'Problem'}</span> <span class="detail">{h.detail}</span>
                      </td>
                      <td>
                        <time dateTime={h.checkedAt} title={new Date(h.checkedAt).toLocaleString()}>
                          {formatAge(h.checkedAt, Date.parse(o.generatedAt))}
                        </time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <p>
              Intacct API transactions in {o.intacctUsage.month}:{' '}
              <strong data-testid="intacct-transactions">{o.intacctUsage.transactions.toLocaleString()}</strong>
              {o.intacctUsage.byPurpose.length > 0 && (
                <>
                  {' ('}
                  {o.intacctUsage.byPurpose.map((p, i) => (
                    <span key={p.purpose} data-testid={`intacct-transactions-${p.purpose}`}>
                      {i > 0 && ', '}
                      {p.purpose} {p.transactions.toLocaleString()}
                    </span>
                  ))}
                  {')'}
                </>
              )}
              <br />
              <small class="hint">
                Counted by this service since <DateTime iso={o.intacctUsage.countingSince} />, one per function sent to Intacct (a session opened counts as
                one).
              </small>
            </p>
          </section>
          <section class="card" aria-labelledby="h-hour">
            <h2 id="h-hour">Postings per hour (last 24 hours)</h2>
            <HourChart hours={o.postedPerHour} />
          </section>
          <section class="card" aria-labelledby="h-waiting">
            <h2 id="h-waiting">Oldest waiting document</h2>
            {o.oldestWaiting ? (
              <p>
                <a href={href(['documents', o.oldestWaiting.id])}>{o.oldestWaiting.reportName ?? o.oldestWaiting.concurDocumentId}</a>{' '}
                <StatusBadge status={o.oldestWaiting.status} />
                <br />
                arrived <DateTime iso={o.oldestWaiting.createdAt} /> ({formatAge(o.oldestWaiting.createdAt, Date.parse(o.generatedAt))})
              </p>
            ) : (
              <p>Nothing is waiting.</p>
            )}
          </section>
          <section class="card wide" aria-labelledby="h-rejections">
            <h2 id="h-rejections">Latest rejections</h2>
            {o.latestRejections.length === 0 ? (
              <p>No rejected documents.</p>
            ) : (
              <ul class="plain">
                {o.latestRejections.map((r) => (
                  <li key={r.id}>
                    <a href={href(['documents', r.id])}>{r.reportName ?? r.concurDocumentId}</a> · <DateTime iso={r.updatedAt} />
                    {r.lastError && <span class="badge badge-info">{r.lastError.category}</span>}
                    <p class="reason">{r.lastError?.message ?? r.rejectionReason ?? 'no reason recorded'}</p>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </>
  );
}

function StatusTable({ today, month }: { today: OverviewData['today']; month: OverviewData['month'] }) {
  const statuses = [...new Set([...month.map((m) => m.status), ...today.map((t) => t.status)])];
  const count = (list: OverviewData['today'], s: string): number => list.find((x) => x.status === s)?.count ?? 0;
  const sum = (list: OverviewData['today']): number => list.reduce((n, x) => n + x.count, 0);
  return (
    <TableWrap label="Documents by status">
      <table>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Today
            </th>
            <th scope="col" class="num">
              This month
            </th>
          </tr>
        </thead>
        <tbody>
          {statuses.length === 0 && (
            <tr>
              <td colSpan={3}>No documents this month.</td>
            </tr>
          )}
          {statuses.map((s) => (
            <tr key={s}>
              <th scope="row">
                <a href={href(['documents'], { status: s })}>
                  <StatusBadge status={s} />
                </a>
              </th>
              <td class="num">{count(today, s)}</td>
              <td class="num">{count(month, s)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All</th>
            <td class="num">{sum(today)}</td>
            <td class="num">{sum(month)}</td>
          </tr>
        </tfoot>
      </table>
    </TableWrap>
  );
}

function HourChart({ hours }: { hours: OverviewData['postedPerHour'] }) {
  const max = Math.max(1, ...hours.map((h) => h.count));
  const total = hours.reduce((n, h) => n + h.count, 0);
  const w = 12;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${hours.length * w} 64`}
        role="img"
        aria-label={`${total} documents posted in the last 24 hours; at most ${max === 1 && total === 0 ? 0 : max} in one hour`}
        preserveAspectRatio="none"
      >
        {hours.map((h, i) => {
          const height = Math.round((h.count / max) * 60);
          return (
            <rect key={h.hour} x={i * w + 1} y={64 - height} width={w - 2} height={height} class="bar">
              <title>{`${formatHour(h.hour)}: ${h.count}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>
        {total} posted · from {formatHour(hours[0]!.hour)} to now
      </figcaption>
      <details>
        <summary>As a table</summary>
        <TableWrap label="Postings per hour">
          <table>
            <thead>
              <tr>
                <th scope="col">Hour</th>
                <th scope="col" class="num">
                  Posted
                </th>
              </tr>
            </thead>
            <tbody>
              {hours.map((h) => (
                <tr key={h.hour}>
                  <td>
                    <DateTime iso={h.hour} />
                  </td>
                  <td class="num">{h.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </figure>
  );
}
