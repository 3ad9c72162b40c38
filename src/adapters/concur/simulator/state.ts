import { randomBytes } from 'node:crypto';
import type { SimFisItem } from './documents.js';

/** Everything the simulated Concur knows; tests inspect it to see what the connector sent. */
export interface SimDocument {
  item: SimFisItem;
  status: 'READY' | 'ACKNOWLEDGED' | 'RECALLED' | 'POSTING_CONFIRMED_SUCCESS' | 'POSTING_CONFIRMED_FAILURE';
  modifiedAt: string;
}

export interface SimFisCall {
  kind: 'acknowledgement' | 'postingconfirmation' | 'paymentconfirmation';
  docId: string;
  code: number;
  /** The confirmation item as sent (for postingconfirmation / paymentconfirmation). */
  body: unknown;
}

/** A v3.1 invoice vendor as Concur stores it; fields beyond the key and name are kept as sent. */
export interface SimVendor {
  VendorCode: string;
  AddressCode: string;
  VendorName: string;
  [field: string]: unknown;
}

export const vendorKey = (vendorCode: string, addressCode: string): string => `${vendorCode}\u0000${addressCode}`;

export interface SimToken {
  datacenter: 'primary' | 'secondary';
  expiresAt: number;
}

export class ConcurSimulatorState {
  readonly clients = new Map<string, string>();
  /** Company UUID -> request token (company JWT bootstrap). */
  readonly companies = new Map<string, string>();
  /** Valid refresh tokens; a used one is deleted (rotation), so presenting it again gives code 108. */
  readonly refreshTokens = new Map<string, { sub: string }>();
  readonly accessTokens = new Map<string, SimToken>();
  /** The datacenter the company lives in: token requests elsewhere get code 16. */
  homeDatacenter: 'primary' | 'secondary' = 'primary';
  accessTokenLifetimeS = 3600;
  readonly documents = new Map<string, SimDocument>();
  readonly fisCalls: SimFisCall[] = [];
  readonly tokenRequests: { datacenter: 'primary' | 'secondary'; grantType: string; contentType: string | undefined; code: number | null }[] = [];
  /** Which page shape GET transactions answers with (FIS documents one, SAP samples the other). */
  responseShape: 'content' | 'fIDocuments' = 'fIDocuments';
  /** Every token the simulator ever issued (tests assert none of them leaks into logs or events). */
  readonly issuedSecrets: string[] = [];
  /** Invoice vendors, keyed by VendorCode + AddressCode (Concur's composite key). */
  readonly vendors = new Map<string, SimVendor>();
  /** Every vendor write the connector made (tests check what was and was not sent). */
  readonly vendorWrites: { method: 'POST' | 'PUT'; vendors: SimVendor[] }[] = [];

  addVendor(vendor: SimVendor): SimVendor {
    this.vendors.set(vendorKey(vendor.VendorCode, vendor.AddressCode), structuredClone(vendor));
    return vendor;
  }

  issueRefreshToken(sub: string): string {
    const token = `sim-rt-${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(token, { sub });
    this.issuedSecrets.push(token);
    return token;
  }

  issueAccessToken(datacenter: 'primary' | 'secondary', now: number): string {
    const token = `sim-at-${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(token, { datacenter, expiresAt: now + this.accessTokenLifetimeS * 1000 });
    this.issuedSecrets.push(token);
    return token;
  }

  addDocument(item: SimFisItem): SimFisItem {
    this.documents.set(item.id, { item: structuredClone(item), status: 'READY', modifiedAt: new Date().toISOString() });
    return item;
  }

  /** The employee recalls the report: FIS answers 102/112 for the document from now on. */
  recall(docId: string): void {
    const doc = this.documents.get(docId);
    if (!doc) throw new Error(`simulator: no document ${docId}`);
    doc.status = 'RECALLED';
    doc.modifiedAt = new Date().toISOString();
  }

  /** Expire every access token now (the connector must refresh on the 401). */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }

  confirmations(docId?: string): SimFisCall[] {
    return this.fisCalls.filter((c) => c.kind === 'postingconfirmation' && (docId === undefined || c.docId === docId));
  }
}

/** Fault injection: each counter is consumed one request at a time. */
export class ConcurSimulatorFaults {
  /** Next N token requests answer code 134 (company in maintenance). */
  tokenMaintenance = 0;
  /** Next N FIS/v3 API requests answer this HTTP status (e.g. 500, 503, 429). */
  apiFailures: { count: number; status: number } = { count: 0, status: 503 };
  /** Next N FIS item results answer code 199 (retry later). */
  fisRetryLater = 0;
  /** Every response is delayed by this many ms. */
  latencyMs = 0;
}
