/**
 * Mapping import preview and diffs, in one place so the console can move to the service's own
 * dry run when it exists.
 *
 * Today (`importMappings(json, reason)` replaces the whole set; `mappingHistory` has no diff) the
 * console computes here: MERGE as "current set, then every section key of the file over it", the
 * added / changed / removed entries per section and key between two sets, and each history
 * revision's diff by folding the history. With the service's `importMappings(json, mode, dryRun)` and
 * `mappingHistory { diff }`, `previewImport` and `confirmImport` call the service instead and
 * `historyDiffs` reads its diffs; the page does not change.
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
export const KEYED_SECTIONS = ['accounts', 'counterparties', 'taxAccounts', 'dimensions', 'employees', 'defaults', 'options'];
export const SECTIONS = [...SCALAR_SECTIONS, ...KEYED_SECTIONS];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A section as key -> value (dimension rules keyed `source->target`). */
export function entriesOf(doc: MappingDoc, section: string): Record<string, unknown> {
  const value = doc[section];
  if (section === 'dimensions') {
    return Object.fromEntries((Array.isArray(value) ? value : []).filter(isObject).map((r) => [`${String(r['source'])}->${String(r['target'])}`, r]));
  }
  return isObject(value) ? value : {};
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function diffMappings(before: MappingDoc, after: MappingDoc): DiffItem[] {
  const diff: DiffItem[] = [];
  for (const section of SCALAR_SECTIONS) {
    const a = before[section] ?? null;
    const b = after[section] ?? null;
    if (same(a, b)) continue;
    diff.push(a === null ? { section, key: null, change: 'added', after: b } : b === null ? { section, key: null, change: 'removed', before: a } : { section, key: null, change: 'changed', before: a, after: b });
  }
  for (const section of KEYED_SECTIONS) {
    const a = entriesOf(before, section);
    const b = entriesOf(after, section);
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!(key in a)) diff.push({ section, key, change: 'added', after: b[key] });
      else if (!(key in b)) diff.push({ section, key, change: 'removed', before: a[key] });
      else if (!same(a[key], b[key])) diff.push({ section, key, change: 'changed', before: a[key], after: b[key] });
    }
  }
  return diff;
}

/** MERGE: the current set with every entry of the file over it; nothing absent from the file is removed. */
export function mergeMappings(current: MappingDoc, incoming: MappingDoc): MappingDoc {
  const out: MappingDoc = { ...current };
  for (const section of SCALAR_SECTIONS) if (section in incoming) out[section] = incoming[section];
  for (const section of KEYED_SECTIONS) {
    if (!(section in incoming)) continue;
    const merged = { ...entriesOf(current, section), ...entriesOf(incoming, section) };
    out[section] = section === 'dimensions' ? Object.values(merged) : merged;
  }
  return out;
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
  if (unknown.length) return { ok: false, error: `Unknown section${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the sections are ${SECTIONS.join(', ')}.` };
  return { ok: true, doc: value };
}

export interface ImportPreview {
  mode: ImportMode;
  diff: DiffItem[];
  /** What `confirmImport` sends. */
  json: string;
  /** The revision the preview was computed against: the import is refused if the set moved on. */
  baseRevision: number;
}

export function previewImport(text: string, mode: ImportMode, current: { document: MappingDoc; revision: number }): ImportPreview | { error: string } {
  const parsed = parseImport(text);
  if (!parsed.ok) return { error: parsed.error };
  const next = mode === 'MERGE' ? mergeMappings(current.document, parsed.doc) : parsed.doc;
  return { mode, diff: diffMappings(current.document, next), json: JSON.stringify(next, null, 2), baseRevision: current.revision };
}

/** Imports what the preview showed, unless the set changed since (then preview again). */
export async function confirmImport(preview: ImportPreview, reason: string): Promise<{ revision: number }> {
  const { mappings } = await gql<{ mappings: { revision: number } }>('{ mappings { revision } }');
  if (mappings.revision !== preview.baseRevision) throw new Error(`The mapping set changed (revision ${preview.baseRevision} → ${mappings.revision}) since the preview: preview again.`);
  const r = await gql<{ importMappings: { revision: number } }>('mutation Import($json: String!, $reason: String) { importMappings(json: $json, reason: $reason) { revision } }', { json: preview.json, reason });
  return { revision: r.importMappings.revision };
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
}

/**
 * Each revision's diff, folded from the history oldest first. The history query returns the latest
 * 500 changes: a diff before the oldest import in it may be incomplete.
 */
export function historyDiffs(history: readonly HistoryEntry[]): Map<number, DiffItem[]> {
  const ordered = [...history].sort((a, b) => a.revision - b.revision);
  const diffs = new Map<number, DiffItem[]>();
  let set: MappingDoc = {};
  for (const h of ordered) {
    const value = h.value === null ? null : (JSON.parse(h.value) as unknown);
    let next: MappingDoc;
    if (h.type === 'MappingsImported') next = isObject(value) ? value : {};
    else if (h.section && SCALAR_SECTIONS.includes(h.section)) next = { ...set, [h.section]: value };
    else if (h.section) {
      const entries = { ...entriesOf(set, h.section) };
      if (value === null) delete entries[h.key ?? ''];
      else entries[h.key ?? ''] = value;
      next = { ...set, [h.section]: h.section === 'dimensions' ? Object.values(entries) : entries };
    } else next = set;
    diffs.set(h.revision, diffMappings(set, next));
    set = next;
  }
  return diffs;
}

export const describe = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
