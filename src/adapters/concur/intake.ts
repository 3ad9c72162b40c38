import { deterministicEventId, newEvent, type RecordedEvent } from '../../domain/events/envelope.js';
import type { EventStore } from '../../domain/eventstore/port.js';
import { documentStreamId, type ConcurDocumentReceived, type InboundChannel, type PostingRejected, type PostingSucceeded } from '../../domain/document/events.js';
import { foldDocument } from '../../domain/document/state.js';
import type { ConcurDocType } from '../../domain/journal/journal-entry.js';
import { runDocumentCommand } from '../../domain/document/command-handler.js';
import type { FisClient, FisItem, FisItemResult } from './fis-client.js';
import { summarizeFisItem } from './fis-summary.js';
import { silentLogger, type ConcurLogger } from './log.js';
import { ConcurUnavailableError } from './oauth/errors.js';

export const reportLinkStreamId = (docType: ConcurDocType, reportId: string): string => `concur-report-${docType}-${reportId}`;

export interface ConcurReportDocumentLinked {
  docType: ConcurDocType;
  reportId: string;
  concurDocumentId: string;
}

export type IntakeOutcome = 'recorded' | 'recalled' | 'not-found';

interface Cause {
  correlationId: string;
  causationId: string | null;
}

const docTypeOfStream = (streamId: string): { docType: ConcurDocType; docId: string } | null => {
  const m = /^document-(expense|invoice|paymentrequest|cashadvance)-(.+)$/.exec(streamId);
  return m ? { docType: m[1] as ConcurDocType, docId: m[2]! } : null;
};

/**
 * Moves a Concur document through the FIS steps the connector owns: fetch, record, acknowledge at
 * once (otherwise a processor may recall it while we work), and after the posting outcome, confirm.
 * Every step is idempotent (deterministic ids + the lifecycle decider), so the webhook path, the
 * queue poller and a backfill can all run over the same document.
 */
export class ConcurDocumentIntake {
  private readonly logger: ConcurLogger;

