import { randomUUID } from 'node:crypto';
import type { DocumentCommand, Preparation } from '../domain/document/decider.js';
import { foldDocument } from '../domain/document/state.js';
import { ofType } from '../domain/document/events.js';
import type { EventStore, Subscription } from '../domain/eventstore/port.js';
import type { ConcurDocType } from '../domain/journal/journal-entry.js';
import type { PostingQueries, PostingRow } from '../projections/posting-queries.js';
import type { Logger } from '../observability/logger.js';
import { ERP_SYSTEM_ID } from '../domain/concur.js';
import { runDocumentCommand, runDocumentCommands, type CommandResult } from '../domain/document/command-handler.js';
import { isMissingBillVendorGap } from '../domain/reference/bill-vendors.js';

/** What the pipeline needs from Concur (implemented over the FIS client; the simulator in sandbox). */
export interface ConcurDocumentGateway {
  /** The FIS item `{id, docType, …, document}`, or null when Concur does not know the id (116). */
  fetch(docType: ConcurDocType, docId: string): Promise<unknown | null>;
  acknowledge(docType: ConcurDocType, docId: string): Promise<{ code: number; outcome: string }>;
  confirm(
    docType: ConcurDocType,
    confirmation: { docId: string; status: 'success' | 'error'; documentNumber: string | null; postingDate: string | null; messages: string[] },
  ): Promise<{ code: number; outcome: string }>;
}

/**
 * Turns a fetched FIS item into the preparation result, with the current mappings and dimension
 * caches; `batchDate` is an operator's choice of BATCH_DATE for this document.
 */
export type DocumentPreparer = (item: unknown, docType: ConcurDocType, docId: string, options?: { batchDate?: string | null }) => Preparation;

/** An operator's retry: who, why, and optionally the batch date to post on. */
export interface RetryRequest {
  actor: string;
  reason: string;
  batchDate?: string | null;
}

/** Summary fields of a fetched document, and why it cannot be read as a FIS document (null when it can). */
export type DocumentSummarizer = (
  item: unknown,
  docType: ConcurDocType,
) => {
  summary: { reportId: string | null; reportName: string | null; employeeId: string | null; amount: string | null; currency: string | null; version: string };
  problem: string | null;
};

export interface DocumentPipelineOptions {
  store: EventStore;
  queries: PostingQueries;
  /** Resolves once the read models reflect everything appended so far. */
  readModelsCaughtUp: () => Promise<void>;
  concur: ConcurDocumentGateway;
  prepare: DocumentPreparer;
  summarize: DocumentSummarizer;
  log: Logger;
  /** Documents worked on at the same time. */
  concurrency?: number;
  /** Idle re-scan interval (failed steps are retried with backoff). */
  scanIntervalMs?: number;
  /**
   * Called when a document waits only because its employee does not exist in Intacct yet: the
   * composition root runs the employee sync (Concur employee -> Intacct EMPLOYEE with its CONTACT),
   * whose reference-data event then re-evaluates the document.
   */
  onMissingEmployees?: () => void;
  /**
   * Called when a document waits because its invoice vendor code (no `vendors` entry) is no Intacct
   * vendor: the composition root runs the bill-vendor push (matched by id, tax id, name; created when
   * nothing matches), whose reference-data event then re-evaluates the document.
   */
  onMissingVendors?: () => void;
  /** Event types after which documents awaiting mapping are evaluated again. */
  reevaluateOn?: readonly string[];
}

const ACTOR = 'system:document-pipeline';
const DEFAULT_REEVALUATE = ['MappingChanged', 'MappingsImported', 'ReferenceDataSynced'];

type Step = 'fetch' | 'prepare' | 'confirm';

/**
 * The process manager that moves documents through their lifecycle: fetch the FIS document,
 * acknowledge it, prepare the journal entry (or record the gaps), supersede older versions of the same
 * report, and confirm the posting outcome to Concur. The Intacct posting itself is the posting worker's.
 *
 * It is state-driven rather than event-driven: each cycle derives the work from the posting-state read
 * model, so nothing depends on an in-memory queue surviving a crash, and every step is idempotent (the
 * decider ignores repeats and event ids are deterministic).
 */
