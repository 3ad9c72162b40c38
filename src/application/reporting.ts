import type Database from 'better-sqlite3';
import { foldDocument } from '../domain/document/state.js';
import type { RecordedEvent } from '../domain/events/envelope.js';
import { decimalToUnits, unitsToDecimal } from '../domain/journal/balance.js';
import type { DimensionTarget, JournalEntry } from '../domain/journal/journal-entry.js';
import { currencyExponent } from '../domain/money/money.js';
import { KIND_OF_TARGET, type ReferenceKind } from '../domain/reference/events.js';
import { ConsoleQueries, type MappingChangeRow } from '../projections/console-queries.js';
import type { PostingQueries, PostingRow } from '../projections/posting-queries.js';
import { toCsv, type CsvValue } from '../csv/csv.js';
import type { HealthMonitor, HealthResult } from './health-monitor.js';

/**
 * What the operator console's overview and the audit report need, computed from the read models and
 * the document streams (the GraphQL resolvers and the CLI only pass these on).
 */
export interface ReportingApi {
  overview(options?: { dayStart?: string; monthStart?: string }): Promise<Overview>;
  health(): Promise<HealthResult[]>;
  intacctUsage(month?: string): IntacctUsage;
  auditReport(from: string, to: string): Promise<AuditReport>;
  /** The employee's name from the Intacct employee cache (through the `employees` mapping), or null. */
  employeeName(concurEmployeeId: string): string | null;
  /** The name of an Intacct account, dimension value, employee or vendor from the reference cache. */
  referenceName(kind: ReferenceKind, id: string): string | null;
}

export interface StatusCount {
  status: string;
  count: number;
}

export interface IntacctUsage {
  /** YYYY-MM (UTC). */
  month: string;
  /** API transactions this service counted in that month (functions executed, sessions opened). */
  transactions: number;
  /** The same by purpose (posting, read-back, reference-sync, master-data, session, ...), largest first. */
  byPurpose: Array<{ purpose: string; transactions: number }>;
  /** When the counter started (it is kept across restarts): transactions before this time are not in it. */
  countingSince: string;
}

/** The gateway client's API transaction counts by month and purpose. */
export interface IntacctTransactionCounts {
  counts: ReadonlyArray<{ month: string; purpose: string; count: number }>;
  countingSince: string;
}

export interface Overview {
  generatedAt: string;
  dayStart: string;
  monthStart: string;
  today: StatusCount[];
  month: StatusCount[];
  /** The last 24 UTC hours, oldest first, each hour present. */
  postedPerHour: Array<{ hour: string; count: number }>;
  oldestWaiting: PostingRow | null;
  latestRejections: PostingRow[];
  health: HealthResult[];
  intacctUsage: IntacctUsage;
}

export interface NamedDimension {
  target: string;
  value: string;
  name: string | null;
}

export interface AuditLine {
  accountNo: string;
  accountName: string | null;
  trType: number;
  amount: string;
  memo: string;
  dimensions: NamedDimension[];
}

export interface AuditEntry {
  posting: PostingRow;
  /** The Intacct object (GLBATCH, EEXPENSES, APBILL, CCTRANSACTION), its key and RECORDNO: a document may be several records. */
  target: string;
  postingKey: string;
  recordNo: string | null;
  batchDate: string;
  batchTitle: string;
  journal: string;
  currency: string;
  total: string;
  lines: AuditLine[];
}

export interface AuditTotal {
  currency: string;
  accountNo: string;
  accountName: string | null;
  dimensions: NamedDimension[];
  debit: string;
  credit: string;
  lines: number;
}

export interface AuditReport {
  from: string;
  to: string;
  generatedAt: string;
  entries: AuditEntry[];
  totals: AuditTotal[];
  mappingChanges: MappingChangeRow[];
  /** The whole report as CSV: entries, totals and mapping changes, each block with its header row. */
  csv: string;
}

export interface ReportingSources {
  /** Read models with the logical `postings` table. */
  db: Database.Database;
  postings: Pick<PostingQueries, 'get'>;
  timeline(postingId: string): Promise<RecordedEvent[]>;
  referenceName(kind: ReferenceKind, id: string): string | null;
  /** Concur employee id -> Intacct EMPLOYEEID, from the current mapping set. */
  employeeMapping(): ReadonlyMap<string, string>;
  mappingChanges(fromIso: string, toIso: string): MappingChangeRow[];
  health?: HealthMonitor;
  intacctTransactions?: () => IntacctTransactionCounts;
  now?: () => Date;
}

/** At most this many documents in one audit report; a longer range is refused with what to do. */
export const AUDIT_MAX_ENTRIES = 20_000;
const REJECTIONS_SHOWN = 5;

export class ReportingService implements ReportingApi {
  private readonly queries: ConsoleQueries;
  private readonly startedAt: string;

