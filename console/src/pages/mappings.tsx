import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { can, gql, type Me } from '../api.js';
import { DateTime, ErrorMessage, Notice, PageTitle, TableWrap, useLoad, useReady } from '../components.js';
import { download } from '../format.js';
import {
  confirmImport,
  DIFF_FIELDS,
  describe,
  entriesOf,
  historyDiffs,
  previewImport,
  SCALAR_SECTIONS,
  KEYED_SECTIONS,
  TARGET_LABEL,
  targetsOf,
  type DiffItem,
  type HistoryEntry,
  type ImportMode,
  type ImportPreview,
  type MappingDoc,
} from '../mapping-import.js';

interface MappingsData {
  mappings: { revision: number; json: string; document: MappingDoc };
  mappingHistory: HistoryEntry[];
}

export const MAPPINGS_QUERY = `{ mappings { revision json document } mappingHistory { revision type section key value reason actor occurredAt ${DIFF_FIELDS} } }`;

const SECTION_LABEL: Record<string, string> = {
  journal: 'Journal',
  cashAdvanceAccount: 'Cash advance account',
  accounts: 'Accounts (Concur account code → Intacct account)',
  counterparties: 'Counterparties (payment type)',
  taxAccounts: 'Tax accounts',
  dimensions: 'Dimension rules',
  employees: 'Employees (Concur → Intacct)',
  defaults: 'Defaults (every line)',
  options: 'Options',
  targets: 'Targets (what each kind of item becomes in Intacct)',
  expenseTypes: 'Expense types (Concur expense type → Intacct expense type)',
  cardAccounts: 'Card accounts (Concur card program or payment type → Intacct credit-card account)',
  vendors: 'Vendors (Concur vendor code or employee id → Intacct vendor)',
};

export function MappingsPage({ me }: { me: Me }) {
  const q = useLoad(() => gql<MappingsData>(MAPPINGS_QUERY), 'mappings');
  useReady('mappings', q.data !== null, q.data);
  const data = q.data;
  return (
    <>
      <PageTitle title="Mappings">
        {data && (
          <button
            type="button"
            class="secondary"
            onClick={() =>
              download(`mappings-revision-${data.mappings.revision}.json`, `${JSON.stringify(JSON.parse(data.mappings.json), null, 2)}\n`, 'application/json')
            }
          >
            Export JSON
          </button>
        )}
      </PageTitle>
      <ErrorMessage error={q.error} />
      {data && (
        <>
          <p>
            Revision <strong data-testid="mapping-revision">{data.mappings.revision}</strong>.
          </p>
          <Sections doc={data.mappings.document} />
          <Targets doc={data.mappings.document} editable={can(me.role, 'admin')} onSaved={() => void q.reload()} />
          {can(me.role, 'admin') ? <ImportForm onImported={() => void q.reload()} /> : <p class="hint">An admin token can import mappings here.</p>}
          <History history={data.mappingHistory} />
        </>
      )}
    </>
  );
}

