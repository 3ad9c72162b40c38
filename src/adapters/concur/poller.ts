import type { ConcurDocType } from '../../domain/journal/journal-entry.js';
import type { FisClient } from './fis-client.js';
import { CONCUR_DOC_TYPES } from '../../domain/concur.js';
import type { ReceiveDocument } from './received.js';
import { silentLogger, type ConcurLogger } from './log.js';

export interface FisPollerOptions {
  fis: FisClient;
  /** Records a queued document as received; the document pipeline does the rest. */
  receive: ReceiveDocument;
  /** Called after a pass that recorded new documents (to wake the document pipeline). */
  onReceived?: () => void;
  /** `CONCUR_POLL_INTERVAL_S`; 0 disables polling. */
  intervalS: number;
  docTypes?: readonly ConcurDocType[];
  pageSize?: number;
  logger?: ConcurLogger;
}

/**
 * Pages the FIS queue and records every waiting document as received. It is the safety net under the
 * webhook: a document whose notification was lost, or whose fetch failed, stays in the queue (it was
 * not acknowledged) and is picked up here. Like the webhook it only records "received": the document
 * pipeline fetches, acknowledges and posts (so an acknowledged document leaves the queue).
 */
export class FisQueuePoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly logger: ConcurLogger;

  constructor(private readonly options: FisPollerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** One pass over the queue of every document type; returns how many documents were new. */
  pollOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    let recorded = 0;
    for (const docType of this.options.docTypes ?? CONCUR_DOC_TYPES) {
      // Pages are read in order; a page of documents already seen in this pass moves on to the next
      // one. `guard` bounds one pass whatever FIS answers.
      const seen = new Set<string>();
      let page: number | null = 0;
      for (let guard = 0; page !== null && guard < 1000; guard++) {
        let result;
        try {
          result = await this.options.fis.getQueuePage(docType, page, this.options.pageSize ?? 25);
        } catch (error) {
          // One document type's queue failing (not licensed, FIS down for it) must not starve the others.
          if (docType === 'expense') throw error;
          this.logger.log('warn', `FIS ${docType} queue could not be read; the other document types are still polled`, { error: (error as Error).message });
          break;
        }
        for (const item of result.items) {
          if (seen.has(item.id)) continue;
          seen.add(item.id);
          if ((await this.options.receive({ docType, docId: item.id, channel: 'fis-poll' })) === 'recorded') recorded++;
        }
        page = result.nextPage;
      }
    }
    if (recorded > 0) this.options.onReceived?.();
    return recorded;
  }

  start(): void {
    if (this.options.intervalS <= 0 || this.timer) return;
    const tick = () => {
      this.pollOnce()
        .then((n) => n > 0 && this.logger.log('info', `FIS queue poll recorded ${n} document(s)`))
        .catch((error: Error) => this.logger.log('warn', `FIS queue poll failed; next try in ${this.options.intervalS}s: ${error.message}`))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalS * 1000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
