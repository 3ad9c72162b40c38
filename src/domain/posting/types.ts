import type { MappingGap } from '../document/events.js';
import type { DimensionTarget, JournalEntry, JournalLineKind } from '../journal/journal-entry.js';
import type { FisFields } from '../fis/model.js';

/** What the dimension cache can be asked about: the GLENTRY dimensions plus GL accounts. */
export type ReferenceTarget = DimensionTarget | 'GLACCOUNT';
export type ReferenceStatus = 'ok' | 'missing' | 'inactive';
/** Answers from the dimension cache (projections/dimension-cache.ts); pure from the rules' point of view. */
export type DimensionCheck = (target: ReferenceTarget, value: string) => ReferenceStatus;

export interface PostingOptions {
  /** YYYY-MM-DD used when the document has no usable date (last fallback of the batch date policy). */
  today: string;
  /** Journal when the mapping set has none (INTACCT_JOURNAL, default EXPJ). */
  defaultJournal?: string;
  /**
   * BATCH_DATE chosen by an operator for this document (YYYY-MM-DD), instead of the date policy's;
   * the policy's date is then kept in the batch title.
   */
  batchDate?: string | null;
}

export type PostingRejection = { reason: string; difference: string | null };

/** `records`: every Intacct record of the document, `entry` (the first) included. */
export type PostingResult =
  | { ok: true; entry: JournalEntry; records: JournalEntry[] }
  | { ok: false; gaps: MappingGap[] }
  | { ok: false; rejected: PostingRejection };

/** Levels a dimension source is read from, most granular first (allocation, entry, report). */
export interface DimensionLevels {
  levels: readonly { prefix: string; fields: FisFields }[];
  /** Cache of the raw Concur codes for the mapping's rules (netting key), filled on first use. */
  rawKey?: string;
}

export type AccountRef =
  | { type: 'expense'; code: string | null; fallback: string | null }
  | { type: 'tax'; which: 'reclaim' | 'nonDeductible'; label: string | null }
  | { type: 'counterparty'; party: string }
  | { type: 'cash-advance'; id: string }
  | { type: 'vendor-payable'; vendorCode: string };

/** A line before netting and mapping: signed amount (positive = debit) in minor units. */
export interface DraftLine {
  kind: JournalLineKind;
  amount: number;
  account: AccountRef;
  /** Set on cost lines (expense, non-deductible tax) only. */
  cost: DimensionLevels | null;
  memo: string;
  source: string;
  /** Netting scope: lines cancel only within one expense entry (or the report-level items). */
  scope: string;
}