export class DocumentPipeline {
  private readonly concurrency: number;
  private readonly scanIntervalMs: number;
  private readonly reevaluateOn: Set<string>;
  private subscription: Subscription | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private dirty = true;
  private loop: Promise<void> | null = null;
  /** Bumped when mappings or reference data change; documents awaiting mapping remember the one they were evaluated at. */
  private generation = 0;
  private readonly evaluatedAt = new Map<string, number>();
  private readonly backoff = new Map<string, { failures: number; notBefore: number }>();

  constructor(private readonly options: DocumentPipelineOptions) {
    this.concurrency = options.concurrency ?? 16;
    this.scanIntervalMs = options.scanIntervalMs ?? 2000;
    this.reevaluateOn = new Set(options.reevaluateOn ?? DEFAULT_REEVALUATE);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const after = await this.options.store.headPosition();
    this.subscription = this.options.store.subscribeToAll(
      (event) => {
        if (this.reevaluateOn.has(event.type)) this.generation++;
        this.kick();
      },
      { after, onError: (error) => this.options.log.error('document pipeline lost its store subscription', { error: error.message }) },
    );
    this.loop = this.run();
  }

  /** Asks for a new cycle soon (after an append, a mapping change, an operator retry). */
  kick(): void {
    this.dirty = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
  }

  /**
   * An operator's retry, decided in ONE append: for a refused or waiting document, the retry request
   * together with its evaluation made now (today's mappings and reference data, and the operator's
   * batch date if given), so the entry requested is exactly the one on record and the one the worker
   * will send. A FAILED posting is only made due now. A document never fetched is fetched again.
   * Throws the lifecycle's refusal when the document cannot be retried in its state.
   */
  async retry(streamId: string, request: RetryRequest): Promise<void> {
    await this.options.readModelsCaughtUp();
    const row = this.options.queries.get(streamId);
    if (!row) return;
    this.backoff.delete(row.id);
    const events = await this.options.store.readStream(row.id);
    const state = foldDocument(events);
    const fetched = events.find(ofType('ConcurDocumentFetched'));
    const batchDate = request.batchDate ?? state.batchDateOverride;
    const preparation = fetched && state.status !== 'FAILED' ? this.evaluate(row, fetched.data.document, batchDate) : null;
    await runDocumentCommand(
      this.options.store,
      row.id,
      { type: 'RequestRetry', data: { reason: request.reason, batchDate: request.batchDate ?? null, preparation } },
      `${row.id}:retry:${randomUUID()}`,
      { actor: request.actor },
    );
    if (!fetched) await this.fetch(row);
    this.kick();
  }

