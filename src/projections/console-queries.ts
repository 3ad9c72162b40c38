import type Database from 'better-sqlite3';
import type { PostingQueries, PostingRow } from './posting-queries.js';

/**
 * Read-side queries behind the operator console's overview and the audit report, over the
 * posting-state read model (logical table `postings`) and the mapping history. Rows are read back
 * through `PostingQueries.get`, so they have exactly the shape of the `postings` query.
 */

/** Statuses in which a document still waits for something (the system or a person). */
export const WAITING_STATUSES = ['RECEIVED', 'FETCHED', 'AWAITING_MAPPING', 'READY', 'POSTING', 'FAILED', 'REJECTED'] as const;

export interface MappingChangeRow {
  revision: number;
  type: string;
  section: string | null;
  key: string | null;
  /** JSON text of the new value (the whole set for an import); null for a removal. */
  value: string | null;
  reason: string;
  actor: string;
  occurredAt: string;
}

export class ConsoleQueries {
  constructor(
    private readonly db: Database.Database,
    private readonly postings: Pick<PostingQueries, 'get'>,
  ) {}

  /** Documents by status whose last change is at or after `since` (ISO time). */
  statusCountsSince(since: string): Record<string, number> {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM postings WHERE updated_at >= ? GROUP BY status').all(since) as Array<{
      status: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Documents posted per UTC hour (`YYYY-MM-DDTHH`) from `since` on. */
  postedPerHour(since: string): Array<{ hour: string; count: number }> {
    return (
      this.db
        .prepare('SELECT substr(posted_at, 1, 13) AS hour, count(*) AS n FROM postings WHERE posted_at >= ? GROUP BY hour ORDER BY hour')
        .all(since) as Array<{ hour: string; n: number }>
    ).map((r) => ({ hour: r.hour, count: r.n }));
  }

  /** The document that has waited longest (by arrival) in a status that is not final. */
  oldestWaiting(): PostingRow | null {
    const id = this.db
      .prepare(`SELECT id FROM postings WHERE status IN (${WAITING_STATUSES.map(() => '?').join(',')}) ORDER BY created_at, seq LIMIT 1`)
      .pluck()
      .get(...WAITING_STATUSES) as string | undefined;
    return id === undefined ? null : this.postings.get(id);
  }

  latestRejections(limit: number): PostingRow[] {
    const ids = this.db.prepare(`SELECT id FROM postings WHERE status = 'REJECTED' ORDER BY updated_at DESC, seq DESC LIMIT ?`).pluck().all(limit) as string[];
    return ids.map((id) => this.postings.get(id)).filter((r): r is PostingRow => r !== null);
  }

  /** Every document with an Intacct RECORDNO whose GL batch date is in [from, to] (YYYY-MM-DD), in date order. */
  postedWithBatchDateIn(from: string, to: string): PostingRow[] {
    const ids = this.db
      .prepare(`SELECT id FROM postings WHERE intacct_record_no IS NOT NULL AND batch_date >= ? AND batch_date <= ? ORDER BY batch_date, seq`)
      .pluck()
      .all(from, to) as string[];
    return ids.map((id) => this.postings.get(id)).filter((r): r is PostingRow => r !== null);
  }

  /** Mapping changes that occurred in [from, to] (ISO times), oldest first. */
  mappingChangesBetween(from: string, to: string, table = 'mapping_history'): MappingChangeRow[] {
    return (
      this.db
        .prepare(
          `SELECT revision, type, section, key, value_json, reason, actor, occurred_at FROM ${table} WHERE occurred_at >= ? AND occurred_at <= ? ORDER BY position`,
        )
        .all(from, to) as Array<Record<string, unknown>>
    ).map((r) => ({
      revision: r['revision'] as number,
      type: r['type'] as string,
      section: (r['section'] as string | null) ?? null,
      key: (r['key'] as string | null) ?? null,
      value: (r['value_json'] as string | null) ?? null,
      reason: r['reason'] as string,
      actor: r['actor'] as string,
      occurredAt: r['occurred_at'] as string,
    }));
  }
}