  constructor(private readonly sources: ReportingSources) {
    this.queries = new ConsoleQueries(sources.db, sources.postings);
    this.startedAt = this.now().toISOString();
  }

  private now(): Date {
    return this.sources.now?.() ?? new Date();
  }

  async overview(options: { dayStart?: string; monthStart?: string } = {}): Promise<Overview> {
    const now = this.now();
    const dayStart = options.dayStart ?? `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
    const monthStart = options.monthStart ?? `${now.toISOString().slice(0, 7)}-01T00:00:00.000Z`;
    const firstHour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 23 * 3_600_000);
    const posted = new Map(this.queries.postedPerHour(firstHour.toISOString()).map((h) => [h.hour, h.count]));
    const postedPerHour = Array.from({ length: 24 }, (_, i) => {
      const hour = new Date(firstHour.getTime() + i * 3_600_000).toISOString().slice(0, 13);
      return { hour, count: posted.get(hour) ?? 0 };
    });
    return {
      generatedAt: now.toISOString(),
      dayStart,
      monthStart,
      today: counts(this.queries.statusCountsSince(dayStart)),
      month: counts(this.queries.statusCountsSince(monthStart)),
      postedPerHour,
      oldestWaiting: this.queries.oldestWaiting(),
      latestRejections: this.queries.latestRejections(REJECTIONS_SHOWN),
      health: await this.health(),
      intacctUsage: this.intacctUsage(),
    };
  }

  health(): Promise<HealthResult[]> {
    return this.sources.health ? this.sources.health.current() : Promise.resolve([]);
  }

  intacctUsage(month = this.now().toISOString().slice(0, 7)): IntacctUsage {
    const counted = this.sources.intacctTransactions?.();
    const byPurpose = (counted?.counts ?? [])
      .filter((r) => r.month === month && r.count > 0)
      .map((r) => ({ purpose: r.purpose, transactions: r.count }))
      .sort((a, b) => b.transactions - a.transactions || a.purpose.localeCompare(b.purpose));
    return {
      month,
      transactions: byPurpose.reduce((n, p) => n + p.transactions, 0),
      byPurpose,
      countingSince: counted?.countingSince ?? this.startedAt,
    };
  }

  referenceName(kind: ReferenceKind, id: string): string | null {
    return this.sources.referenceName(kind, id);
  }

  employeeName(concurEmployeeId: string): string | null {
    const intacctId = this.sources.employeeMapping().get(concurEmployeeId) ?? concurEmployeeId;
    return this.sources.referenceName('EMPLOYEE', intacctId);
  }

  /**
   * Every entry with an Intacct RECORDNO whose GL batch date is in [from, to] (YYYY-MM-DD), with
   * account and dimension names from the reference cache; debit and credit totals per currency,
   * account and dimension set; and every mapping change made in the range.
   */
  async auditReport(from: string, to: string): Promise<AuditReport> {
    const rows = this.queries.postedWithBatchDateIn(from, to);
    if (rows.length > AUDIT_MAX_ENTRIES) {
      throw new RangeError(
        `${rows.length} entries have a batch date from ${from} to ${to}; an audit report holds at most ${AUDIT_MAX_ENTRIES}: choose a shorter range`,
      );
    }
    const names = new Map<string, string | null>();
    const nameOf = (kind: ReferenceKind, id: string): string | null => {
      const key = `${kind}\u0000${id}`;
      if (!names.has(key)) names.set(key, this.sources.referenceName(kind, id));
      return names.get(key)!;
    };
    const entries: AuditEntry[] = [];
    for (const posting of rows) {
      // One entry per Intacct record of the document (its reversals are not in the books' batch range here).
      for (const record of foldDocument(await this.sources.timeline(posting.id)).records) {
        const entry = record.entry;
        if (!entry || record.recordNo === null) continue;
        entries.push({
          posting,
          target: record.target,
          postingKey: record.postingKey,
          recordNo: record.recordNo,
          batchDate: entry.batchDate,
          batchTitle: entry.batchTitle,
          journal: entry.journal,
          currency: entry.currency,
          total: entry.total,
          lines: entry.lines.map((l) => ({
            // The record's own payable (employee, vendor, card): Intacct books it on the account its setup names.
            accountNo: l.offset ? `(${record.target} payable)` : l.accountNo || (l.expenseType ? `(expense type ${l.expenseType})` : ''),
            accountName: l.offset
              ? 'booked by Intacct from the record'
              : l.accountNo
                ? nameOf('GLACCOUNT', l.accountNo)
                : `the account of Intacct expense type ${l.expenseType ?? ''}`,
            trType: l.trType,
            amount: l.amount,
            memo: l.memo,
            dimensions: namedDimensions(l.dimensions, nameOf),
          })),
        });
      }
    }
    const totals = totalsOf(entries);
    const mappingChanges = this.sources.mappingChanges(`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`);
    const generatedAt = this.now().toISOString();
    const report = { from, to, generatedAt, entries, totals, mappingChanges };
    return { ...report, csv: auditCsv(report) };
  }
}

const counts = (byStatus: Record<string, number>): StatusCount[] =>
  Object.entries(byStatus)
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => b.count - a.count || a.status.localeCompare(b.status));

function namedDimensions(dims: Partial<Record<DimensionTarget, string>>, nameOf: (kind: ReferenceKind, id: string) => string | null): NamedDimension[] {
  return Object.entries(dims)
    .filter((d): d is [DimensionTarget, string] => typeof d[1] === 'string' && d[1] !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([target, value]) => {
      const kind = KIND_OF_TARGET[target] ?? null;
      return { target, value, name: kind ? nameOf(kind, value) : null };
    });
}

const dimensionText = (dims: readonly NamedDimension[]): string => dims.map((d) => `${d.target}=${d.value}${d.name ? ` (${d.name})` : ''}`).join('; ');

const SUM_SCALE = 6;
const atScale = (units: bigint, scale: number): string => unitsToDecimal(units / 10n ** BigInt(Math.max(0, SUM_SCALE - scale)), Math.min(scale, SUM_SCALE));

function totalsOf(entries: readonly AuditEntry[]): AuditTotal[] {
  const groups = new Map<string, { total: Omit<AuditTotal, 'debit' | 'credit'>; debit: bigint; credit: bigint; scale: number }>();
  for (const entry of entries) {
    const scale = currencyExponent(entry.currency);
    for (const line of entry.lines) {
      const key = [entry.currency, line.accountNo, ...line.dimensions.map((d) => `${d.target}=${d.value}`)].join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = {
          total: { currency: entry.currency, accountNo: line.accountNo, accountName: line.accountName, dimensions: line.dimensions, lines: 0 },
          debit: 0n,
          credit: 0n,
          scale,
        };
        groups.set(key, group);
      }
      // Entries carry exactly the currency's decimals; summed at a finer fixed scale, shown at the currency's.
      const units = decimalToUnits(line.amount, SUM_SCALE);
      if (line.trType === 1) group.debit += units;
      else group.credit += units;
      group.total.lines += 1;
    }
  }
  return [...groups.values()]
    .map((g) => ({ ...g.total, debit: atScale(g.debit, g.scale), credit: atScale(g.credit, g.scale) }))
    .sort(
      (a, b) =>
        a.currency.localeCompare(b.currency) ||
        a.accountNo.localeCompare(b.accountNo) ||
        dimensionText(a.dimensions).localeCompare(dimensionText(b.dimensions)),
    );
}

/** One CSV document in three blocks (entries' lines, totals, mapping changes), each with a title and a header row. */
export function auditCsv(report: Omit<AuditReport, 'csv'>): string {
  const rows: CsvValue[][] = [['Audit report', `batch dates ${report.from} to ${report.to}`, `generated ${report.generatedAt}`], []];
  rows.push(['Posted entries']);
  rows.push([
    'Batch date',
    'Posted at',
    'Concur document',
    'Report ID',
    'Report name',
    'Employee',
    'Status',
    'Intacct RECORDNO',
    'Posting key',
    'Intacct object',
    'Journal',
    'Line',
    'Account',
    'Account name',
    'Debit',
    'Credit',
    'Currency',
    'Dimensions',
    'Memo',
  ]);
  for (const e of report.entries) {
    e.lines.forEach((l, i) =>
      rows.push([
        e.batchDate,
        e.posting.postedAt,
        e.posting.concurDocumentId,
        e.posting.reportId,
        e.posting.reportName,
        e.posting.employeeId,
        e.posting.status,
        e.recordNo,
        e.postingKey,
        e.target,
        e.journal,
        i + 1,
        l.accountNo,
        l.accountName,
        l.trType === 1 ? l.amount : '',
        l.trType === -1 ? l.amount : '',
        e.currency,
        dimensionText(l.dimensions),
        l.memo,
      ]),
    );
  }
  rows.push([], ['Totals per account and dimension'], ['Currency', 'Account', 'Account name', 'Dimensions', 'Debit', 'Credit', 'Lines']);
  for (const t of report.totals) rows.push([t.currency, t.accountNo, t.accountName, dimensionText(t.dimensions), t.debit, t.credit, t.lines]);
  rows.push([], ['Mapping changes'], ['When', 'Who', 'Revision', 'Change', 'Section', 'Key', 'Value', 'Reason']);
  for (const c of report.mappingChanges) {
    const change = c.type === 'MappingsImported' ? 'imported the whole set' : c.value === null || c.value === 'null' ? 'removed' : 'set';
    rows.push([c.occurredAt, c.actor, c.revision, change, c.section, c.key, c.type === 'MappingsImported' ? '' : c.value, c.reason]);
  }
  return toCsv(rows);
}