function Sections({ doc }: { doc: MappingDoc }) {
  return (
    <section class="card" aria-labelledby="h-sections">
      <h2 id="h-sections">Current mapping set</h2>
      <dl class="facts">
        {SCALAR_SECTIONS.map((s) => (
          <Fragment key={s}>
            <dt>{SECTION_LABEL[s]}</dt>
            <dd>{describe(doc[s] ?? '—')}</dd>
          </Fragment>
        ))}
      </dl>
      {KEYED_SECTIONS.map((s) => {
        const entries = Object.entries(entriesOf(doc, s));
        return (
          <details key={s} open={s === 'accounts'}>
            <summary>
              {SECTION_LABEL[s]} ({entries.length})
            </summary>
            <TableWrap label={SECTION_LABEL[s]!}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">
                        <code>{k}</code>
                      </th>
                      <td>
                        <code>{describe(v)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </details>
        );
      })}
    </section>
  );
}

/**
 * The targets, one select per key offering only the objects that key may choose (admins, who may
 * change mappings); each changed key is one setMapping with the reason given. Others see the values.
 */
function Targets({ doc, editable, onSaved }: { doc: MappingDoc; editable: boolean; onSaved(): void }) {
  const rows = targetsOf(doc);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const changed = rows.filter((r) => chosen[r.key] !== undefined && chosen[r.key] !== r.value);
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    let revision: number | null = null;
    try {
      for (const r of changed) {
        const answer = await gql<{ setMapping: { revision: number } }>(
          'mutation Target($k: String!, $v: JSON!, $r: String) { setMapping(section: "targets", key: $k, value: $v, reason: $r) { revision } }',
          { k: r.key, v: chosen[r.key], r: reason.trim() },
        );
        revision = answer.setMapping.revision;
      }
      setDone(`Targets saved: mapping revision ${revision}.`);
      setChosen({});
      // The next change gives its own reason.
      setReason('');
      onSaved();
    } catch (err) {
      // Keys saved before the refusal stay saved: reload to show them.
      setError(err as Error);
      if (revision !== null) onSaved();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="h-targets">
      <h2 id="h-targets">{SECTION_LABEL['targets']}</h2>
      <form onSubmit={(e) => void save(e)}>
        <TableWrap label={SECTION_LABEL['targets']!}>
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <th scope="row">
                    <code>{r.key}</code>
                  </th>
                  <td>
                    {editable ? (
                      <select
                        id={`target-${r.key}`}
                        aria-label={`Target for ${r.key}`}
                        value={chosen[r.key] ?? r.value}
                        disabled={busy}
                        onChange={(e) => setChosen({ ...chosen, [r.key]: (e.currentTarget as HTMLSelectElement).value })}
                      >
                        {r.choices.map((c) => (
                          <option key={c} value={c}>
                            {TARGET_LABEL[c] ?? c}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <code>{r.value}</code>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {editable && (
          <>
            <div class="field grow">
              <label for="targets-reason">Reason (kept in the audit trail)</label>
              <input id="targets-reason" value={reason} required onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="actions">
              <button type="submit" disabled={busy || changed.length === 0 || reason.trim() === ''}>
                Save targets
              </button>
            </div>
          </>
        )}
      </form>
      {done && <Notice>{done}</Notice>}
      <ErrorMessage error={error} prefix="Not saved" />
    </section>
  );
}

export function DiffTable({ diff, label }: { diff: DiffItem[]; label: string }) {
  if (diff.length === 0) return <p>No change.</p>;
  return (
    <TableWrap label={label}>
      <table class="diff">
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">Section</th>
            <th scope="col">Key</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {diff.map((d) => (
            <tr key={`${d.section}:${d.key}`} class={`diff-${d.change}`}>
              <td>{d.change}</td>
              <td>{d.section}</td>
              <td>
                <code>{d.key ?? ''}</code>
              </td>
              <td>
                <code>{describe(d.before)}</code>
              </td>
              <td>
                <code>{describe(d.after)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function ImportForm({ onImported }: { onImported(): void }) {
  const [text, setText] = useState('');
  const [mode, setMode] = useState<ImportMode>('MERGE');
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reset = (): void => (setPreview(null), setDone(null), setError(null));
  const onFile = async (e: Event): Promise<void> => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file) setText(await file.text()), reset();
  };
  const runPreview = async (e: Event): Promise<void> => {
    e.preventDefault();
    reset();
    setBusy(true);
    try {
      const p = await previewImport(text, mode);
      if ('error' in p) return (setProblem(p.error), setPreview(null));
      setProblem(null);
      setPreview(p);
    } catch (err) {
      // The service refused the file (unknown values, wrong shapes): its message says what to fix.
      setProblem((err as Error).message);
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (): Promise<void> => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      const r = await confirmImport(preview, reason.trim());
      setDone(`${r.message} Mapping revision ${r.revision}; waiting documents are evaluated again.`);
      setPreview(null);
      onImported();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="h-import">
      <h2 id="h-import">Import</h2>
      <form onSubmit={(e) => void runPreview(e)}>
        <div class="field">
          <label for="import-file">Mapping set file (JSON)</label>
          <input id="import-file" type="file" accept="application/json,.json" onChange={(e) => void onFile(e)} />
        </div>
        <div class="field">
          <label for="import-text">or paste the JSON</label>
          <textarea
            id="import-text"
            rows={6}
            value={text}
            onInput={(e) => (setText((e.currentTarget as HTMLTextAreaElement).value), reset())}
            spellcheck={false}
          />
        </div>
        <fieldset>
          <legend>Mode</legend>
          <label class="check">
            <input type="radio" name="import-mode" value="MERGE" checked={mode === 'MERGE'} onChange={() => (setMode('MERGE'), reset())} /> Merge: add and
            change the file's entries, keep the others
          </label>
          <label class="check">
            <input type="radio" name="import-mode" value="REPLACE" checked={mode === 'REPLACE'} onChange={() => (setMode('REPLACE'), reset())} /> Replace: the
            file becomes the whole set
          </label>
        </fieldset>
        <div class="field grow">
          <label for="import-reason">Reason (kept in the audit trail)</label>
          <input id="import-reason" value={reason} required onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="actions">
          <button type="submit" disabled={text.trim() === ''}>
            Preview changes (dry run)
          </button>
        </div>
      </form>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {preview && (
        <div class="preview" data-testid="import-preview">
          <h3>
            Preview: {preview.diff.length} change{preview.diff.length === 1 ? '' : 's'} ({preview.mode === 'MERGE' ? 'merge' : 'replace'})
          </h3>
          <DiffTable diff={preview.diff} label="Import preview" />
          <div class="actions">
            <button type="button" onClick={() => void confirm()} disabled={busy || preview.diff.length === 0 || reason.trim() === ''}>
              Confirm import
            </button>
            <button type="button" class="secondary" onClick={reset}>
              Cancel
            </button>
          </div>
          {reason.trim() === '' && <p class="hint">Give a reason to confirm.</p>}
        </div>
      )}
      {done && <Notice>{done}</Notice>}
      <ErrorMessage error={error} prefix="Not imported" />
    </section>
  );
}

function History({ history }: { history: HistoryEntry[] }) {
  const diffs = historyDiffs(history);
  return (
    <section class="card" aria-labelledby="h-history">
      <h2 id="h-history">History</h2>
      <ol class="history" reversed>
        {history.map((h) => {
          const diff = diffs.get(h.revision) ?? [];
          return (
            <li key={h.revision}>
              <p>
                <strong>Revision {h.revision}</strong> · <DateTime iso={h.occurredAt} /> · {h.actor} ·{' '}
                {h.type === 'MappingsImported' ? 'imported the set' : `${h.section}${h.key ? ` ${h.key}` : ''}`}
                {h.reason && <> · “{h.reason}”</>}
              </p>
              <details>
                <summary>
                  {diff.length} change{diff.length === 1 ? '' : 's'}
                </summary>
                <DiffTable diff={diff} label={`Changes of revision ${h.revision}`} />
              </details>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
