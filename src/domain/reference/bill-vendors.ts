/**
 * Vendors for AP bills, Concur -> Intacct. An invoice (payment request) posted as an APBILL needs
 * the Intacct VENDORID of its Concur vendor: the `vendors` mapping, else the Concur vendor code
 * itself. When that code is no Intacct vendor, the vendor is matched the way employees are: by id,
 * then by tax id, then by name. A tax-id or name match is the same vendor under another id: it is
 * reported, never mapped or changed automatically (only a person can tell whether the two are one).
 * Pure: the application reads the documents and Intacct and does the writes.
 */
import type { MappingGap } from '../document/events.js';
import type { FisDocument, FisFields } from '../fis/model.js';

/** The invoice header names accepted for the vendor's tax id (optional; first given wins). */
export const VENDOR_TAX_ID_FIELDS = ['vendorTaxId', 'vendorTaxID', 'vendorTaxNumber', 'taxId', 'taxID', 'vendorVatNumber', 'vatNumber'] as const;

/** The field an unmapped invoice vendor's gap names (see Resolver.vendor). */
export const INVOICE_VENDOR_FIELD = 'invoice.vendorCode';

/** A Concur vendor seen on a waiting bill. */
export interface BillVendor {
  concurCode: string;
  name: string | null;
  taxId: string | null;
}

/** An Intacct vendor as read for matching (VENDORID, NAME, TAXID when Intacct returns it). */
export interface IntacctVendor {
  vendorId: string;
  name: string;
  taxId: string | null;
}

export type BillVendorMatch =
  | { kind: 'exists' }
  | { kind: 'conflict'; by: 'tax id' | 'name'; vendorIds: string[]; message: string }
  | { kind: 'create'; vendorId: string; name: string; taxId: string | null };

/**
 * The gap that starts a vendor push: an invoice vendor with no `vendors` entry whose code does not
 * exist in Intacct (an inactive vendor, or a mapped VENDORID that is missing, is the operator's).
 */
export const isMissingBillVendorGap = (g: MappingGap): boolean =>
  g.kind === 'vendor' && g.code !== '' && g.field === INVOICE_VENDOR_FIELD && g.message.includes('does not exist');

const text = (v: unknown): string | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
};

/** The vendor of an invoice document (null for other kinds); the tax id only when the header carries one. */
export function billVendorOf(doc: FisDocument): BillVendor | null {
  if (doc.kind !== 'invoice') return null;
  return { concurCode: doc.vendorCode, name: doc.vendorName?.trim() || null, taxId: taxIdOf(doc.fields) };
}

function taxIdOf(fields: FisFields): string | null {
  for (const key of VENDOR_TAX_ID_FIELDS) {
    const value = text(fields[key]);
    if (value !== null) return value;
  }
  return null;
}

/** Tax ids compare without punctuation or spaces and case-insensitively ("12-3456789" = "123456789"). */
export const normalizeTaxId = (taxId: string): string => taxId.replace(/[^0-9A-Za-z]/g, '').toUpperCase();

const normalizeName = (name: string): string => name.trim().toLowerCase();

/**
 * Matches a Concur vendor against the Intacct vendors: by VENDORID = the Concur code (it exists:
 * nothing to do), else by tax id, else by name (case-insensitive, exact). No match: create it under
 * the Concur code.
 */
export function matchBillVendor(vendor: BillVendor, intacct: readonly IntacctVendor[]): BillVendorMatch {
  if (intacct.some((v) => v.vendorId === vendor.concurCode)) return { kind: 'exists' };
  const label = `Concur vendor ${vendor.concurCode}${vendor.name ? ` '${vendor.name}'` : ''}`;
  const conflict = (by: 'tax id' | 'name', found: readonly IntacctVendor[]): BillVendorMatch => {
    const vendorIds = found.map((v) => v.vendorId);
    const first = vendorIds[0]!;
    const which = vendorIds.length === 1 ? `Intacct vendor ${first}` : `Intacct vendors ${vendorIds.join(', ')}`;
    const detail = by === 'tax id' ? `by tax id ${vendor.taxId}` : 'by name';
    return {
      kind: 'conflict',
      by,
      vendorIds,
      message: `${label} matches ${which} ${detail}; map it in vendors (vendors.${vendor.concurCode} = ${first}) or rename one side; nothing was created or changed`,
    };
  };
  if (vendor.taxId !== null) {
    const wanted = normalizeTaxId(vendor.taxId);
    const found = wanted === '' ? [] : intacct.filter((v) => v.taxId !== null && normalizeTaxId(v.taxId) === wanted);
    if (found.length) return conflict('tax id', found);
  }
  const name = vendor.name ?? vendor.concurCode;
  const found = intacct.filter((v) => v.name !== '' && normalizeName(v.name) === normalizeName(name));
  if (found.length) return conflict('name', found);
  return { kind: 'create', vendorId: vendor.concurCode, name, taxId: vendor.taxId };
}
