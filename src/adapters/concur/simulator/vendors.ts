import { vendorKey, type ConcurSimulatorState, type SimVendor } from './state.js';

/** Concur caps a vendor page (and, in the simulator, a write batch) at 1000 records. */
export const VENDOR_LIMIT_MAX = 1000;

export interface SimReply {
  status: number;
  body: unknown;
}

export interface VendorStatus {
  VendorCode: string | null;
  AddressCode: string | null;
  Status: 'SUCCESS' | 'FAILURE';
  Message: string | null;
}

/** `GET /api/v3.1/invoice/vendors`: limit (≤ 1000) / offset paging, optional vendorCode filter. */
export function listVendors(state: ConcurSimulatorState, url: URL, baseUrl: string): SimReply {
  const limit = Number(url.searchParams.get('limit') ?? 25);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > VENDOR_LIMIT_MAX)
    return { status: 400, body: { Message: `limit must be an integer from 1 to ${VENDOR_LIMIT_MAX}` } };
  if (!Number.isInteger(offset) || offset < 0) return { status: 400, body: { Message: 'offset must be a non-negative integer' } };
  const code = url.searchParams.get('vendorCode');
  const all = [...state.vendors.values()]
    .filter((v) => code === null || v.VendorCode === code)
    .sort((a, b) => vendorKey(a.VendorCode, a.AddressCode).localeCompare(vendorKey(b.VendorCode, b.AddressCode)));
  const next =
    offset + limit < all.length
      ? `${baseUrl}/api/v3.1/invoice/vendors?offset=${offset + limit}&limit=${limit}${code === null ? '' : `&vendorCode=${encodeURIComponent(code)}`}`
      : null;
  return { status: 200, body: { Items: all.slice(offset, offset + limit).map((v) => structuredClone(v)), NextPage: next } };
}

/**
 * `POST` (create) and `PUT` (update) take `{Vendor: [...]}` and answer 200 with one `StatusList`
 * entry per record, in order: a bad record fails alone, the others are still applied.
 */
export function writeVendors(state: ConcurSimulatorState, method: 'POST' | 'PUT', raw: string): SimReply {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { status: 400, body: { Message: 'body is not JSON' } };
  }
  const list = (body as { Vendor?: unknown } | null)?.Vendor;
  if (!Array.isArray(list) || list.length === 0) return { status: 400, body: { Message: 'body must be {"Vendor": [ ... ]} with at least one vendor' } };
  if (list.length > VENDOR_LIMIT_MAX) return { status: 400, body: { Message: `at most ${VENDOR_LIMIT_MAX} vendors per request` } };
  const written: SimVendor[] = [];
  const statuses = (list as Record<string, unknown>[]).map((v): VendorStatus => {
    const code = typeof v?.VendorCode === 'string' && v.VendorCode.trim() ? v.VendorCode : null;
    const address = typeof v?.AddressCode === 'string' && v.AddressCode.trim() ? v.AddressCode : null;
    const fail = (message: string): VendorStatus => ({ VendorCode: code, AddressCode: address, Status: 'FAILURE', Message: message });
    if (!code || !address) return fail('VendorCode and AddressCode are required');
    const key = vendorKey(code, address);
    const existing = state.vendors.get(key);
    if (method === 'POST') {
      if (typeof v.VendorName !== 'string' || !v.VendorName.trim()) return fail(`VendorName is required for vendor ${code}/${address}`);
      if (existing) return fail(`A vendor with VendorCode ${code} and AddressCode ${address} already exists`);
      state.vendors.set(key, structuredClone(v) as SimVendor);
    } else {
      if (!existing) return fail(`No vendor with VendorCode ${code} and AddressCode ${address}`);
      state.vendors.set(key, { ...existing, ...(structuredClone(v) as SimVendor) });
    }
    written.push(structuredClone(state.vendors.get(key)!));
    return { VendorCode: code, AddressCode: address, Status: 'SUCCESS', Message: null };
  });
  state.vendorWrites.push({ method, vendors: written });
  return { status: 200, body: { Vendor: written, StatusList: statuses } };
}
