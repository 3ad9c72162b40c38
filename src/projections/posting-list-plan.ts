import type Database from 'better-sqlite3';
import type { PostingFilter } from './posting-queries.js';
import { signedCents } from './posting-state.js';

/**
 * How `PostingQueries.list` reads one page of "postings matching a filter, newest first" without
 * visiting every row. SQLite has no statistics on a freshly built read model (each rebuild makes new
 * tables), so its planner guesses, and its guesses cost seconds at 100,000 postings (sorting a whole
 * date range, or scanning the table for a rare amount). Instead we measure each condition with a
 * capped count on its own index and pick the plan ourselves; unary `+` on a column keeps SQLite from
 * using that column's index, so the chosen condition is the only one it can seek with.
 *
 * Plans (every index ends in seq, the rowid):
 * - walk: an equality or IN list drives; each value walks (column, seq) newest first and stops after
 *   the page, the other conditions are checked on the way. Cost: the page divided by how often the
 *   other conditions hold, never more than the rows of that value.
 * - seek: a selective range or text condition drives; its matches are read from its index and only
 *   their seqs are sorted. Cost: the number of matches (fewer than BROAD_ABOVE).
 * - scan: nothing selective; walk the table newest first checking every condition. Cost: the page
 *   divided by how often the filter holds.
 */

/** Above this many matches a condition counts as broad: walking or scanning beats sorting its matches. */
export const BROAD_ABOVE = 4000;

export interface Condition {
  name: string;
  kind: 'equality' | 'range' | 'text';
  /** The predicate written so SQLite can seek this condition's index. */
  indexed: string;
  /** The same predicate, with `+column` so SQLite cannot use an index for it. */
  checked: string;
  /** Equality: one predicate per value, each an ordered walk of (column, seq). */
  perValue: string[];
  /** Capped count of the rows this condition alone matches (null: it has no usable index). */
  estimateSql: string | null;
  /** Text: the seqs whose report name matches (up to BROAD_ABOVE), read once per list as @textSeqs. */
  candidatesSql?: string;
  /** Text: capped count of the names holding its most distinctive trigrams (@textTrigrams), index only. */
  narrowProbeSql?: string;
  /** Text: candidatesSql, looked up by those trigrams only; used when the probe stays under the cap. */
  narrowCandidatesSql?: string;
  /** Text, @textSeqs known: its matches as seqs, to count it alone without reading the table. */
  matchesSql?: string;
  /** Text, too many names for @textSeqs: a predicate for counts reading the narrow text table, not rows. */
  inCount?: string;
  /** Text, too many names for @textSeqs: counts it alone. */
  countAloneSql?: string;
}

export interface ListPlan {
  mode: 'walk' | 'seek' | 'scan';
  /** The condition whose index is used; null for a plain scan. */
  driver: Condition | null;
  /** Condition whose index answers the count (a covering range index when one applies). */
  counter: Condition | null;
  conditions: Condition[];
}

