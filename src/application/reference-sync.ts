import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { REFERENCE_ID_FIELD, REFERENCE_NAME_FIELD, type IntacctReferenceData, type ReferenceObject, type ReferenceRow } from '../adapters/intacct/reference.js';
import { formatIntacctTimestamp, parseIntacctTimestamp } from '../adapters/intacct/timestamp.js';
import { newEvent } from '../domain/events/envelope.js';
import type { EventStore } from '../domain/eventstore/port.js';
import {
  billVendorOf,
  isMissingBillVendorGap,
  matchBillVendor,
  referenceStreamId,
  REFERENCE_KINDS,
  type BillVendor,
  type IntacctVendor,
  type ReferenceKind,
  type ReferenceRecord,
} from '../domain/reference/index.js';
import type { MappingGap } from '../domain/document/events.js';
import { parseFisDocument } from '../domain/fis/index.js';
import { listReferenceRecords } from '../projections/dimension-cache.js';
import { readCurrentMappings } from '../projections/mapping-read-model.js';
import type { SyncRunSummary } from './connector-api.js';
import type { Logger } from '../observability/logger.js';
import { pushVendorsToConcur, type ConcurVendorDirectory } from './vendor-push.js';

/** Stream of sync runs: one `ReferenceSyncCompleted` per run, with counts, changes and errors. */
export const SYNC_RUNS_STREAM = 'reference-sync-runs';

/** What one step of a run read and changed. */

/**
 * Progress of a run: steps done of all steps (known from the start), and what is happening now
 * ("CUSTOMER: 2000/4500 read", "waiting for the sync run started by system:scheduler").
 */
export type { EmployeeSynced, ReferenceSyncCompleted, SyncCounts, SyncStepReport } from '../domain/reference/events.js';
import {
  type BillVendorCreated,
  type EmployeeSynced,
  isReferenceEvent,
  type ReferenceSyncCompleted,
  type SyncCounts,
  type SyncStepReport,
} from '../domain/reference/events.js';

export type SyncProgress = (done: number, total: number, line: string) => void;

/** How kinds are read: incrementally (what changed since the last read) with a periodic full read. */
export interface ReferenceSyncOptions {
  /** A kind whose last full read is older than this many days is read whole again (`ML_REFERENCE_FULL_SYNC_DAYS`, default 7). */
  fullSyncDays?: number;
  /** An incremental read asks for `WHENMODIFIED >=` the high-water mark minus this (default 60 s). */
  marginSeconds?: number;
  now?: () => Date;
}

export const DEFAULT_FULL_SYNC_DAYS = 7;
export const DEFAULT_MARGIN_SECONDS = 60;

/** Options of one run. */
export interface SyncRunOptions {
  /** Read every kind whole (the reconcile that detects deletions), whatever the marks say. */
  full?: boolean;
}

/** Per kind, from the recorded runs: the high-water mark (ISO) and when the last full read ran. */
interface KindHistory {
  mark: string | null;
  lastFullAt: string | null;
}

/** The largest WHENMODIFIED of `rows` (ISO), or `previous` when none is larger. */
function highWaterMark(rows: readonly ReferenceRow[], previous: string | null): string | null {
  let max = previous === null ? Number.NEGATIVE_INFINITY : Date.parse(previous);
  for (const row of rows) {
    const at = parseIntacctTimestamp(row['WHENMODIFIED']);
    if (at !== null && at > max) max = at;
  }
  return Number.isFinite(max) ? new Date(max).toISOString() : null;
}

/** The kind name of the Concur -> Intacct vendor push for waiting bills (run by the pipeline, or by name). */
export const BILL_VENDORS = 'bill-vendors';

/**
 * API names (`glaccount`, `employees`, `dimensions`, `bill-vendors`, …) to the kinds a run covers, in
 * order. `bill-vendors` (not part of "all kinds": the pipeline asks for it) reads VENDOR into the
 * cache, then creates in Intacct the vendors of documents waiting for a missing invoice vendor.
 */