  constructor(
    private readonly store: EventStore,
    private readonly fis: FisClient,
    private readonly systemId: string,
    options: { logger?: ConcurLogger } = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Fetches a document named by a notification and records it. */
  async fetchAndRecord(docType: ConcurDocType, docId: string, channel: InboundChannel, cause?: Cause): Promise<IntakeOutcome> {
    const item = await this.fis.getDocument(docType, docId);
    if (!item) {
      this.logger.log('warn', `FIS does not know ${docType} document ${docId}; it was probably recalled before we fetched it. Nothing is posted for it.`, { docType, docId });
      return 'not-found';
    }
    return this.recordItem(docType, item, channel, cause);
  }

  /** Records a FIS item already in hand (queue page, backfill, fetch), then acknowledges it. */
  async recordItem(docType: ConcurDocType, item: FisItem, channel: InboundChannel, cause?: Cause): Promise<IntakeOutcome> {
    const docId = item.id;
    const streamId = documentStreamId(docType, docId);
    const summary = summarizeFisItem(docType, item);
    const meta = { actor: `concur:${channel}`, correlationId: cause?.correlationId ?? deterministicEventId('concur-document', `${docType}:${docId}`), causationId: cause?.causationId ?? null };
    const key = `${docType}:${docId}`;
    await runDocumentCommand(this.store, streamId, {
      type: 'ReceiveDocument',
      data: { docType, concurDocumentId: docId, channel, notificationId: null, href: null, reportId: summary.reportId },
    }, key, meta);
    if (String(item.docStatus ?? '').toUpperCase() === 'RECALLED') {
      await runDocumentCommand(this.store, streamId, { type: 'RecordRecall', data: { serviceCode: 102, reason: `Concur recalled ${docType} document ${docId} (docStatus RECALLED)` } }, key, meta);
      return 'recalled';
    }
    await runDocumentCommand(this.store, streamId, { type: 'RecordFetchedDocument', data: { docType, concurDocumentId: docId, ...summary, document: item } }, `${key}:${summary.version}`, meta);
    if (summary.reportId) await this.supersedeEarlierDocuments(docType, summary.reportId, docId, meta);
    const [ack] = await this.fis.acknowledge(docType, [docId]);
    return this.recordAckResult(docType, docId, ack!, meta);
  }

  private async recordAckResult(docType: ConcurDocType, docId: string, ack: FisItemResult, meta: { actor: string; correlationId: string; causationId: string | null }): Promise<IntakeOutcome> {
    const streamId = documentStreamId(docType, docId);
    const key = `${docType}:${docId}`;
    switch (ack.outcome) {
      case 'ok':
      case 'already-done':
        // Another path (the app pipeline, a second poller) may have recorded the acknowledgement already.
        if ((await this.store.readStream(streamId)).some((e) => e.type === 'ConcurDocumentAcknowledged')) return 'recorded';
        await runDocumentCommand(this.store, streamId, { type: 'RecordAcknowledgement', data: { systemId: this.systemId, serviceCode: ack.code } }, key, meta);
        return 'recorded';
      case 'recalled':
        await runDocumentCommand(this.store, streamId, { type: 'RecordRecall', data: { serviceCode: ack.code, reason: `Concur recalled ${docType} document ${docId} (FIS code ${ack.code}); it will not be posted` } }, key, meta);
        return 'recalled';
      case 'not-found':
        this.logger.log('warn', `FIS no longer knows ${docType} document ${docId} (code 116) at acknowledgement`, { docType, docId });
        return 'not-found';
      default:
        throw new ConcurUnavailableError(`FIS could not acknowledge ${docType} document ${docId} (code ${ack.code}${ack.message ? `: ${ack.message}` : ''}); retrying later`);
    }
  }

  /** A resubmitted report arrives as a new FIS document id: the earlier documents of the report are superseded. */
  private async supersedeEarlierDocuments(docType: ConcurDocType, reportId: string, docId: string, meta: { actor: string; correlationId: string; causationId: string | null }): Promise<void> {
    const linkStream = reportLinkStreamId(docType, reportId);
    const link: ConcurReportDocumentLinked = { docType, reportId, concurDocumentId: docId };
    await this.store.appendToStream(linkStream, [newEvent('ConcurReportDocumentLinked', link, { ...meta, id: deterministicEventId('concur-report-link', `${docType}:${reportId}:${docId}`) })]);
    const linked = (await this.store.readStream(linkStream)).map((e) => (e.data as ConcurReportDocumentLinked).concurDocumentId);
    const earlier = linked.slice(0, linked.indexOf(docId));
    for (const oldId of earlier) {
      await runDocumentCommand(this.store, documentStreamId(docType, oldId), { type: 'Supersede', data: { byConcurDocumentId: docId } }, `${docType}:${oldId}->${docId}`, meta);
    }
  }

  /** Sends the posting outcome to Concur and records Concur's answer on the document stream. */
  async confirm(docType: ConcurDocType, docId: string, outcome: { status: 'success'; recordNo: string } | { status: 'error'; messages: string[] }, cause?: Cause): Promise<FisItemResult> {
    const meta = { actor: 'system:concur-confirmation', correlationId: cause?.correlationId ?? deterministicEventId('concur-document', `${docType}:${docId}`), causationId: cause?.causationId ?? null };
    const streamId = documentStreamId(docType, docId);
    // An error confirmation may later be followed by a success: each gets its own event id.
    const key = `${docType}:${docId}:${outcome.status}`;
    const send = () =>
      this.fis.confirmPostings(docType, [
        outcome.status === 'success' ? { docId, status: 'success', documentNumber: outcome.recordNo } : { docId, status: 'error', messages: outcome.messages },
      ]);
    let [result] = await send();
    if (result!.outcome === 'not-acknowledged') {
      // FIS refuses a confirmation for a document it thinks was never acknowledged (code 111).
      await this.fis.acknowledge(docType, [docId]);
      [result] = await send();
    }
    const r = result!;
    if (r.outcome === 'ok' || r.outcome === 'already-done') {
      const messages = outcome.status === 'error' ? outcome.messages : [];
      await runDocumentCommand(this.store, streamId, { type: 'RecordConfirmation', data: { status: outcome.status, documentNumber: outcome.status === 'success' ? outcome.recordNo : null, serviceCode: r.code, messages } }, key, meta);
    } else if (r.outcome === 'recalled') {
      await runDocumentCommand(this.store, streamId, { type: 'RecordRecall', data: { serviceCode: r.code, reason: `Concur recalled ${docType} document ${docId} before the posting could be confirmed (FIS code ${r.code}); the Intacct entry may need reversing` } }, key, meta);
    } else if (r.outcome === 'not-found') {
      this.logger.log('warn', `FIS does not know ${docType} document ${docId} (code 116); the posting confirmation was not delivered`, { docType, docId });
    } else {
      throw new ConcurUnavailableError(`FIS did not accept the posting confirmation for ${docType} document ${docId} (code ${r.code}${r.message ? `: ${r.message}` : ''}); retrying later`);
    }
    return r;
  }

  /**
   * Reacts to one stored event; wire it to `subscribeToAll`. Transient Concur failures are logged and
   * left for the queue poller (an unacknowledged document stays in the FIS queue).
   */
  async handle(event: RecordedEvent): Promise<void> {
    const target = docTypeOfStream(event.streamId);
    if (!target) return;
    const cause = { correlationId: event.metadata.correlationId, causationId: event.id };
    try {
      if (event.type === 'ConcurDocumentReceived') {
        const state = foldDocument(await this.store.readStream(event.streamId));
        if (!state.fetched && state.status === 'RECEIVED') await this.fetchAndRecord(target.docType, target.docId, (event.data as ConcurDocumentReceived).channel, cause);
      } else if (event.type === 'PostingSucceeded') {
        const data = event.data as PostingSucceeded;
        const state = foldDocument(await this.store.readStream(event.streamId));
        if (state.postingKey === data.postingKey && state.confirmation !== 'success') await this.confirm(target.docType, target.docId, { status: 'success', recordNo: data.recordNo }, cause);
      } else if (event.type === 'PostingRejected') {
        const data = event.data as PostingRejected;
        const state = foldDocument(await this.store.readStream(event.streamId));
        if (state.postingKey === data.postingKey && state.confirmation === null) await this.confirm(target.docType, target.docId, { status: 'error', messages: [data.error.message] }, cause);
      }
    } catch (error) {
      if (!(error instanceof ConcurUnavailableError)) throw error;
      this.logger.log('warn', `Concur step for ${event.streamId} deferred: ${error.message}`, { streamId: event.streamId, eventType: event.type });
    }
  }
}