/** The filter as conditions, with their named parameters. */
export function conditionsOf(filter: PostingFilter, cap = BROAD_ABOVE, textTable = true): { conditions: Condition[]; params: Record<string, unknown> } {
  const conditions: Condition[] = [];
  const params: Record<string, unknown> = {};
  const capped = (where: string, table = 'postings') => `SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE ${where} LIMIT ${cap})`;
  const equality = (name: string, column: string, values: string[] | undefined, prefix: string): void => {
    const distinct = [...new Set(values ?? [])];
    if (distinct.length === 0) return;
    const names = distinct.map((v, i) => ((params[`${prefix}${i}`] = v), `@${prefix}${i}`));
    const indexed = `${column} IN (${names.join(', ')})`;
    conditions.push({
      name,
      kind: 'equality',
      indexed,
      checked: `+${indexed}`,
      perValue: names.map((n) => `${column} = ${n}`),
      estimateSql: capped(indexed),
    });
  };
  equality('status', 'status', filter.status, 'st');
  equality('docType', 'doc_type', filter.docType, 'dt');
  if (filter.employeeId) equality('employeeId', 'employee_id', [filter.employeeId], 'emp');
  if (filter.reportId) equality('reportId', 'report_id', [filter.reportId], 'rep');

  const range = (name: string, column: string, low: unknown, high: unknown, prefix: string): void => {
    const bounds: string[] = [];
    if (low !== undefined) (params[`${prefix}Low`] = low), bounds.push(`${column} >= @${prefix}Low`);
    if (high !== undefined) (params[`${prefix}High`] = high), bounds.push(`${column} <= @${prefix}High`);
    if (bounds.length === 0) return;
    const indexed = bounds.join(' AND ');
    conditions.push({ name, kind: 'range', indexed, checked: bounds.map((b) => `+${b}`).join(' AND '), perValue: [], estimateSql: capped(indexed) });
  };
  range('updated', 'updated_at', filter.updatedFrom || undefined, filter.updatedTo ? endOfDay(filter.updatedTo) : undefined, 'upd');
  range(
    'amount',
    'amount_cents',
    filter.minAmount ? signedCents(filter.minAmount) : undefined,
    filter.maxAmount ? signedCents(filter.maxAmount) : undefined,
    'amt',
  );

  if (filter.text) {
    // Report name contains the text (ASCII case-insensitive, LIKE), or the text is exactly one of the ids.
    params.text = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.exact = filter.text;
    // The trigram index serves LIKE only without ESCAPE: look it up with % and _ as one-character
    // wildcards (a superset), then keep the names that match exactly, still inside the text table.
    // Trigrams need three characters: a shorter text reads the (narrow) text table instead.
    params.textCandidates = `%${filter.text.replace(/[%_]/g, '_')}%`;
    const exactName = `+report_name LIKE @text ESCAPE '\\'`;
    const nameLookup = [...filter.text].length >= 3 ? `report_name LIKE @textCandidates AND ${exactName}` : exactName;
    const exactColumns = ['report_id', 'concur_document_id', 'employee_id', 'posting_key', 'intacct_record_no'];
    const exacts = exactColumns.map((c) => `SELECT seq FROM postings WHERE ${c} = @exact`);
    const allNames = `SELECT seq FROM postings_text WHERE ${exactName}`;
    const checked = `(${exactName} OR ${exactColumns.map((c) => `+${c} = @exact`).join(' OR ')})`;
    if (!textTable) {
      // A generation built before the text table existed (it serves while its successor is rebuilt).
      conditions.push({
        name: 'text',
        kind: 'text',
        indexed: checked,
        checked,
        perValue: [],
        estimateSql: null,
        inCount: checked,
        countAloneSql: `SELECT count(*) FROM postings WHERE ${checked}`,
      });
      return { conditions, params };
    }
    const trigrams = distinctiveTrigrams(filter.text);
    if (trigrams) params.textTrigrams = trigrams;
    conditions.push({
      name: 'text',
      kind: 'text',
      ...(trigrams
        ? {
            narrowProbeSql: capped(`report_name MATCH @textTrigrams`, 'postings_text'),
            narrowCandidatesSql: `SELECT seq FROM postings_text WHERE report_name MATCH @textTrigrams AND ${exactName} LIMIT ${cap}`,
          }
        : {}),
      indexed: `seq IN (${[`SELECT value FROM json_each(@textSeqs)`, ...exacts].join(' UNION ALL ')})`,
      checked,
      perValue: [],
      estimateSql: `SELECT ${exactColumns.map((c) => `(${capped(`${c} = @exact`)})`).join(' + ')}`,
      candidatesSql: `SELECT seq FROM postings_text WHERE ${nameLookup} LIMIT ${cap}`,
      matchesSql: [`SELECT value FROM json_each(@textSeqs)`, ...exacts].join(' UNION '),
      inCount: `seq IN (${[allNames, ...exacts].join(' UNION ALL ')})`,
      // Every matching name, plus the id matches whose name does not match (no row counted twice).
      countAloneSql: `SELECT (SELECT count(*) FROM (${allNames})) + (SELECT count(*) FROM postings WHERE seq IN (${exacts.join(' UNION ALL ')}) AND NOT coalesce(report_name LIKE @text ESCAPE '\\', 0))`,
    });
  }
  return { conditions, params };
}

/** Measures each condition (capped) and picks the plan; see the file comment. */
export function choosePlan(
  conditions: Condition[],
  params: Record<string, unknown>,
  prepare: (sql: string) => Database.Statement,
  cap = BROAD_ABOVE,
): ListPlan {
  const measured: Array<{ condition: Condition; estimate: number }> = [];
  for (const condition of conditions) {
    if (condition.estimateSql === null) continue;
    let estimate = 0;
    if (condition.candidatesSql) {
      // The LIKE lookup intersects the posting lists of every trigram of the text, and the common
      // ones ("Tri", "ip ") list nearly every posting: milliseconds. When a few distinctive trigrams
      // already narrow the names below the cap, look up by those and let the LIKE re-check decide.
      const narrow = condition.narrowProbeSql && (prepare(condition.narrowProbeSql).pluck().get(params) as number) < cap;
      const seqs = prepare(narrow ? condition.narrowCandidatesSql! : condition.candidatesSql)
        .pluck()
        .all(params) as number[];
      // Too many names match: this condition is only checked row by row, never used to seek.
      if (seqs.length >= cap) continue;
      params.textSeqs = JSON.stringify(seqs);
      estimate = seqs.length;
    }
    measured.push({ condition, estimate: estimate + (prepare(condition.estimateSql).pluck().get(params) as number) });
  }
  measured.sort((a, b) => a.estimate - b.estimate);
  const best = measured[0];
  const counter = countingCondition(conditions, measured) ?? best?.condition ?? null;
  if (best && best.estimate < cap) {
    return { mode: best.condition.kind === 'equality' ? 'walk' : 'seek', driver: best.condition, counter, conditions };
  }
  const equality = measured.find((m) => m.condition.kind === 'equality');
  if (equality) return { mode: 'walk', driver: equality.condition, counter, conditions };
  return { mode: 'scan', driver: null, counter, conditions };
}

