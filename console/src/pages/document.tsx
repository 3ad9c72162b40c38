import { useState } from 'preact/hooks';
import { can, gql, type Me } from '../api.js';
import { DateOnly, DateTime, ErrorMessage, Money, Notice, PageTitle, StatusBadge, TableWrap, sleep, useLoad, useReady } from '../components.js';
import { fromUnits, prettyXml, scaleOf, toUnits } from '../format.js';
import { href } from '../router.js';

interface Dim {
  target: string;
  value: string;
  name: string | null;
}
interface Line {
  accountNo: string;
  accountName: string | null;
  trType: number;
  amount: string;
  memo: string;
  kind: string;
  dimensions: Dim[];
  /** The record's own payable (employee, vendor, card), booked by Intacct from the header: not sent. Only on record entries. */
  offset?: boolean;
  /** EEXPENSES: the Intacct expense type the line names instead of an account. */
  expenseType?: string | null;
}
interface Entry {
  postingKey: string;
  journal: string;
  batchDate: string;
  batchTitle: string;
  currency: string;
  total: string;
  lines: Line[];
}
interface RecordEntry extends Entry {
  target: string;
  employeeId: string | null;
  vendorId: string | null;
  cardAccount: string | null;
  payee: string | null;
  billNumber: string | null;
  dueDate: string | null;
}
/** One Intacct record the document becomes (GLBATCH, EEXPENSES, APBILL, CCTRANSACTION), or the reversal of one. */
interface IntacctRecord {
  target: string;
  postingKey: string;
  state: string;
  recordNo: string | null;
  attempts: number;
  lastError: { category: string; message: string } | null;
  nextAttemptAt: string | null;
  reverses: string | null;
  entry: RecordEntry | null;
}
interface Exchange {
  requestXml: string;
  responseXml: string | null;
  noResponseReason: string | null;
  sentAt: string;
  durationMs: number;
}
interface Attempt {
  number: number;
  postingKey: string;
  reversal: boolean;
  outcome: string;
  requestedAt: string | null;
  completedAt: string | null;
  recordNo: string | null;
  result: string | null;
  error: { category: string; message: string } | null;
  requestXml: string | null;
  responseXml: string | null;
  exchanges: Exchange[];
}
interface Detail {
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
  version: string | null;
  postingKey: string | null;
  intacctRecordNo: string | null;
  reversalRecordNo: string | null;
  batchDate: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  postedAt: string | null;
  rejectionReason: string | null;
  gaps: Array<{ kind: string; code: string; field: string; message: string }>;
  lastError: {
    category: string;
    errorNo: string | null;
    description: string | null;
    description2: string | null;
    correction: string | null;
    message: string;
    firstOpenDate: string | null;
  } | null;
  journalEntry: Entry | null;
  reversalEntry: Entry | null;
  records: IntacctRecord[];
  attemptLog: Attempt[];
  concurConfirmation: { status: string; documentNumber: string | null; serviceCode: number; messages: string[]; at: string } | null;
  timeline: Array<{ id: string; type: string; occurredAt: string; recordedAt: string; actor: string; data: Record<string, unknown> }>;
}

const ENTRY = 'postingKey journal batchDate batchTitle currency total lines { accountNo accountName trType amount memo kind dimensions { target value name } }';
const RECORD_ENTRY =
  'postingKey journal batchDate batchTitle currency total target employeeId vendorId cardAccount payee billNumber dueDate lines { accountNo accountName trType amount memo kind offset expenseType dimensions { target value name } }';
