import { useEffect, useState } from 'preact/hooks';
import { can, gql, type Me } from '../api.js';
import { DateTime, ErrorMessage, PageTitle, TableWrap, sleep, useLoad, useReady } from '../components.js';
import { isoDay } from '../format.js';

interface Job {
  id: string;
  kind: string;
  state: string;
  dryRun: boolean;
  processed: number;
  total: number | null;
  progress: number | null;
  startedAt: string;
  finishedAt: string | null;
  items: string[];
  error: string | null;
}
interface Projection {
  name: string;
  version: number;
  position: string;
  headPosition: string;
  lag: number;
  state: string;
  rebuildProgress: number | null;
  error: string | null;
}
interface SyncRun {
  id: string;
  kinds: string[];
  state: string;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, number>;
  errors: string[];
}

const JOB = 'id kind state dryRun processed total progress startedAt finishedAt items error';
export const JOBS_QUERY = `{ jobs { ${JOB} } projections { name version position headPosition lag state rebuildProgress error } syncRuns { id kinds state startedAt finishedAt counts errors } }`;

export function JobsPage({ me }: { me: Me }) {
  const [tick, setTick] = useState(0);
  const q = useLoad(() => gql<{ jobs: Job[]; projections: Projection[]; syncRuns: SyncRun[] }>(JOBS_QUERY), `jobs:${tick}`);
  useReady('jobs', q.data !== null, q.data);
  const busy = q.data && (q.data.jobs.some((j) => j.state === 'running') || q.data.projections.some((p) => p.state === 'rebuilding'));
  useEffect(() => {
    if (!busy) return;
    const t = setTimeout(() => setTick((n) => n + 1), 700);
    return () => clearTimeout(t);
  }, [busy, q.data]);
  const refresh = (): void => setTick((n) => n + 1);
  const operator = can(me.role, 'operator');
  return (
    <>
      <PageTitle title="Jobs" />
      <ErrorMessage error={q.error} />
      {operator ? (
        <div class="grid">
          <Backfill onStarted={refresh} />
          <Replay projections={q.data?.projections ?? []} onStarted={refresh} />
          <Sync onStarted={refresh} />
        </div>
      ) : (
        <p class="hint">An operator token can start a backfill, a replay or a reference sync here.</p>
      )}
      {q.data && (
        <>
          <section class="card" aria-labelledby="h-jobs">
            <h2 id="h-jobs">Jobs since the service started</h2>
            {q.data.jobs.length === 0 && <p>No job yet.</p>}
            <ul class="plain jobs">
              {q.data.jobs.map((j) => (
                <JobView key={j.id} job={j} />
              ))}
            </ul>
          </section>
          <section class="card" aria-labelledby="h-projections">
            <h2 id="h-projections">Projections</h2>
            <TableWrap label="Projections">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Version</th>
                    <th scope="col">State</th>
                    <th scope="col" class="num">
                      Position
                    </th>
                    <th scope="col" class="num">
                      Lag
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {q.data.projections.map((p) => (
                    <tr key={p.name}>
                      <th scope="row">{p.name}</th>
                      <td>{p.version}</td>
                      <td>
                        {p.state}
                        {p.rebuildProgress !== null && (
                          <>
                            {' '}
                            <progress max={1} value={p.rebuildProgress} aria-label={`${p.name} rebuild`} /> {Math.round(p.rebuildProgress * 100)}%
                          </>
                        )}
                        {p.error && <span class="error"> {p.error}</span>}
                      </td>
                      <td class="num">
                        {p.position} / {p.headPosition}
                      </td>
                      <td class="num">{p.lag}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </section>
          <section class="card" aria-labelledby="h-syncruns">
            <h2 id="h-syncruns">Reference sync runs</h2>
            <TableWrap label="Reference sync runs">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Kinds</th>
                    <th scope="col">State</th>
                    <th scope="col">Counts</th>
                    <th scope="col">Problems</th>
                  </tr>
                </thead>
                <tbody>
                  {q.data.syncRuns.length === 0 && (
                    <tr>
                      <td colSpan={5}>No sync run yet.</td>
                    </tr>
                  )}
                  {q.data.syncRuns.slice(0, 20).map((r) => (
                    <tr key={r.id}>
                      <td>
                        <DateTime iso={r.startedAt} />
                      </td>
                      <td>{r.kinds.join(', ')}</td>
                      <td>{r.state}</td>
                      <td>
                        {Object.entries(r.counts)
                          .map(([k, v]) => `${k} ${v}`)
                          .join(', ')}
                      </td>
                      <td>{r.errors.join('; ') || '—'}</td>
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

function JobView({ job }: { job: Job }) {
  return (
    <li data-job={job.id}>
      <p>
        <strong>
          {job.kind}
          {job.dryRun ? ' (dry run)' : ''}
        </strong>{' '}
        · {job.state} · started <DateTime iso={job.startedAt} />
        {job.finishedAt && (
          <>
            , finished <DateTime iso={job.finishedAt} />
          </>
        )}
      </p>
      <p>
        <progress max={job.total ?? 1} value={job.total ? job.processed : job.state === 'running' ? undefined : 1} aria-label={`${job.kind} progress`} />{' '}
        {job.processed}
        {job.total !== null ? ` of ${job.total}` : ''} processed
      </p>
      {job.error && (
        <p class="error" role="alert">
          {job.error}
        </p>
      )}
      {job.items.length > 0 && (
        <details open={job.dryRun}>
          <summary>
            {job.items.length} result line{job.items.length === 1 ? '' : 's'}
          </summary>
          <ul class="items">
            {job.items.slice(0, 500).map((i, n) => (
              <li key={n}>
                <code>{i}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

async function watch(id: string, onStarted: () => void): Promise<Job> {
  onStarted();
  for (;;) {
    const { job } = await gql<{ job: Job | null }>(`query($id: ID!) { job(id: $id) { ${JOB} } }`, { id });
    if (!job || job.state !== 'running') return job!;
    await sleep(500);
  }
}

function Backfill({ onStarted }: { onStarted(): void }) {
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getFullYear(), today.getMonth(), 1)));
  const [to, setTo] = useState(isoDay(today));
  const [dryRun, setDryRun] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Job | null>(null);
  const start = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await gql<{ backfill: Job }>(
        `mutation Backfill($from: Date!, $to: Date!, $dry: Boolean) { backfill(from: $from, to: $to, dryRun: $dry) { ${JOB} } }`,
        { from, to, dry: dryRun },
      );
      const final = await watch(r.backfill.id, onStarted);
      setPreview(dryRun ? final : null);
      onStarted();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="h-backfill">
      <h2 id="h-backfill">Backfill from Concur</h2>
      <form onSubmit={start}>
        <div class="field">
          <label for="bf-from">Approved from</label>
          <input id="bf-from" type="date" required value={from} onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="bf-to">Approved to</label>
          <input id="bf-to" type="date" required value={to} onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <label class="check">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun((e.currentTarget as HTMLInputElement).checked)} /> Dry run: only show what would
          post
        </label>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {dryRun ? 'Preview backfill' : 'Start backfill'}
          </button>
        </div>
      </form>
      <ErrorMessage error={error} prefix="Backfill refused" />
      {preview && (
        <div data-testid="backfill-preview">
          <h3>Would post ({preview.items.length})</h3>
          <ul class="items">
            {preview.items.map((i, n) => (
              <li key={n}>
                <code>{i}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function Replay({ projections, onStarted }: { projections: Projection[]; onStarted(): void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const chosen = name || projections[0]?.name || '';
  const start = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(null);
    try {
      await gql('mutation Replay($n: String!) { replayProjection(name: $n) { name state } }', { n: chosen });
      onStarted();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section class="card" aria-labelledby="h-replay">
      <h2 id="h-replay">Replay a projection</h2>
      <form onSubmit={start}>
        <div class="field">
          <label for="rp-name">Projection</label>
          <select id="rp-name" value={chosen} onChange={(e) => setName((e.currentTarget as HTMLSelectElement).value)}>
            {projections.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <p class="hint">Rebuilds the read model from the event log; the old one keeps serving until the new one is live.</p>
        <div class="actions">
          <button type="submit" disabled={!chosen}>
            Replay
          </button>
        </div>
      </form>
      <ErrorMessage error={error} prefix="Replay refused" />
    </section>
  );
}

const SYNC_KINDS = [
  { kind: 'DIMENSIONS', label: 'Intacct accounts and dimensions' },
  { kind: 'EMPLOYEE', label: 'Employees' },
  { kind: 'VENDOR', label: 'Vendors' },
];

function Sync({ onStarted }: { onStarted(): void }) {
  const [kinds, setKinds] = useState<string[]>(SYNC_KINDS.map((k) => k.kind));
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await gql<{ syncReferenceData: Job }>(`mutation Sync($k: [ReferenceKind!]) { syncReferenceData(kinds: $k) { ${JOB} } }`, { k: kinds });
      await watch(r.syncReferenceData.id, onStarted);
      onStarted();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="h-sync">
      <h2 id="h-sync">Reference sync</h2>
      <form onSubmit={start}>
        <fieldset>
          <legend>What to synchronise</legend>
          {SYNC_KINDS.map((k) => (
            <label key={k.kind} class="check">
              <input
                type="checkbox"
                checked={kinds.includes(k.kind)}
                onChange={() => setKinds(kinds.includes(k.kind) ? kinds.filter((x) => x !== k.kind) : [...kinds, k.kind])}
              />{' '}
              {k.label}
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={busy || kinds.length === 0}>
            Sync now
          </button>
        </div>
      </form>
      <ErrorMessage error={error} prefix="Sync refused" />
    </section>
  );
}