/**
 * The range indexes cover status, doc type and the other range, so a count over only those
 * conditions never reads the table: count with the narrower range. Otherwise the narrowest condition.
 */
function countingCondition(conditions: Condition[], measured: Array<{ condition: Condition }>): Condition | null {
  const covered = conditions.every((c) => ['status', 'docType', 'updated', 'amount'].includes(c.name));
  if (!covered) return null;
  return measured.find((m) => m.condition.kind === 'range')?.condition ?? null;
}

/**
 * Counts every match, seeking the counter's index. A text condition is read as a set of seqs (probes
 * of an in-memory set) rather than row by row: reading 100,000 wide rows costs tens of milliseconds.
 */
export function countSql(plan: ListPlan, params: Record<string, unknown>): string {
  const seqsKnown = params.textSeqs !== undefined;
  const only = plan.conditions.length === 1 ? plan.conditions[0]! : null;
  if (only?.kind === 'text') return seqsKnown ? `SELECT count(*) FROM (${only.matchesSql!})` : only.countAloneSql!;
  const where = plan.conditions.map((c) => {
    if (c === plan.counter) return c.indexed;
    if (c.kind === 'text') return seqsKnown ? c.indexed : c.inCount!;
    return c.checked;
  });
  return `SELECT count(*) FROM postings ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
}

/**
 * The SELECTs of one page of seqs (@afterSeq, @limit), newest first: one per value for a walk, whose
 * results the caller merges. Unary `+` on seq keeps SQLite on the driver's index instead of the rowid.
 */
export function pageSql(plan: ListPlan, paged: boolean): string[] {
  const select = (where: string[], inOrder: boolean): string => {
    const seq = inOrder ? 'seq' : '+seq';
    const clauses = paged ? [...where, `${seq} < @afterSeq`] : where;
    return `SELECT seq FROM postings ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY ${seq} DESC LIMIT @limit`;
  };
  const where = (driverSql?: string): string[] => plan.conditions.map((c) => (c === plan.driver ? driverSql! : c.checked));
  if (plan.mode === 'scan') return [select(where(), true)];
  // A text driver is a rowid IN list, which SQLite keeps sorted: it reads it newest first and stops.
  if (plan.mode === 'seek') return [select(where(plan.driver!.indexed), plan.driver!.kind === 'text')];
  // Each value of the driving equality walks (column, seq) in seq order.
  return plan.driver!.perValue.map((value) => select(where(value), true));
}

/**
 * An FTS5 query (AND of trigrams) for the two trigrams of `text` most likely to be rare, or null
 * when that would be all of them (the LIKE lookup is then as narrow). Any subset of the trigrams of
 * the text finds every name containing it, so this only chooses the candidates, never the result.
 * Digits and punctuation are rarer in names than letters and spaces, and later trigrams than the
 * shared beginnings ("Trip ", "Expense "), so those come first.
 */
export function distinctiveTrigrams(text: string): string | null {
  // Not lower-cased here: FTS5 folds case itself, and JS case mapping may change the length.
  const chars = [...text];
  const seen = new Map<string, { score: number; at: number }>();
  for (let i = 0; i + 3 <= chars.length; i++) {
    const trigram = chars.slice(i, i + 3).join('');
    const score = chars.slice(i, i + 3).filter((c) => !/[a-z ]/i.test(c)).length;
    seen.set(trigram, { score, at: i });
  }
  if (seen.size <= 2) return null;
  const chosen = [...seen].sort(([, a], [, b]) => b.score - a.score || b.at - a.at).slice(0, 2);
  return chosen.map(([trigram]) => `"${trigram.replace(/"/g, '""')}"`).join(' AND ');
}

/** A bare date as an upper bound means the whole day. */
const endOfDay = (value: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value);