export function kindsToSync(names: readonly string[]): { intacct: ReferenceKind[]; pushEmployees: boolean; pushVendors: boolean; pushBillVendors: boolean } {
  const all = names.length === 0 ? ['dimensions', 'employees', 'vendors'] : names.map((n) => n.toLowerCase());
  const intacct = new Set<ReferenceKind>();
  let pushEmployees = false;
  let pushVendors = false;
  let pushBillVendors = false;
  for (const name of all) {
    if (name === BILL_VENDORS) {
      intacct.add('VENDOR');
      pushBillVendors = true;
      continue;
    }
    if (name === 'dimensions') REFERENCE_KINDS.filter((k) => k !== 'EMPLOYEE' && k !== 'VENDOR').forEach((k) => intacct.add(k));
    else if (name === 'employees' || name === 'employee') intacct.add('EMPLOYEE'), (pushEmployees = true);
    else if (name === 'vendors' || name === 'vendor') intacct.add('VENDOR'), (pushVendors = true);
    else if ((REFERENCE_KINDS as readonly string[]).includes(name.toUpperCase())) intacct.add(name.toUpperCase() as ReferenceKind);
    else
      throw new Error(
        `Unknown reference kind "${name}"; use dimensions, employees, vendors, ${BILL_VENDORS} or one of ${REFERENCE_KINDS.join(', ').toLowerCase()}`,
      );
  }
  return { intacct: [...intacct], pushEmployees, pushVendors, pushBillVendors };
}

function toRecord(kind: ReferenceKind, row: ReferenceRow): ReferenceRecord | null {
  const id = row[REFERENCE_ID_FIELD[kind]];
  if (!id) return null;
  return {
    id,
    name: row[REFERENCE_NAME_FIELD[kind]] ?? row['NAME'] ?? id,
    status: (row['STATUS'] ?? 'active').toLowerCase() === 'inactive' ? 'inactive' : 'active',
  };
}

const sameRecords = (a: ReferenceRecord[], b: ReferenceRecord[]): boolean =>
  JSON.stringify([...a].sort((x, y) => x.id.localeCompare(y.id))) === JSON.stringify([...b].sort((x, y) => x.id.localeCompare(y.id)));

/**
 * Reference-data sync. Intacct -> dimension caches: each kind is read whole and recorded as one
 * complete `ReferenceDataSynced` batch when it differs from the cache. Concur -> Intacct employees: every
 * employee seen on a Concur document that has no Intacct EMPLOYEE (matched by the mapped employee id,
 * then by contact name) is created with its CONTACT; an existing employee is never overwritten.
 * Concur's user API is not wired yet: employees come from the documents' employee section. Vendors
 * (when a Concur vendor client is given) are pushed Intacct -> Concur by `pushVendorsToConcur`;
 * without one they flow Intacct -> cache only (see docs/reference-sync.md).
 */
export class ReferenceSync {
  constructor(
    private readonly store: EventStore,
    private readonly readModels: () => Database.Database,
    private readonly intacct: IntacctReferenceData,
    private readonly log: Logger,
    /** Concur Invoice vendors; without it the `vendors` kind only refreshes the cache. */
    private readonly concurVendors?: ConcurVendorDirectory,
    private readonly options: ReferenceSyncOptions = {},
  ) {}

  /** The run in progress (or the last one), so that runs never overlap. */
  private tail: Promise<unknown> = Promise.resolve();
  private current: { actor: string; kinds: string } | null = null;
  private queued = 0;