  /** Runs cycles until no document has work left that is not waiting for a backoff; for tests and the CLI. */
  async drain(maxCycles = 100): Promise<void> {
    for (let i = 0; i < maxCycles; i++) if ((await this.cycle()) === 0) return;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.dirty) {
        this.dirty = false;
        try {
          if ((await this.cycle()) > 0) this.dirty = true;
        } catch (error) {
          this.options.log.error('document pipeline cycle failed; retrying', { error: (error as Error).message });
        }
      }
      if (!this.running) break;
      if (!this.dirty) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.scanIntervalMs).unref();
        });
        this.wake = null;
        this.dirty = true;
      }
    }
  }

  /** One pass: returns how many steps it ran. */
  private async cycle(): Promise<number> {
    await this.options.readModelsCaughtUp();
    const work = this.findWork();
    let done = 0;
    let next = 0;
    // A pool rather than fixed slices: one slow Concur call does not hold the others back.
    const lane = async (): Promise<void> => {
      while (next < work.length) {
        const [row, step] = work[next++]!;
        if (await this.runStep(row, step)) done++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, work.length) }, lane));
    return done;
  }

  private findWork(): Array<[PostingRow, Step]> {
    const q = this.options.queries;
    const now = Date.now();
    const ready = (row: PostingRow): boolean => (this.backoff.get(row.id)?.notBefore ?? 0) <= now;
    const work: Array<[PostingRow, Step]> = [];
    for (const row of q.list({ status: ['RECEIVED'] }, 200).rows) if (ready(row)) work.push([row, 'fetch']);
    for (const row of q.list({ status: ['FETCHED'] }, 200).rows) if (ready(row)) work.push([row, 'prepare']);
    for (const row of q.list({ status: ['AWAITING_MAPPING'] }, 500).rows) {
      if ((this.evaluatedAt.get(row.id) ?? -1) < this.generation && ready(row)) work.push([row, 'prepare']);
    }
    for (const row of q.list({ status: ['POSTED'] }, 200).rows) {
      if ((row.concurConfirmation === null || row.concurConfirmation === 'error') && ready(row)) work.push([row, 'confirm']);
    }
    for (const row of q.list({ status: ['REJECTED'] }, 200).rows) {
      if (row.lastError && row.concurConfirmation === null && ready(row)) work.push([row, 'confirm']);
    }
    return work;
  }

  private async runStep(row: PostingRow, step: Step): Promise<boolean> {
    try {
      if (step === 'fetch') await this.fetch(row);
      else if (step === 'prepare') await this.prepare(row);
      else await this.confirm(row);
      this.backoff.delete(row.id);
      return true;
    } catch (error) {
      const previous = this.backoff.get(row.id)?.failures ?? 0;
      const delay = Math.min(300_000, 1000 * 2 ** previous) * (0.8 + Math.random() * 0.4);
      this.backoff.set(row.id, { failures: previous + 1, notBefore: Date.now() + delay });
      this.options.log.warn(`could not ${step} ${row.docType} document ${row.concurDocumentId}; will retry`, {
        ...this.docFields(row),
        error: (error as Error).message,
        retryInMs: Math.round(delay),
      });
      return false;
    }
  }

  /** The fields every line about one document carries: who acted, which document, which report. */
  private docFields(row: Pick<PostingRow, 'docType' | 'concurDocumentId' | 'reportId' | 'reportName'>): Record<string, unknown> {
    return { actor: ACTOR, documentId: row.concurDocumentId, docType: row.docType, reportId: row.reportId ?? null, reportName: row.reportName ?? null };
  }

  private command(row: PostingRow, command: DocumentCommand, idKey: string): Promise<CommandResult> {
    return runDocumentCommand(this.options.store, row.id, command, `${row.id}:${idKey}`, { actor: ACTOR });
  }

  /**
   * Fetch, acknowledge and prepare in one step, recorded as ONE append: fewer durable writes per
   * document, and the posting is requested as soon as the document is in hand. Acknowledging before the
   * append is safe: after a crash in between, the document is still RECEIVED here, is fetched by id
   * again, and the second acknowledgement answers 101 (already acknowledged).
   */
  private async fetch(row: PostingRow): Promise<void> {
    const docType = row.docType as ConcurDocType;
    const item = await this.options.concur.fetch(docType, row.concurDocumentId);
    if (item === null) {
      await this.command(
        row,
        { type: 'RecordRecall', data: { serviceCode: 116, reason: `Concur does not know ${docType} document ${row.concurDocumentId} (FIS 116)` } },
        'recall-116',
      );
      return;
    }
    if (isRecalledItem(item)) {
      // FIS lists it as recalled: a newer version of the report will come; nothing is posted for this one.
      await this.command(
        row,
        { type: 'RecordRecall', data: { serviceCode: 102, reason: `Concur recalled ${docType} document ${row.concurDocumentId} (docStatus RECALLED)` } },
        'recall-status',
      );
      return;
    }
    const { summary, problem } = this.options.summarize(item, docType);
    // An acknowledgement Concur does not take (or answers in a shape we cannot read) must not hold
    // the posting back: the document is in hand; it is recorded without the acknowledgement.
    const ack = await this.options.concur.acknowledge(docType, row.concurDocumentId).catch((error: unknown) => {
      this.options.log.warn(`could not acknowledge ${docType} document ${row.concurDocumentId} in Concur; posting it anyway`, {
        ...this.docFields({ ...row, ...summary }),
        error: (error as Error).message,
      });
      return { code: -1, outcome: 'failed' };
    });
    const commands: DocumentCommand[] = [
      { type: 'RecordFetchedDocument', data: { docType, concurDocumentId: row.concurDocumentId, ...summary, document: item } },
    ];
    // Recorded only when Concur took it; one it refused (199) is made good before the confirmation (111).
    if (ack.outcome === 'ok' || ack.outcome === 'already-done')
      commands.push({ type: 'RecordAcknowledgement', data: { systemId: ERP_SYSTEM_ID, serviceCode: ack.code } });
    else if (ack.code >= 0 && ack.outcome !== 'recalled')
      this.options.log.warn(
        `Concur did not take the acknowledgement of ${docType} document ${row.concurDocumentId} (FIS ${ack.code}); posting it anyway`,
        this.docFields({ ...row, ...summary }),
      );
    const generation = this.generation;
    if (ack.outcome === 'recalled') {
      commands.push({
        type: 'RecordRecall',
        data: { serviceCode: ack.code, reason: `Concur recalled ${docType} document ${row.concurDocumentId} (FIS ${ack.code})` },
      });
    } else if (problem) {
      commands.push({ type: 'RecordPreparation', data: { result: 'rejected', reason: problem, difference: null } });
    } else {
      commands.push({ type: 'RecordPreparation', data: this.evaluate({ ...row, reportId: summary.reportId, reportName: summary.reportName }, item, null) });
    }
    await runDocumentCommands(this.options.store, row.id, commands, `${row.id}:intake`, { actor: ACTOR });
    this.evaluatedAt.set(row.id, generation);
    if (summary.reportId && ack.outcome !== 'recalled') await this.supersedeOlderVersions({ ...row, reportId: summary.reportId });
  }

  private async prepare(row: PostingRow): Promise<void> {
    const events = await this.options.store.readStream(row.id);
    const fetched = events.find(ofType('ConcurDocumentFetched'));
    if (!fetched) return;
    const generation = this.generation;
    const { batchDateOverride } = foldDocument(events);
    // Re-evaluations after every mapping or reference change are not logged again: the decider records
    // only changed gaps, and the first evaluation said what the document waits for.
    const result = this.evaluate(row, fetched.data.document, batchDateOverride, false);
    await this.command(row, { type: 'RecordPreparation', data: result }, `prepare:${events.length}`);
    this.evaluatedAt.set(row.id, generation);
    if (row.reportId) await this.supersedeOlderVersions(row);
  }

  /**
   * The posting rules' verdict on the document now; waiting for employees (or an invoice vendor) starts their sync. The
   * preparer should never throw; if it does (a code the rules cannot handle), the document is recorded
   * as rejected by the rules with the error: otherwise it would stay RECEIVED and be fetched and
   * acknowledged at Concur again on every cycle, with no error anyone sees.
   */
  private evaluate(row: PostingRow, item: unknown, batchDate: string | null, describe = true): Preparation {
    let result: Preparation;
    try {
      result = this.options.prepare(item, row.docType as ConcurDocType, row.concurDocumentId, { batchDate });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log.error(`preparing ${row.docType} document ${row.concurDocumentId} failed unexpectedly; recorded as rejected`, {
        ...this.docFields(row),
        error: message,
      });
      result = {
        result: 'rejected',
        reason: `Document ${row.concurDocumentId} could not be prepared: the posting rules failed unexpectedly (${message}). Report this with the document id; once fixed, retry the document.`,
        difference: null,
      };
    }
    this.noticeMissingParties(result);
    if (describe) this.describeOutcome(row, result);
    return result;
  }

  private describeOutcome(row: PostingRow, result: Preparation): void {
    const what = `${row.docType} document ${row.concurDocumentId}${row.reportName ? ` "${row.reportName}"` : ''}`;
    const fields = this.docFields(row);
    if (result.result === 'gaps')
      this.options.log.warn(`${what} waits for mappings: ${result.gaps.map((g) => g.message).join(' ')}`, {
        ...fields,
        gaps: result.gaps.map((g) => `${g.field}:${g.code}`),
      });
    else if (result.result === 'rejected') this.options.log.warn(`${what} cannot be posted: ${result.reason}`, { ...fields, rejected: 'posting-rules' });
  }

  private noticeMissingParties(result: Preparation): void {
    if (result.result !== 'gaps') return;
    if (result.gaps.some((g) => g.kind === 'employee' && g.code !== '' && g.message.includes('does not exist'))) this.options.onMissingEmployees?.();
    if (result.gaps.some(isMissingBillVendorGap)) this.options.onMissingVendors?.();
  }

  /** A recalled and resubmitted report arrives as a new document id: older documents of the report give way. */
  private async supersedeOlderVersions(row: PostingRow): Promise<void> {
    const me = this.options.queries.get(row.id);
    for (const other of this.options.queries.byReport(row.reportId!)) {
      if (other.id === row.id || other.docType !== row.docType || other.supersededBy || other.status === 'SUPERSEDED' || other.status === 'REVERSED') continue;
      if (me && other.createdAt > me.createdAt) continue;
      await this.command(other, { type: 'Supersede', data: { byConcurDocumentId: row.concurDocumentId } }, `superseded-by:${row.concurDocumentId}`);
    }
  }

  /** "GLBATCH RECORDNO 1043", or "EEXPENSES RECORDNO 1052, CCTRANSACTION RECORDNO 1053" for a document of several records. */
  private recordsText(row: PostingRow): string {
    const records = this.options.queries.recordsOf(row.id).filter((r) => r.reverses === null && r.recordNo !== null);
    if (records.length === 0) return `GLBATCH RECORDNO ${row.intacctRecordNo}`;
    return records.map((r) => `${r.target} RECORDNO ${r.recordNo}`).join(', ');
  }

  private async confirm(row: PostingRow): Promise<void> {
    const docType = row.docType as ConcurDocType;
    const success = row.status === 'POSTED';
    const messages = success ? [] : [row.lastError?.message ?? row.rejectionReason ?? 'Rejected by Sage Intacct'];
    const result = await this.options.concur.confirm(docType, {
      docId: row.concurDocumentId,
      status: success ? 'success' : 'error',
      documentNumber: success ? row.intacctRecordNo : null,
      postingDate: row.batchDate,
      messages,
    });
    if (result.outcome === 'retry-later' || result.outcome === 'failed') {
      throw new Error(`Concur answered the posting confirmation with service code ${result.code}`);
    }
    const what = `${docType} document ${row.concurDocumentId}${row.reportName ? ` "${row.reportName}"` : ''}`;
    if (result.outcome === 'recalled') {
      // Recalled between our posting and the confirmation: the Intacct entry stays until someone decides.
      this.options.log.warn(
        `${what} was recalled in Concur after it was posted (FIS ${result.code}); the Intacct entry ${row.intacctRecordNo ?? ''} may need reversing`,
        { ...this.docFields(row), recordNo: row.intacctRecordNo },
      );
      await this.command(
        row,
        {
          type: 'RecordRecall',
          data: {
            serviceCode: result.code,
            reason: `Concur recalled ${docType} document ${row.concurDocumentId} before the posting could be confirmed (FIS code ${result.code}); the Intacct entry may need reversing`,
          },
        },
        `confirm-recalled:${result.code}`,
      );
      return;
    }
    if (result.outcome === 'not-found') {
      // FIS no longer knows the document: nothing can be confirmed; recorded so it is not asked again.
      this.options.log.warn(
        `${what}: Concur no longer knows the document (FIS ${result.code}); the posting outcome could not be confirmed`,
        this.docFields(row),
      );
    }
    if (success)
      this.options.log.info(`${what} posted to Intacct as ${this.recordsText(row)}; confirmed to Concur`, {
        ...this.docFields(row),
        recordNo: row.intacctRecordNo,
        amount: row.amount,
        currency: row.currency,
      });
    else
      this.options.log.warn(`${what} was refused by Intacct: ${messages[0]}; Concur was told`, {
        ...this.docFields(row),
        rejected: 'intacct',
        category: row.lastError?.category ?? null,
      });
    await this.command(
      row,
      {
        type: 'RecordConfirmation',
        data: { status: success ? 'success' : 'error', documentNumber: success ? row.intacctRecordNo : null, serviceCode: result.code, messages },
      },
      `confirm:${success ? 'success' : `error:${row.attempts}`}`,
    );
  }
}

/** A FIS item whose `docStatus` says Concur recalled it (the queue and a fetch by id both carry it). */
function isRecalledItem(item: unknown): boolean {
  if (typeof item !== 'object' || item === null) return false;
  return String((item as { docStatus?: unknown }).docStatus ?? '').toUpperCase() === 'RECALLED';
}
