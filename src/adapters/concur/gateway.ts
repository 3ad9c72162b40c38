import type { ConcurDocType } from '../../domain/journal/journal-entry.js';
import type { FisClient, FisCodeOutcome, FisItem } from './fis-client.js';

export interface GatewayAnswer {
  code: number;
  outcome: FisCodeOutcome;
  message: string | null;
}

/**
 * The per-document FIS operations a process manager needs (fetch, acknowledge, confirm), shaped for
 * `ConcurDocumentGateway` in src/processes. Structural on purpose: adapters do not import app code.
 */
export class FisDocumentGateway {
  constructor(private readonly fis: FisClient) {}

  fetch(docType: ConcurDocType, docId: string): Promise<FisItem | null> {
    return this.fis.getDocument(docType, docId);
  }

  async acknowledge(docType: ConcurDocType, docId: string): Promise<GatewayAnswer> {
    const [r] = await this.fis.acknowledge(docType, [docId]);
    return { code: r!.code, outcome: r!.outcome, message: r!.message };
  }

  async confirm(
    docType: ConcurDocType,
    c: { docId: string; status: 'success' | 'error'; documentNumber: string | null; postingDate: string | null; messages: string[] },
  ): Promise<GatewayAnswer> {
    const send = async () => {
      const [r] = await this.fis.confirmPostings(docType, [
        { docId: c.docId, status: c.status, documentNumber: c.documentNumber, postingDate: c.postingDate, messages: c.messages },
      ]);
      return r!;
    };
    let r = await send();
    if (r.outcome === 'not-acknowledged') {
      // FIS refuses to confirm a document it believes was never acknowledged (code 111).
      await this.fis.acknowledge(docType, [c.docId]);
      r = await send();
    }
    return { code: r.code, outcome: r.outcome, message: r.message };
  }
}