export const DOCUMENT_QUERY = `query Document($id: ID!) { posting(id: $id) {
  id status docType concurDocumentId reportId reportName employeeId employeeName amount currency version postingKey intacctRecordNo reversalRecordNo batchDate attempts createdAt updatedAt postedAt rejectionReason
  gaps { kind code field message }
  lastError { category errorNo description description2 correction message firstOpenDate }
  journalEntry { ${ENTRY} } reversalEntry { ${ENTRY} }
  records { target postingKey state recordNo attempts lastError { category message } nextAttemptAt reverses entry { ${RECORD_ENTRY} } }
  attemptLog { number postingKey reversal outcome requestedAt completedAt recordNo result error { category message } requestXml responseXml exchanges { requestXml responseXml noResponseReason sentAt durationMs } }
  concurConfirmation { status documentNumber serviceCode messages at }
  timeline { id type occurredAt recordedAt actor data } } }`;

const RETRYABLE = ['FAILED', 'REJECTED', 'AWAITING_MAPPING'];
const SETTLED = ['POSTED', 'CONFIRMED', 'FAILED', 'REJECTED', 'AWAITING_MAPPING', 'SUPERSEDED', 'REVERSED'];

export function DocumentPage({ id, me }: { id: string; me: Me }) {
  const q = useLoad(() => gql<{ posting: Detail | null }>(DOCUMENT_QUERY, { id }).then((r) => r.posting), `document:${id}`);
  useReady('document', q.data !== null || q.error !== null, q.data);
  // Kept here: after a successful retry the actions disappear (the document is no longer retryable).
  const [flash, setFlash] = useState<string | null>(null);
  const d = q.data;
  if (q.error) return <ErrorMessage error={q.error} />;
  if (!d) return <p>{q.loading ? 'Loading…' : `No document with id ${id}.`}</p>;
  return (
    <>
      <PageTitle title={d.reportName ?? d.concurDocumentId}>
        <StatusBadge status={d.status} />
      </PageTitle>
      <p>
        <a href={href(['documents'])}>← All documents</a>
      </p>
      <section class="card" aria-labelledby="h-facts">
        <h2 id="h-facts">Document</h2>
        <dl class="facts">
          <dt>Type</dt>
          <dd>{d.docType}</dd>
          <dt>Concur document ID</dt>
          <dd>
            <code>{d.concurDocumentId}</code>
          </dd>
          <dt>Report ID</dt>
          <dd>{d.reportId ?? '—'}</dd>
          <dt>Employee</dt>
          <dd>
            {d.employeeName ?? '—'} {d.employeeId && <small class="hint">({d.employeeId})</small>}
          </dd>
          <dt>Amount</dt>
          <dd>
            <Money amount={d.amount} currency={d.currency} />
          </dd>
          {isSingleJournal(d.records) ? (
            <>
              <dt>Intacct RECORDNO</dt>
              <dd data-testid="recordno">{d.intacctRecordNo ?? '—'}</dd>
              <dt>Posting key</dt>
              <dd>
                <code>{d.postingKey ?? '—'}</code>
              </dd>
            </>
          ) : (
            <>
              <dt>Intacct RECORDNOs</dt>
              <dd data-testid="recordno">{d.records.map((r) => r.recordNo ?? '—').join(', ')}</dd>
              <dt>Posting keys</dt>
              <dd>{d.records.length} records, see Intacct records</dd>
            </>
          )}
          <dt>Batch date</dt>
          <dd>
            <DateOnly day={d.batchDate} />
          </dd>
          <dt>Received</dt>
          <dd>
            <DateTime iso={d.createdAt} />
          </dd>
          <dt>Posted</dt>
          <dd>
            <DateTime iso={d.postedAt} />
          </dd>
          <dt>Attempts</dt>
          <dd>{d.attempts}</dd>
        </dl>
      </section>
      {flash && <Notice>{flash}</Notice>}
      {can(me.role, 'operator') && RETRYABLE.includes(d.status) && (
        <RetryActions
          d={d}
          onDone={async (message) => {
            setFlash(message);
            await q.reload();
          }}
        />
      )}
      {d.lastError && (
        <section class="card problem" aria-labelledby="h-error">
          <h2 id="h-error">Last error ({d.lastError.category})</h2>
          <p class="reason">{d.lastError.message}</p>
          <dl class="facts">
            {d.lastError.errorNo && (
              <>
                <dt>Intacct error</dt>
                <dd>{d.lastError.errorNo}</dd>
              </>
            )}
            {d.lastError.description2 && (
              <>
                <dt>Intacct says</dt>
                <dd>{d.lastError.description2}</dd>
              </>
            )}
            {d.lastError.correction && (
              <>
                <dt>Correction</dt>
                <dd>{d.lastError.correction}</dd>
              </>
            )}
            {d.lastError.firstOpenDate && (
              <>
                <dt>First open date</dt>
                <dd>
                  <DateOnly day={d.lastError.firstOpenDate} />
                </dd>
              </>
            )}
          </dl>
        </section>
      )}
      {d.rejectionReason && !d.lastError && (
        <section class="card problem">
          <h2>Rejected</h2>
          <p class="reason">{d.rejectionReason}</p>
        </section>
      )}
      {d.gaps.length > 0 && (
        <section class="card problem" aria-labelledby="h-gaps">
          <h2 id="h-gaps">Waiting for mappings</h2>
          <ul>
            {d.gaps.map((g) => (
              <li key={`${g.kind}:${g.field}:${g.code}`}>{g.message}</li>
            ))}
          </ul>
          <p>
            <a href={href(['gaps'])}>Fix them on the mapping gaps page</a>
          </p>
        </section>
      )}
      <Records records={d.records} />
      {isSingleJournal(d.records) ? (
        <>
          {d.journalEntry && <EntryTable title="Journal entry" entry={d.journalEntry} testid="journal-entry" />}
          {d.reversalEntry && <EntryTable title="Reversal entry" entry={d.reversalEntry} testid="reversal-entry" />}
        </>
      ) : (
        d.records.map((r) => r.entry && <RecordDetail key={r.postingKey} record={r} entry={r.entry} />)
      )}
      <Attempts attempts={d.attemptLog} />
      <Concur d={d} />
      <Timeline events={d.timeline} />
    </>
  );
}