  /**
   * One run at a time: the scheduler, the employee sync the pipeline asks for and an operator's
   * `sync` would otherwise read and write the same records at once (and create the same employee or
   * vendor twice). A run asked for while another is going waits for it, and says so in its progress.
   */
  async run(
    names: readonly string[],
    actor: string,
    progress: SyncProgress = () => undefined,
    runOptions: SyncRunOptions = {},
  ): Promise<ReferenceSyncCompleted> {
    const plan = kindsToSync(names);
    const total = this.stepCount(plan);
    if (this.queued > 0) {
      const now = this.current ? ` (${this.current.kinds}, started by ${this.current.actor})` : '';
      progress(0, total, `waiting for the sync run already in progress${now}`);
    }
    this.queued++;
    const run = this.tail.then(() => {
      this.current = { actor, kinds: names.length ? names.join(', ') : 'all kinds' };
      return this.runNow(plan, actor, progress, runOptions).finally(() => {
        this.current = null;
        this.queued--;
      });
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private stepCount(plan: ReturnType<typeof kindsToSync>): number {
    return plan.intacct.length + (plan.pushEmployees ? 1 : 0) + (plan.pushBillVendors ? 1 : 0) + (plan.pushVendors && this.concurVendors !== undefined ? 1 : 0);
  }

  /**
   * Per kind, from the runs recorded: the latest high-water mark of a step that did not fail, and
   * when the last full read that did not fail started (a step recorded before modes existed was one).
   */
  private async kindHistory(): Promise<Map<string, KindHistory>> {
    const out = new Map<string, KindHistory>();
    for (const e of await this.store.readStream(SYNC_RUNS_STREAM)) {
      if (!isReferenceEvent(e, 'ReferenceSyncCompleted')) continue;
      for (const step of e.data.report ?? []) {
        if (step.direction !== 'intacct-to-cache' || step.failed) continue;
        const h = out.get(step.step) ?? { mark: null, lastFullAt: null };
        if (step.mode !== 'incremental') h.lastFullAt = e.data.startedAt;
        // A full read without WHENMODIFIED (recorded before marks existed) leaves no mark: the next read is full.
        if (step.mode !== 'incremental') h.mark = step.highWaterMark ?? null;
        else if (step.highWaterMark) h.mark = step.highWaterMark;
        out.set(step.step, h);
      }
    }
    return out;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Full when asked, when there is no mark or no cache, or when the last full read is older than `fullSyncDays`. */
  private modeFor(history: KindHistory | undefined, cached: number, full: boolean): 'full' | 'incremental' {
    if (full || !history?.mark || !history.lastFullAt || cached === 0) return 'full';
    const days = this.options.fullSyncDays ?? DEFAULT_FULL_SYNC_DAYS;
    const now = this.now().getTime();
    return now - Date.parse(history.lastFullAt) >= days * 86_400_000 ? 'full' : 'incremental';
  }

  private async runNow(
    plan: ReturnType<typeof kindsToSync>,
    actor: string,
    progress: SyncProgress,
    runOptions: SyncRunOptions,
  ): Promise<ReferenceSyncCompleted> {
    const { intacct: kinds, pushEmployees } = plan;
    const pushVendors = plan.pushVendors && this.concurVendors !== undefined;
    const startedAt = this.now().toISOString();
    const counts: Record<string, number> = {};
    const report: SyncStepReport[] = [];
    const changes: string[] = [];
    const conflicts: string[] = [];
    const errors: string[] = [];
    const total = this.stepCount(plan);
    let done = 0;
    const rows = new Map<ReferenceKind, ReferenceRow[]>();
    progress(0, total, kinds.length ? `reading ${kinds[0]} from Intacct` : 'starting');
    const history = kinds.length ? await this.kindHistory() : new Map<string, KindHistory>();

    for (const kind of kinds) {
      const step = startStep(report, kind, 'intacct-to-cache');
      try {
        const cached = listReferenceRecords(this.readModels(), kind);
        const previous = history.get(kind);
        const mode = this.modeFor(previous, cached.length, runOptions.full === true);
        step.mode = mode;
        step.highWaterMark = previous?.mark ?? null;
        const marginMs = (this.options.marginSeconds ?? DEFAULT_MARGIN_SECONDS) * 1000;
        const since = mode === 'incremental' ? formatIntacctTimestamp(Date.parse(previous!.mark!) - marginMs) : null;
        const fetched = await this.intacct.readAll(kind as ReferenceObject, since === null ? '' : `WHENMODIFIED >= '${since}'`, (read, of) =>
          progress(done, total, `${kind}: ${read}${of === null ? '' : `/${of}`} read from Intacct${since === null ? '' : ` (modified since ${since})`}`),
        );
        const records = fetched.map((r) => toRecord(kind, r)).filter((r): r is ReferenceRecord => r !== null);
        if (mode === 'incremental') {
          // Upserts only: a deleted record is not returned by a WHENMODIFIED query; the full read finds it.
          const old = new Map(cached.map((r) => [r.id, r]));
          const latest = new Map(records.map((r) => [r.id, r]));
          const delta = [...latest.values()].filter((r) => {
            const was = old.get(r.id);
            return was === undefined || was.name !== r.name || was.status !== r.status;
          });
          const added = delta.filter((r) => !old.has(r.id)).length;
          Object.assign(step.counts, { read: latest.size, created: added, updated: delta.length - added });
          counts[kind] = cached.length + added;
          step.highWaterMark = highWaterMark(fetched, previous!.mark);
          if (delta.length) {
            await this.store.appendToStream(referenceStreamId(kind), [newEvent('ReferenceDataSynced', { kind, records: delta, complete: false }, { actor })]);
            changes.push(`${kind}: ${added} added, ${delta.length - added} changed (${latest.size} modified since ${since} read)`);
          }
          progress(++done, total, `${kind} done`);
          continue;
        }
        rows.set(kind, fetched);
        counts[kind] = records.length;
        step.counts.read = records.length;
        if (records.length > 0) step.highWaterMark = highWaterMark(fetched, null);
        if (records.length === 0) {
          // An empty list would make every value of this kind "missing" and park every document; an
          // Intacct company without any is more likely a permission or API problem. Values stay unchecked.
          step.failed = true;
          errors.push(`${kind}: Intacct returned no records; ${kind} values are not checked until a sync returns some (check the API user's permissions)`);
        } else {
          const diff = compareRecords(cached, records);
          Object.assign(step.counts, { created: diff.added, updated: diff.changed, removed: diff.removed });
          if (!sameRecords(records, cached)) {
            await this.store.appendToStream(referenceStreamId(kind), [newEvent('ReferenceDataSynced', { kind, records, complete: true }, { actor })]);
            changes.push(`${kind}: ${describeChange(diff, records.length)}`);
          }
        }
      } catch (error) {
        step.failed = true;
        errors.push(`${kind}: ${(error as Error).message}`);
      }
      progress(++done, total, `${kind} done`);
    }

    if (pushEmployees) {
      const step = startStep(report, 'employees', 'concur-to-intacct');
      const before = conflicts.length;
      try {
        progress(done, total, 'employees: comparing the employees of Concur documents with Intacct');
        const existing = rows.get('EMPLOYEE') ?? (await this.intacct.readAll('EMPLOYEE'));
        const created = await this.pushEmployees(existing, conflicts, actor, step.counts, (line) => progress(done, total, line));
        counts.employeesCreated = created.length;
        step.counts.created = created.length;
        if (created.length) changes.push(`EMPLOYEE created in Intacct: ${created.join(', ')}`);
      } catch (error) {
        step.failed = true;
        errors.push(`employees: ${(error as Error).message}`);
      }
      step.counts.conflicts = conflicts.length - before;
      progress(++done, total, 'employees done');
    }

    if (plan.pushBillVendors) {
      const step = startStep(report, BILL_VENDORS, 'concur-to-intacct');
      const before = conflicts.length;
      try {
        progress(done, total, `${BILL_VENDORS}: comparing the vendors of waiting bills with Intacct`);
        const existing = rows.get('VENDOR') ?? (await this.intacct.readAll('VENDOR'));
        const created = await this.pushBillVendors(existing, conflicts, actor, step.counts, (line) => progress(done, total, line));
        counts.billVendorsCreated = created.length;
        counts.billVendorConflicts = conflicts.length - before;
        step.counts.created = created.length;
        if (created.length) changes.push(`VENDOR created in Intacct for bills: ${created.join(', ')}`);
      } catch (error) {
        step.failed = true;
        errors.push(`${BILL_VENDORS}: ${(error as Error).message}`);
      }
      step.counts.conflicts = conflicts.length - before;
      progress(++done, total, `${BILL_VENDORS} done`);
    }

    if (pushVendors) {
      const step = startStep(report, 'vendors', 'intacct-to-concur');
      try {
        progress(done, total, 'vendors: reading Concur vendors');
        const vendors = await pushVendorsToConcur(rows.get('VENDOR') ?? (await this.intacct.readAll('VENDOR')), this.concurVendors!, this.store, actor);
        counts.vendorsCreatedInConcur = vendors.created.length;
        counts.vendorConflicts = vendors.conflicts.length;
        counts.vendorsOnlyInConcur = vendors.onlyInConcur.length;
        Object.assign(step.counts, { read: vendors.readInConcur, created: vendors.created.length, conflicts: vendors.conflicts.length });
        if (vendors.created.length) changes.push(`VENDOR created in Concur: ${vendors.created.join(', ')}`);
        conflicts.push(...vendors.conflicts);
        errors.push(...vendors.errors.map((e) => `vendors: ${e}`));
        if (vendors.errors.length) step.failed = true;
      } catch (error) {
        step.failed = true;
        errors.push(`vendors: ${(error as Error).message}`);
      }
      progress(++done, total, 'vendors done');
    }

    const run: ReferenceSyncCompleted = {
      runId: randomUUID(),
      mode: report.some((r) => r.mode === 'incremental') ? 'incremental' : 'full',
      kinds: plan.pushBillVendors ? [...kinds, BILL_VENDORS] : [...kinds],
      startedAt,
      finishedAt: this.now().toISOString(),
      counts,
      report,
      changes,
      conflicts,
      errors,
    };
    await this.store.appendToStream(SYNC_RUNS_STREAM, [newEvent('ReferenceSyncCompleted', run, { actor })]);
    this.log.info(`reference sync finished (started by ${actor})`, {
      actor,
      action: 'reference-sync',
      kinds: kinds.join(','),
      changes: changes.length,
      conflicts: conflicts.length,
      errors: errors.length,
    });
    return run;
  }

  async runs(limit = 50): Promise<SyncRunSummary[]> {
    const events = await this.store.readStream(SYNC_RUNS_STREAM);
    return events
      .slice(-limit)
      .reverse()
      .flatMap((e) => (isReferenceEvent(e, 'ReferenceSyncCompleted') ? [e.data] : []))
      .map((r) => {
        return {
          id: r.runId,
          kinds: r.kinds,
          state: r.errors.length ? 'completed-with-errors' : 'succeeded',
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
          counts: r.counts,
          mode: r.mode ?? 'full',
          report: (r.report ?? []).map((x) => ({ ...x, counts: { ...x.counts } })),
          errors: [...r.errors, ...r.conflicts],
        };
      });
  }

  /** Employees seen on Concur documents that Intacct lacks; created with their CONTACT. */
  private async pushEmployees(
    existing: ReferenceRow[],
    conflicts: string[],
    actor: string,
    counts: SyncCounts,
    say: (line: string) => void,
  ): Promise<string[]> {
    const db = this.readModels();
    const { set } = readCurrentMappings(db);
    const byId = new Map(existing.map((r) => [r['EMPLOYEEID'] ?? '', r]));
    const byEmail = new Map(existing.filter((r) => r['PERSONALINFO.EMAIL1']).map((r) => [r['PERSONALINFO.EMAIL1']!.toLowerCase(), r]));
    const byName = new Map(existing.map((r) => [(r['PERSONALINFO.CONTACTNAME'] ?? '').toLowerCase(), r]));
    const seen = await this.employeesFromDocuments();
    counts.read = seen.length;
    const created: string[] = [];
    for (const [i, e] of seen.entries()) {
      say(`employees: ${i + 1}/${seen.length} from Concur documents checked against Intacct`);
      const intacctId = set.employees.get(e.concurId) ?? e.concurId;
      const contactName = `${e.lastName}, ${e.firstName}`.replace(/^, |, $/g, '') || intacctId;
      const match = byId.get(intacctId);
      if (match) {
        const name = (match['PERSONALINFO.CONTACTNAME'] ?? '').toLowerCase();
        if (name && name !== contactName.toLowerCase())
          conflicts.push(`employee ${intacctId}: Concur says "${contactName}", Intacct says "${match['PERSONALINFO.CONTACTNAME']}"; left unchanged`);
        continue;
      }
      // Matched by employee id, then by email: the same person under another id is never duplicated.
      const sameEmail = e.email ? byEmail.get(e.email.toLowerCase()) : undefined;
      if (sameEmail) {
        conflicts.push(
          `employee ${intacctId}: no Intacct EMPLOYEEID ${intacctId}, but ${sameEmail['EMPLOYEEID']} has the same email ${e.email}; map it with setMapping(section: "employees", key: "${e.concurId}")`,
        );
        continue;
      }
      const byContact = byName.get(contactName.toLowerCase());
      if (byContact) {
        conflicts.push(
          `employee ${intacctId}: no Intacct EMPLOYEEID ${intacctId}, but ${byContact['EMPLOYEEID']} has the same name; map it with setMapping(section: "employees", key: "${e.concurId}")`,
        );
        continue;
      }
      const recordNo = await this.intacct.createEmployee({
        employeeId: intacctId,
        contactName: `${contactName} (${intacctId})`,
        firstName: e.firstName || intacctId,
        lastName: e.lastName || intacctId,
        email: e.email ?? undefined,
      });
      const synced: EmployeeSynced = {
        concurEmployeeId: e.concurId,
        intacctEmployeeId: intacctId,
        direction: 'concur-to-intacct',
        action: 'created',
        intacctRecordNo: recordNo || null,
      };
      await this.store.appendToStream(`employee-${e.concurId}`, [newEvent('EmployeeSynced', synced, { actor })]);
      created.push(intacctId);
    }
    if (created.length) {
      const records = (await this.intacct.readAll('EMPLOYEE')).map((r) => toRecord('EMPLOYEE', r)).filter((r): r is ReferenceRecord => r !== null);
      await this.store.appendToStream(referenceStreamId('EMPLOYEE'), [
        newEvent('ReferenceDataSynced', { kind: 'EMPLOYEE', records, complete: true }, { actor }),
      ]);
    }
    return created;
  }

  /**
   * Vendors of documents waiting only because their invoice vendor code is no Intacct vendor (and
   * has no `vendors` entry): matched by VENDORID, tax id, then name (`matchBillVendor`); a tax-id or
   * name match is reported as a conflict, nothing else is done; no match: the VENDOR is created
   * under the Concur code and the cache refreshed, so the documents post by themselves.
   */
  private async pushBillVendors(
    existing: ReferenceRow[],
    conflicts: string[],
    actor: string,
    counts: SyncCounts,
    say: (line: string) => void,
  ): Promise<string[]> {
    const { set } = readCurrentMappings(this.readModels());
    const intacct: IntacctVendor[] = existing
      .filter((r) => r['VENDORID'])
      .map((r) => ({ vendorId: r['VENDORID']!, name: (r['NAME'] ?? '').trim(), taxId: r['TAXID']?.trim() || null }));
    const seen = (await this.billVendorsFromDocuments()).filter((v) => !set.vendors.has(v.concurCode));
    counts.read = seen.length;
    const created: string[] = [];
    for (const [i, vendor] of seen.entries()) {
      say(`${BILL_VENDORS}: ${i + 1}/${seen.length} Concur vendors of waiting bills checked against Intacct`);
      const match = matchBillVendor(vendor, intacct);
      if (match.kind === 'exists') continue;
      if (match.kind === 'conflict') {
        conflicts.push(match.message);
        continue;
      }
      const recordNo = await this.intacct.createVendor({ vendorId: match.vendorId, name: match.name, taxId: match.taxId ?? undefined });
      const done: BillVendorCreated = {
        concurVendorCode: vendor.concurCode,
        intacctVendorId: match.vendorId,
        name: match.name,
        taxId: match.taxId,
        direction: 'concur-to-intacct',
        action: 'created',
        intacctRecordNo: recordNo || null,
      };
      await this.store.appendToStream(`bill-vendor-${vendor.concurCode}`, [newEvent('BillVendorCreated', done, { actor })]);
      // A later vendor of the same run with the same name or tax id is now a match, not a second create.
      intacct.push({ vendorId: match.vendorId, name: match.name, taxId: match.taxId });
      created.push(match.vendorId);
    }
    if (created.length) {
      const records = (await this.intacct.readAll('VENDOR')).map((r) => toRecord('VENDOR', r)).filter((r): r is ReferenceRecord => r !== null);
      await this.store.appendToStream(referenceStreamId('VENDOR'), [newEvent('ReferenceDataSynced', { kind: 'VENDOR', records, complete: true }, { actor })]);
    }
    return created;
  }

  /** The Concur vendors (code, name, tax id) of documents waiting for a missing invoice vendor. */
  private async billVendorsFromDocuments(): Promise<BillVendor[]> {
    const db = this.readModels();
    const waiting = db.prepare(`SELECT id, gaps_json FROM postings WHERE status = 'AWAITING_MAPPING' AND gaps_json IS NOT NULL`).all() as Array<{
      id: string;
      gaps_json: string;
    }>;
    const out = new Map<string, BillVendor>();
    for (const row of waiting) {
      let gaps: MappingGap[];
      try {
        gaps = JSON.parse(row.gaps_json) as MappingGap[];
      } catch {
        continue;
      }
      const codes = new Set(gaps.filter(isMissingBillVendorGap).map((g) => g.code));
      if (codes.size === 0 || [...codes].every((c) => out.has(c))) continue;
      const fetched = (await this.store.readStream(row.id)).find((e) => e.type === 'ConcurDocumentFetched');
      let vendor: BillVendor | null = null;
      try {
        vendor = billVendorOf(parseFisDocument((fetched?.data as { document?: unknown } | undefined)?.document));
      } catch {
        continue; // a document the rules cannot read waits for other reasons
      }
      if (vendor && codes.has(vendor.concurCode) && !out.has(vendor.concurCode)) out.set(vendor.concurCode, vendor);
    }
    return [...out.values()];
  }

  private async employeesFromDocuments(): Promise<Array<{ concurId: string; firstName: string; lastName: string; email: string | null }>> {
    const db = this.readModels();
    const ids = db.prepare(`SELECT id FROM postings WHERE employee_id IS NOT NULL GROUP BY employee_id`).pluck().all() as string[];
    const out = new Map<string, { concurId: string; firstName: string; lastName: string; email: string | null }>();
    for (const streamId of ids) {
      const fetched = (await this.store.readStream(streamId)).find((e) => e.type === 'ConcurDocumentFetched');
      const employee = ((fetched?.data as { document?: { document?: { employee?: Record<string, unknown> } } })?.document?.document?.employee ?? {}) as Record<
        string,
        unknown
      >;
      const id = typeof employee.employeeId === 'string' ? employee.employeeId : null;
      if (!id || out.has(id)) continue;
      const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
      out.set(id, { concurId: id, firstName: str(employee.employeeFirstName), lastName: str(employee.employeeLastName), email: str(employee.loginId) || null });
    }
    return [...out.values()];
  }
}

function compareRecords(before: ReferenceRecord[], after: ReferenceRecord[]): { added: number; changed: number; removed: number } {
  const old = new Map(before.map((r) => [r.id, r]));
  const now = new Map(after.map((r) => [r.id, r]));
  return {
    added: after.filter((r) => !old.has(r.id)).length,
    removed: before.filter((r) => !now.has(r.id)).length,
    changed: after.filter((r) => old.has(r.id) && JSON.stringify(old.get(r.id)) !== JSON.stringify(r)).length,
  };
}

function describeChange(diff: { added: number; changed: number; removed: number }, inIntacct: number): string {
  return `${diff.added} added, ${diff.changed} changed, ${diff.removed} removed (${inIntacct} in Intacct)`;
}

/** A new step of a run's report, with zeroed counts, added to the report. */
function startStep(report: SyncStepReport[], step: SyncStepReport['step'], direction: SyncStepReport['direction']): SyncStepReport {
  const started: SyncStepReport = { step, direction, counts: { read: 0, created: 0, updated: 0, removed: 0, conflicts: 0 }, failed: false };
  report.push(started);
  return started;
}
