import { useState } from 'preact/hooks';
import { can, gql, type Me } from '../api.js';
import { ErrorMessage, Money, Notice, PageTitle, StatusBadge, TableWrap, ValuePicker, sleep, useLoad, useReady } from '../components.js';
import { planFix, type FixPlan, type Gap } from '../gap-fix.js';
import { href } from '../router.js';

interface GapDoc {
  id: string;
  concurDocumentId: string;
  reportName: string | null;
  status: string;
  amount: string | null;
  currency: string | null;
  employeeId: string | null;
}
interface GapGroup extends Gap {
  documentCount: number;
  documents: GapDoc[];
}

export const GAPS_QUERY = `{ mappingGaps { kind code field message documentCount documents { id concurDocumentId reportName status amount currency employeeId } } mappings { revision document } }`;

export function GapsPage({ me }: { me: Me }) {
  const q = useLoad(() => gql<{ mappingGaps: GapGroup[]; mappings: { revision: number; document: Record<string, unknown> } }>(GAPS_QUERY), 'gaps');
  useReady('gaps', q.data !== null, q.data);
  const [fixed, setFixed] = useState<Array<{ summary: string; revision: number; documents: GapDoc[] }>>([]);
  return (
    <>
      <PageTitle title="Mapping gaps">
        <button type="button" class="secondary" onClick={() => void q.reload()} disabled={q.loading}>
          Refresh
        </button>
      </PageTitle>
      <ErrorMessage error={q.error} />
      {fixed.map((f) => (
        <FixedProgress key={f.revision} {...f} />
      ))}
      {q.data && q.data.mappingGaps.length === 0 && <p>No document waits for a mapping.</p>}
      {q.data?.mappingGaps.map((g) => (
        <section class="card" key={`${g.kind}:${g.field}:${g.code}`} aria-label={`Gap ${g.field} ${g.code}`} data-gap={`${g.field}:${g.code}`}>
          <h2>
            {g.kind} <code>{g.code || '(none)'}</code> <small class="hint">{g.field}</small>
          </h2>
          <p class="reason">{g.message}</p>
          <p>
            {g.documentCount} document{g.documentCount === 1 ? '' : 's'} waiting:
          </p>
          <TableWrap label={`Documents waiting on ${g.code}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Report</th>
                  <th scope="col">Employee</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {g.documents.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <a href={href(['documents', d.id])}>{d.reportName ?? d.concurDocumentId}</a>
                    </td>
                    <td>{d.employeeId ?? '—'}</td>
                    <td class="num">
                      <Money amount={d.amount} currency={d.currency} />
                    </td>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {can(me.role, 'admin') ? (
            <FixForm
              gap={g}
              plan={planFix(g, q.data!.mappings.document, g.documents[0]?.employeeId ?? null)}
              onSaved={(summary, revision) => {
                setFixed((list) => [{ summary, revision, documents: g.documents }, ...list]);
                void q.reload();
              }}
            />
          ) : (
            <p class="hint">An admin token can fix this mapping here.</p>
          )}
        </section>
      ))}
    </>
  );
}

function FixForm({ gap, plan, onSaved }: { gap: Gap; plan: FixPlan | string; onSaved(summary: string, revision: number): void }) {
  const [values, setValues] = useState<Record<string, { value: string; valid: boolean }>>({});
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  if (typeof plan === 'string') return <p class="hint">{plan}</p>;
  const id = (name: string): string => `fix-${gap.kind}-${gap.code}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const ready = plan.inputs.every((i) => values[i.name]?.value.trim() && values[i.name]?.valid) && reason.trim() !== '';
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(null);
    try {
      const value = plan.value(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.value.trim()])));
      const r = await gql<{ setMapping: { revision: number } }>(
        'mutation Fix($s: String!, $k: String!, $v: JSON!, $r: String) { setMapping(section: $s, key: $k, value: $v, reason: $r) { revision } }',
        {
          s: plan.section,
          k: plan.key,
          v: value,
          r: reason.trim(),
        },
      );
      onSaved(plan.summary, r.setMapping.revision);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="fix" onSubmit={save} aria-label={`Fix: ${plan.summary}`}>
      <h3>Fix: {plan.summary}</h3>
      {plan.inputs.map((i) => (
        <ValuePicker
          key={i.name}
          id={id(i.name)}
          label={i.label}
          kind={i.kind}
          value={values[i.name]?.value ?? ''}
          onValue={(value, valid) => setValues((v) => ({ ...v, [i.name]: { value, valid } }))}
          required
        />
      ))}
      <div class="field grow">
        <label for={id('reason')}>Reason (kept in the audit trail)</label>
        <input id={id('reason')} required value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="actions">
        <button type="submit" disabled={busy || !ready}>
          Save mapping
        </button>
      </div>
      <ErrorMessage error={error} prefix="Not saved" />
    </form>
  );
}

/** After a fix: the documents that waited, polled until they no longer wait. */
function FixedProgress({ summary, revision, documents }: { summary: string; revision: number; documents: GapDoc[] }) {
  const [live, setLive] = useState<Record<string, string>>({});
  const q = useLoad(async () => {
    const statuses: Record<string, string> = {};
    for (let round = 0; round < 60; round++) {
      for (const d of documents)
        statuses[d.id] = (await gql<{ posting: { status: string } }>('query($id: ID!) { posting(id: $id) { status } }', { id: d.id })).posting.status;
      if (Object.values(statuses).every((s) => ['POSTED', 'CONFIRMED', 'REJECTED', 'FAILED'].includes(s))) break;
      if (round === 0 || round % 4 === 0) setLive({ ...statuses });
      await sleep(500);
    }
    return statuses;
  }, `fixed:${revision}`);
  const statuses = q.data ?? live;
  return (
    <section class="card done" aria-label="Saved mapping" data-testid="fix-progress">
      <Notice>
        Saved {summary} as mapping revision {revision}. {q.data ? 'The documents that waited:' : 'The documents that waited are evaluated again…'}
      </Notice>
      <ul>
        {documents.map((d) => (
          <li key={d.id}>
            <a href={href(['documents', d.id])}>{d.reportName ?? d.concurDocumentId}</a> {statuses[d.id] ? <StatusBadge status={statuses[d.id]!} /> : '…'}
          </li>
        ))}
      </ul>
    </section>
  );
}