function RetryActions({ d, onDone }: { d: Detail; onDone(message: string): Promise<void> }) {
  const [batchDate, setBatchDate] = useState(d.lastError?.firstOpenDate ?? '');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const retry = async (withDate: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    setMessage('Retry requested…');
    try {
      const vars = withDate ? { id: d.id, batchDate, reason } : { id: d.id, batchDate: null, reason: null };
      const r = await gql<{ retryPosting: { status: string } }>(
        'mutation Retry($id: ID!, $batchDate: Date, $reason: String) { retryPosting(id: $id, batchDate: $batchDate, reason: $reason) { status } }',
        vars,
      );
      let status = r.retryPosting.status;
      for (let i = 0; i < 60 && !SETTLED.includes(status); i++) {
        setMessage(`Retry requested; now ${status}…`);
        await sleep(500);
        status = (await gql<{ posting: { status: string } }>('query($id: ID!) { posting(id: $id) { status } }', { id: d.id })).posting.status;
      }
      setMessage(null);
      await onDone(`Retry ${withDate ? `with batch date ${batchDate} ` : ''}done: now ${status}.`);
    } catch (e) {
      setMessage(null);
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="h-actions">
      <h2 id="h-actions">Actions</h2>
      <div class="actions">
        <button type="button" onClick={() => void retry(false)} disabled={busy}>
          Retry now
        </button>
      </div>
      <form
        class="inline-form"
        aria-label="Retry with a batch date"
        onSubmit={(e) => {
          e.preventDefault();
          void retry(true);
        }}
      >
        <div class="field">
          <label for="retry-date">Batch date</label>
          <input id="retry-date" type="date" required value={batchDate} onInput={(e) => setBatchDate((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field grow">
          <label for="retry-reason">Reason (kept in the audit trail)</label>
          <input
            id="retry-reason"
            required
            value={reason}
            onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
            placeholder="e.g. October is closed"
          />
        </div>
        <button type="submit" disabled={busy || !batchDate || !reason.trim()}>
          Retry with this batch date
        </button>
      </form>
      {message && <Notice>{message}</Notice>}
      <ErrorMessage error={error} prefix="Retry refused" />
    </section>
  );
}

export function entryTotals(entry: Pick<Entry, 'lines'>): { debit: string; credit: string; balanced: boolean; difference: string } {
  const scale = scaleOf(entry.lines.map((l) => l.amount));
  let debit = 0n;
  let credit = 0n;
  for (const l of entry.lines) {
    if (l.trType === 1) debit += toUnits(l.amount, scale);
    else credit += toUnits(l.amount, scale);
  }
  return { debit: fromUnits(debit, scale), credit: fromUnits(credit, scale), balanced: debit === credit, difference: fromUnits(debit - credit, scale) };
}

/** What each Intacct object is, in words (the object name follows in parentheses). */
export const RECORD_OBJECT: Record<string, string> = {
  GLBATCH: 'Journal entry',
  EEXPENSES: 'Employee expense report',
  APBILL: 'AP bill',
  CCTRANSACTION: 'Card transaction',
};

export const objectName = (target: string): string => (RECORD_OBJECT[target] ? `${RECORD_OBJECT[target]} (${target})` : target);

/**
 * A document that is (at most) one GLBATCH, perhaps with its reversal: its lines are shown as the
 * journal entry (and reversal entry) as before; any other document shows the lines per record.
 */
export function isSingleJournal(records: ReadonlyArray<Pick<IntacctRecord, 'target' | 'reverses'>>): boolean {
  return records.every((r) => r.target === 'GLBATCH') && records.filter((r) => r.reverses === null).length <= 1;
}

function Records({ records }: { records: IntacctRecord[] }) {
  return (
    <section class="card" aria-labelledby="h-records" data-testid="intacct-records">
      <h2 id="h-records">Intacct records</h2>
      {records.length === 0 ? (
        <p>No Intacct record prepared yet.</p>
      ) : (
        <TableWrap label="Intacct records">
          <table>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Key</th>
                <th scope="col">State</th>
                <th scope="col">RECORDNO</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.postingKey} data-record={r.postingKey} data-target={r.target}>
                  <td>
                    {objectName(r.target)}
                    {r.reverses && <small class="hint"> reverses RECORDNO {r.reverses}</small>}
                  </td>
                  <td>
                    <code>{r.postingKey}</code>
                  </td>
                  <td>
                    <StatusBadge status={r.state} />
                    {r.nextAttemptAt && (
                      <small class="hint">
                        {' '}
                        next attempt <DateTime iso={r.nextAttemptAt} />
                      </small>
                    )}
                  </td>
                  <td data-testid="record-recordno">{r.recordNo ?? '—'}</td>
                  <td class="num">{r.attempts}</td>
                  <td>{r.lastError ? <span class="reason">{`${r.lastError.message} (${r.lastError.category})`}</span> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function RecordDetail({ record, entry }: { record: IntacctRecord; entry: RecordEntry }) {
  const title = `${record.reverses ? 'Reversal: ' : ''}${objectName(record.target)}`;
  const id = `h-record-${record.postingKey}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return (
    <section class="card" aria-labelledby={id} data-testid="record-entry" data-record={record.postingKey}>
      <h2 id={id}>
        {title} <small class="hint">{record.recordNo ? `RECORDNO ${record.recordNo}` : record.state}</small>
      </h2>
      <dl class="facts">
        <dt>Key</dt>
        <dd>
          <code>{record.postingKey}</code>
        </dd>
        {record.reverses && (
          <>
            <dt>Reverses</dt>
            <dd>RECORDNO {record.reverses}</dd>
          </>
        )}
        {record.target === 'GLBATCH' && (
          <>
            <dt>Journal</dt>
            <dd>{entry.journal}</dd>
          </>
        )}
        <dt>Date</dt>
        <dd>
          <DateOnly day={entry.batchDate} />
        </dd>
        <dt>Description</dt>
        <dd>{entry.batchTitle}</dd>
        {entry.employeeId && (
          <>
            <dt>Intacct employee</dt>
            <dd>{entry.employeeId}</dd>
          </>
        )}
        {entry.vendorId && (
          <>
            <dt>Intacct vendor</dt>
            <dd>{entry.vendorId}</dd>
          </>
        )}
        {entry.billNumber && (
          <>
            <dt>Bill number</dt>
            <dd>{entry.billNumber}</dd>
          </>
        )}
        {entry.dueDate && (
          <>
            <dt>Due date</dt>
            <dd>
              <DateOnly day={entry.dueDate} />
            </dd>
          </>
        )}
        {entry.cardAccount && (
          <>
            <dt>Credit-card account</dt>
            <dd>{entry.cardAccount}</dd>
          </>
        )}
        {entry.payee && (
          <>
            <dt>Payee</dt>
            <dd>{entry.payee}</dd>
          </>
        )}
        <dt>Total</dt>
        <dd>
          <Money amount={entry.total} currency={entry.currency} />
        </dd>
      </dl>
      <LinesTable label={`Lines of ${title} ${record.postingKey}`} entry={entry} />
    </section>
  );
}

function EntryTable({ title, entry, testid }: { title: string; entry: Entry; testid: string }) {
  return (
    <section class="card" aria-labelledby={`h-${testid}`} data-testid={testid}>
      <h2 id={`h-${testid}`}>{title}</h2>
      <p>
        Journal <strong>{entry.journal}</strong>, batch date <DateOnly day={entry.batchDate} />, “{entry.batchTitle}”, {entry.currency}
      </p>
      <LinesTable label={title} entry={entry} />
    </section>
  );
}

function LineAccount({ line }: { line: Line }) {
  if (line.offset) return <em class="hint">payable booked by Intacct</em>;
  if (line.expenseType)
    return (
      <>
        expense type <strong>{line.expenseType}</strong>
      </>
    );
  return (
    <>
      <strong>{line.accountNo}</strong> {line.accountName ?? <em>(not in the reference cache)</em>}
    </>
  );
}

function LinesTable({ label, entry }: { label: string; entry: Entry }) {
  const totals = entryTotals(entry);
  return (
    <TableWrap label={label}>
      <table class="entry">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Account</th>
            <th scope="col">Memo</th>
            <th scope="col">Dimensions</th>
            <th scope="col" class="num">
              Debit
            </th>
            <th scope="col" class="num">
              Credit
            </th>
          </tr>
        </thead>
        <tbody>
          {entry.lines.map((l, i) => (
            <tr key={i} class={l.offset ? 'offset' : undefined}>
              <td>{i + 1}</td>
              <td>
                <LineAccount line={l} />
              </td>
              <td>{l.memo}</td>
              <td>
                {l.dimensions.map((dm) => (
                  <span key={dm.target} class="dim">
                    {dm.target} {dm.value}
                    {dm.name ? ` (${dm.name})` : ''}
                  </span>
                ))}
              </td>
              <td class="num debit">{l.trType === 1 ? <Money amount={l.amount} currency={entry.currency} /> : ''}</td>
              <td class="num credit">{l.trType === -1 ? <Money amount={l.amount} currency={entry.currency} /> : ''}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={4}>
              Total{' '}
              {totals.balanced ? <span class="badge badge-ok">balanced</span> : <span class="badge badge-bad">out of balance by {totals.difference}</span>}
            </th>
            <td class="num" data-testid="total-debit">
              <Money amount={totals.debit} currency={entry.currency} />
            </td>
            <td class="num" data-testid="total-credit">
              <Money amount={totals.credit} currency={entry.currency} />
            </td>
          </tr>
        </tfoot>
      </table>
    </TableWrap>
  );
}

function Xml({ label, xml }: { label: string; xml: string | null }) {
  if (!xml) return null;
  return (
    <details>
      <summary>{label}</summary>
      <pre class="code" tabIndex={0}>
        {prettyXml(xml)}
      </pre>
    </details>
  );
}

function Attempts({ attempts }: { attempts: Attempt[] }) {
  return (
    <section class="card" aria-labelledby="h-attempts">
      <h2 id="h-attempts">Requests to Intacct</h2>
      {attempts.length === 0 && <p>Nothing was sent to Intacct yet.</p>}
      <ol class="attempts">
        {attempts.map((a) => (
          <li key={a.number}>
            <p>
              <strong>
                Attempt {a.number}
                {a.reversal ? ' (reversal)' : ''}
              </strong>
              : {a.outcome}
              {a.recordNo && <> · RECORDNO {a.recordNo}</>}
              {a.result && <> · {a.result}</>} · requested <DateTime iso={a.requestedAt} />
              {a.completedAt && (
                <>
                  , answered <DateTime iso={a.completedAt} />
                </>
              )}
            </p>
            {a.error && <p class="reason">{a.error.message}</p>}
            {a.exchanges.length > 1 &&
              a.exchanges.slice(0, -1).map((x, i) => (
                <div key={i} class="exchange">
                  <p class="hint">
                    Earlier round trip at <DateTime iso={x.sentAt} /> ({x.durationMs} ms){x.noResponseReason ? `: ${x.noResponseReason}` : ''}
                  </p>
                  <Xml label="Request (earlier)" xml={x.requestXml} />
                  <Xml label="Response (earlier)" xml={x.responseXml} />
                </div>
              ))}
            <Xml label="Request sent (credentials redacted)" xml={a.requestXml} />
            <Xml label="Response received (session redacted)" xml={a.responseXml} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function Concur({ d }: { d: Detail }) {
  const fetched = [...d.timeline].reverse().find((e) => e.type === 'ConcurDocumentFetched');
  const [copied, setCopied] = useState(false);
  return (
    <section class="card" aria-labelledby="h-concur">
      <h2 id="h-concur">Concur</h2>
      <p>
        Find it in Concur by document ID <code>{d.concurDocumentId}</code>
        {d.reportId && (
          <>
            {' '}
            (report ID <code>{d.reportId}</code>)
          </>
        )}{' '}
        <button
          type="button"
          class="link"
          onClick={() =>
            void navigator.clipboard?.writeText(d.reportId ?? d.concurDocumentId).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          Copy ID
        </button>
        {copied && <span role="status"> copied</span>}
      </p>
      {d.concurConfirmation ? (
        <p>
          Confirmation sent to Concur <DateTime iso={d.concurConfirmation.at} />: <strong>{d.concurConfirmation.status}</strong>
          {d.concurConfirmation.documentNumber && <> · document number {d.concurConfirmation.documentNumber}</>}
          {d.concurConfirmation.messages.length > 0 && <> · {d.concurConfirmation.messages.join('; ')}</>}
        </p>
      ) : (
        <p>No confirmation sent to Concur yet.</p>
      )}
      {fetched && (
        <details>
          <summary>The document as Concur sent it</summary>
          <pre class="code" tabIndex={0}>
            {JSON.stringify((fetched.data as { document?: unknown }).document ?? fetched.data, null, 2)}
          </pre>
        </details>
      )}
    </section>
  );
}

function Timeline({ events }: { events: Detail['timeline'] }) {
  return (
    <section class="card" aria-labelledby="h-timeline">
      <h2 id="h-timeline">Timeline</h2>
      <TableWrap label="Timeline">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">By</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>
                  <DateTime iso={e.occurredAt} />
                </td>
                <td>{e.type}</td>
                <td>{e.actor}</td>
                <td>
                  <details>
                    <summary>data</summary>
                    <pre class="code" tabIndex={0}>
                      {JSON.stringify(e.data, null, 2)}
                    </pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
