import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { request } from 'node:http';

export interface EssDelivery {
  status: number | null;
  attempts: number;
  body: string;
}

export interface EssEventInput {
  id?: string;
  eventType?: string;
  topic?: string;
  facts: Record<string, unknown>;
  timeStamp?: string;
}

export interface DeliverOptions {
  /** Sign with a different key than the published one (to test rejection). */
  signWithForeignKey?: boolean;
  /** Raw body override (malformed JSON tests). */
  rawBody?: string;
  maxAttempts?: number;
  retryDelayMs?: number;
}

/** Like ESS: delivery is at least once; 5xx, 401, 403, 429 and network errors are retried. */
const RETRIED = new Set([401, 403, 429]);

/**
 * An ESS-like sender: builds the envelope, signs the exact body bytes with its RSA key (RSA-SHA256,
 * base64 in `Concur-Signature`) and POSTs it, redelivering on failure.
 */
export class EssSender {
  private keys: { privateKey: KeyObject; publicKeyPem: string } | null = null;
  private foreign: KeyObject | null = null;
  readonly deliveries: { id: string; status: number | null; attempt: number }[] = [];

  constructor(
    /** The webhook URL deliveries go to. */
    public endpoint: string | null = null,
  ) {}

  // Key generation costs tens of milliseconds; done on first use, not at simulator start.
  private get signingKeys(): { privateKey: KeyObject; publicKeyPem: string } {
    if (!this.keys) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.keys = { privateKey: pair.privateKey, publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    }
    return this.keys;
  }

  /** The PEM public key to configure as CONCUR_WEBHOOK_PUBLIC_KEYS. */
  get publicKeyPem(): string {
    return this.signingKeys.publicKeyPem;
  }

  envelope(input: EssEventInput): Record<string, unknown> {
    return {
      id: input.id ?? randomUUID(),
      correlationId: randomUUID(),
      eventType: input.eventType ?? 'expense.readyForIntegration',
      topic: input.topic ?? 'public.concur.financialintegration',
      subtopic: null,
      timeStamp: input.timeStamp ?? new Date().toISOString(),
      facts: input.facts,
      data: null,
    };
  }

  /** The notification for a FIS document (what Concur sends when a report is ready to post). */
  documentReady(docType: 'expense' | 'invoice', docId: string, baseUrl: string, id?: string): Record<string, unknown> {
    return this.envelope({
      id,
      eventType: `${docType}.readyForIntegration`,
      facts: {
        companyId: '821599',
        documentId: docId,
        entityId: 'sim-entity',
        href: `${baseUrl}/financialintegration/fi/v4/companies/transactiontypes/${docType}/transactions?docId=${docId}`,
      },
    });
  }

  signature(body: string | Buffer, foreign = false): string {
    if (foreign) this.foreign ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return sign('sha256', Buffer.from(body), foreign ? this.foreign! : this.signingKeys.privateKey).toString('base64');
  }

  async deliver(event: Record<string, unknown>, options: DeliverOptions = {}, to = this.endpoint): Promise<EssDelivery> {
    if (!to) throw new Error('simulator: no webhook endpoint configured for the ESS sender');
    const body = options.rawBody ?? JSON.stringify(event);
    const signature = this.signature(body, options.signWithForeignKey);
    const maxAttempts = options.maxAttempts ?? 5;
    let last: EssDelivery = { status: null, attempts: 0, body: '' };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const { status, text } = await post(to, body, { 'concur-signature': signature, 'concur-correlationid': String(event.correlationId ?? randomUUID()) });
        last = { status, attempts: attempt, body: text };
        this.deliveries.push({ id: String(event.id), status, attempt });
        if (status < 300 || !(status >= 500 || RETRIED.has(status))) return last;
      } catch {
        last = { status: null, attempts: attempt, body: '' };
        this.deliveries.push({ id: String(event.id), status: null, attempt });
      }
      await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 50) * attempt));
    }
    return last;
  }
}

function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
