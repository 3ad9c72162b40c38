/**
 * Mapping import preview and diffs. The service decides everything: `importMappings(json, mode,
 * dryRun: true)` answers with the diff it would record (MERGE: the file's sections and keys override,
 * the rest is kept; REPLACE: the file becomes the set), the confirmed import sends the same file with
 * the same mode, and `mappingHistory { diff }` carries each revision's diff. The console only parses
 * the file first (to say at once what is wrong with it) and renders.
 */
import { gql } from './api.js';

export type MappingDoc = Record<string, unknown>;
export type ImportMode = 'MERGE' | 'REPLACE';

export interface DiffItem {
  section: string;
  /** Null for the scalar sections (journal, cashAdvanceAccount). */
  key: string | null;
  change: 'added' | 'changed' | 'removed';
  before?: unknown;
  after?: unknown;
}

export const SCALAR_SECTIONS = ['journal', 'cashAdvanceAccount'];
/** Sections shown as key -> value tables. */
export const KEYED_SECTIONS = [
  'accounts',
  'counterparties',
  'taxAccounts',
  'dimensions',
  'employees',
  'defaults',
  'options',
  'expenseTypes',
  'cardAccounts',
  'vendors',
];
/** `targets` has fixed keys, each with a choice of Intacct objects: shown (and edited) as selects, not as a table. */
export const SECTIONS = [...SCALAR_SECTIONS, ...KEYED_SECTIONS, 'targets'];

/**
 * The keys of `targets` as setMapping addresses them, each with the Intacct objects it may choose
 * (the domain's TARGET_CHOICES, src/domain/mapping/model.ts; a unit spec keeps the two equal).
 */
export const TARGET_CHOICES: ReadonlyArray<readonly [key: string, choices: readonly string[]]> = [
  ['expense.outOfPocket', ['GLBATCH', 'EEXPENSES', 'APBILL']],
  ['expense.companyCard', ['GLBATCH', 'CCTRANSACTION']],
  ['expense.companyPaid', ['GLBATCH']],
  ['invoice', ['GLBATCH', 'APBILL']],
  ['paymentRequest', ['GLBATCH', 'APBILL']],
  ['cashAdvance', ['GLBATCH']],
];

/** What each Intacct object is, for the page (README, Mapping set). */
export const TARGET_LABEL: Record<string, string> = {
  GLBATCH: 'GLBATCH: journal entry',
  EEXPENSES: 'EEXPENSES: employee expense report, reimbursed through Intacct',
  APBILL: 'APBILL: AP bill, paid through Intacct payables',
  CCTRANSACTION: 'CCTRANSACTION: credit-card transaction, one per card account',
};

export interface TargetRow {
  key: string;
  /** The current target; GLBATCH when the set does not name one. */
  value: string;
  choices: readonly string[];
}

/** The set's targets, one row per key, in the order of TARGET_CHOICES. */
export function targetsOf(doc: MappingDoc): TargetRow[] {
  const targets = isObject(doc['targets']) ? doc['targets'] : {};
  return TARGET_CHOICES.map(([key, choices]) => {
    const [head, tail] = key.split('.') as [string, string | undefined];
    const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
    const section = own(targets, head);
    const value = tail === undefined ? section : isObject(section) ? own(section, tail) : undefined;
    return { key, value: typeof value === 'string' ? value : 'GLBATCH', choices };
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A section as key -> value (dimension rules keyed `source->target`, targets by their setMapping keys). */
export function entriesOf(doc: MappingDoc, section: string): Record<string, unknown> {
  const value = doc[section];
  if (section === 'targets') return Object.fromEntries(targetsOf(doc).map((t) => [t.key, t.value]));
  if (section === 'dimensions') {
    return Object.fromEntries((Array.isArray(value) ? value : []).filter(isObject).map((r) => [`${String(r['source'])}->${String(r['target'])}`, r]));
  }
  return isObject(value) ? value : {};
}

export type Parsed = { ok: true; doc: MappingDoc } | { ok: false; error: string };

export function parseImport(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, error: 'The file must be a JSON object with the mapping set sections (journal, accounts, …).' };
  const unknown = Object.keys(value).filter((k) => !SECTIONS.includes(k));
  if (unknown.length)
    return { ok: false, error: `Unknown section${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the sections are ${SECTIONS.join(', ')}.` };
  return { ok: true, doc: value };
}

export interface ImportPreview {
  mode: ImportMode;
  diff: DiffItem[];
  /** The file as given: `confirmImport` sends it with the same mode. */
  json: string;
  /** The revision the preview was computed against: the import is refused if the set moved on. */
  baseRevision: number;
  /** The service's one-sentence answer ("Dry run: 3 change(s) … would be recorded"). */
  message: string;
}

/** The service's `MappingDiffEntry` (src/graphql/types/mapping-diff.ts). */
interface ServerDiff {
  change: 'ADDED' | 'CHANGED' | 'REMOVED';
  section: string;
  key: string | null;
  oldValue: unknown;
  newValue: unknown;
}

export const DIFF_FIELDS = 'diff { change section key oldValue newValue }';

export function toDiffItems(diff: readonly ServerDiff[]): DiffItem[] {
  return diff.map((d) => {
    const change = d.change.toLowerCase() as DiffItem['change'];
    return {
      section: d.section,
      key: d.key,
      change,
      ...(change !== 'added' ? { before: d.oldValue } : {}),
      ...(change !== 'removed' ? { after: d.newValue } : {}),
    };
  });
}

const IMPORT = `mutation Import($json: String!, $mode: MappingImportMode, $dryRun: Boolean, $reason: String) {
  importMappings(json: $json, mode: $mode, dryRun: $dryRun, reason: $reason) { revision changed message ${DIFF_FIELDS} }
}`;

interface ImportAnswer {
  importMappings: { revision: number; changed: boolean; message: string; diff: ServerDiff[] };
}

/** Asks the service what the import would change (nothing is recorded). */
export async function previewImport(text: string, mode: ImportMode): Promise<ImportPreview | { error: string }> {
  const parsed = parseImport(text);
  if (!parsed.ok) return { error: parsed.error };
  const r = await gql<ImportAnswer>(IMPORT, { json: text, mode, dryRun: true, reason: 'preview in the console' });
  return { mode, diff: toDiffItems(r.importMappings.diff), json: text, baseRevision: r.importMappings.revision, message: r.importMappings.message };
}

/** Imports what the preview showed, unless the set changed since (then preview again). */
export async function confirmImport(preview: ImportPreview, reason: string): Promise<{ revision: number; message: string }> {
  const { mappings } = await gql<{ mappings: { revision: number } }>('{ mappings { revision } }');
  if (mappings.revision !== preview.baseRevision)
    throw new Error(`The mapping set changed (revision ${preview.baseRevision} → ${mappings.revision}) since the preview: preview again.`);
  const r = await gql<ImportAnswer>(IMPORT, { json: preview.json, mode: preview.mode, dryRun: false, reason });
  return { revision: r.importMappings.revision, message: r.importMappings.message };
}

export interface HistoryEntry {
  revision: number;
  type: string;
  section: string | null;
  key: string | null;
  /** JSON text: the new value; the whole set for an import; "null" for a removal. */
  value: string | null;
  reason: string | null;
  actor: string;
  occurredAt: string;
  diff: ServerDiff[];
}

/** Each revision's diff, as the service recorded it. */
export function historyDiffs(history: readonly HistoryEntry[]): Map<number, DiffItem[]> {
  return new Map(history.map((h) => [h.revision, toDiffItems(h.diff ?? [])]));
}

/** A diff value as the page shows it. */
export const describe = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
