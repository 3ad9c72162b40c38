import type { ConcurApi, ConcurApiResponse } from './oauth/concur-api.js';
import { ConnectorError } from '../../domain/errors.js';

const VENDORS_PATH = '/api/v3.1/invoice/vendors';
/** Concur's maximum page size for vendors; also the batch size of our writes. */
const MAX_BATCH = 1000;

/** A Concur Invoice vendor (v3.1). VendorCode + AddressCode is the key; other fields pass through. */
export interface ConcurVendor {
  VendorCode: string;
  AddressCode: string;
  VendorName: string;
  [field: string]: unknown;
}

/** One record Concur refused (the others of the same request may have been applied). */
export class ConcurVendorError extends ConnectorError {
  constructor(
    message: string,
    readonly vendorCode: string,
    readonly addressCode: string,
  ) {
    super(message);
    this.name = 'ConcurVendorError';
  }
}

/** The outcome of one record of a create/update batch, in the order sent. */
export interface ConcurVendorResult {
  vendor: ConcurVendor;
  error: ConcurVendorError | null;
}

interface StatusEntry {
  VendorCode?: string | null;
  AddressCode?: string | null;
  Status?: string;
  Message?: string | null;
}

/** Lists, creates and updates Concur Invoice vendors through the authenticated Concur API. */
export class ConcurVendorClient {
  constructor(
    private readonly api: ConcurApi,
    private readonly pageSize = MAX_BATCH,
  ) {
    if (pageSize < 1 || pageSize > MAX_BATCH) throw new Error(`Concur vendor page size must be 1..${MAX_BATCH}, got ${pageSize}`);
  }

  /** Every vendor (all pages), optionally only those with one VendorCode. */
  async listAll(vendorCode?: string): Promise<ConcurVendor[]> {
    const out: ConcurVendor[] = [];
    for (let offset = 0; ; ) {
      const response = await this.api.request('GET', VENDORS_PATH, { query: { limit: this.pageSize, offset, vendorCode } });
      const body = this.ok(response, 'list vendors') as { Items?: unknown; NextPage?: unknown };
      const items = Array.isArray(body?.Items) ? (body.Items as ConcurVendor[]) : [];
      out.push(...items);
      // Follow NextPage's offset rather than our own count: Concur's page may be shorter than asked.
      if (typeof body?.NextPage !== 'string' || !body.NextPage || items.length === 0) return out;
      const next = Number(new URL(body.NextPage).searchParams.get('offset'));
      offset = Number.isFinite(next) && next > offset ? next : offset + items.length;
    }
  }

  create(vendors: readonly ConcurVendor[]): Promise<ConcurVendorResult[]> {
    return this.write('POST', vendors);
  }

  update(vendors: readonly ConcurVendor[]): Promise<ConcurVendorResult[]> {
    return this.write('PUT', vendors);
  }

  /** Concur answers 200 even when records fail: each `StatusList` entry is that record's result. */
  private async write(method: 'POST' | 'PUT', vendors: readonly ConcurVendor[]): Promise<ConcurVendorResult[]> {
    const results: ConcurVendorResult[] = [];
    const verb = method === 'POST' ? 'create' : 'update';
    for (let i = 0; i < vendors.length; i += MAX_BATCH) {
      const batch = vendors.slice(i, i + MAX_BATCH);
      const response = await this.api.request(method, VENDORS_PATH, { json: { Vendor: batch } });
      const body = this.ok(response, `${verb} ${batch.length} vendor(s)`) as { StatusList?: unknown };
      const statuses = Array.isArray(body?.StatusList) ? (body.StatusList as StatusEntry[]) : [];
      batch.forEach((vendor, index) => {
        // Match by key when Concur names the record, else by position.
        const status = statuses.find((s) => s.VendorCode === vendor.VendorCode && s.AddressCode === vendor.AddressCode) ?? statuses[index];
        const ok = (status?.Status ?? '').toUpperCase() === 'SUCCESS';
        const why = status ? (status.Message ?? 'no message') : 'Concur returned no status for it';
        results.push({
          vendor,
          error: ok
            ? null
            : new ConcurVendorError(
                `Concur did not ${verb} vendor ${vendor.VendorCode} (address ${vendor.AddressCode}): ${why}`,
                vendor.VendorCode,
                vendor.AddressCode,
              ),
        });
      });
    }
    return results;
  }

  private ok(response: ConcurApiResponse, what: string): unknown {
    if (response.status >= 200 && response.status < 300) return response.body;
    const message =
      (response.body as { Message?: string; message?: string } | null)?.Message ?? (response.body as { message?: string } | null)?.message ?? 'no message';
    throw new Error(
      `Concur refused to ${what} (HTTP ${response.status}: ${message}; correlation id ${response.correlationId ?? 'none'}); check the app's Invoice vendor scope and the request`,
    );
  }
}
