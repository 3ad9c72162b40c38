import type { ReferenceRow } from '../adapters/intacct/reference.js';
import type { ConcurVendor, ConcurVendorClient } from '../adapters/concur/vendors.js';
import { newEvent } from '../domain/events/envelope.js';
import type { EventStore } from '../domain/eventstore/port.js';
import type { VendorSynced } from '../domain/reference/events.js';

export type { VendorSynced };

/**
 * Intacct has one remit-to per VENDORID while Concur keys vendors by VendorCode + AddressCode, so
 * every vendor we create in Concur gets this one address code. Concur-side extra addresses of the
 * same VendorCode are left alone.
 */
export const DEFAULT_CONCUR_ADDRESS_CODE = 'MAIN';

/** The part of the Concur vendor client the sync needs. */
export type ConcurVendorDirectory = Pick<ConcurVendorClient, 'listAll' | 'create'>;

export interface VendorPushOutcome {
  created: string[];
  conflicts: string[];
  errors: string[];
  onlyInConcur: string[];
  /** Vendors (VendorCode + AddressCode) listed in Concur. */
  readInConcur: number;
}

/**
 * Intacct -> Concur vendors. Intacct is the AP master (it pays the bills and owns the 1099/remit-to
 * data), so:
 * - an ACTIVE Intacct vendor whose VENDORID is no VendorCode in Concur is created there;
 * - a vendor on both sides with another name is a conflict: reported, neither side is changed,
 *   because a rename may be deliberate on either side and only a person can tell;
 * - a VendorCode only in Concur is counted, never created in Intacct: a vendor master record needs
 *   AP's tax and payment details that Concur does not have.
 */
export async function pushVendorsToConcur(
  intacctRows: readonly ReferenceRow[],
  concur: ConcurVendorDirectory,
  store: EventStore,
  actor: string,
): Promise<VendorPushOutcome> {
  const outcome: VendorPushOutcome = { created: [], conflicts: [], errors: [], onlyInConcur: [], readInConcur: 0 };
  const inConcur = new Map<string, ConcurVendor[]>();
  const listed = await concur.listAll();
  outcome.readInConcur = listed.length;
  for (const v of listed) inConcur.set(v.VendorCode, [...(inConcur.get(v.VendorCode) ?? []), v]);
  const intacctIds = new Set(intacctRows.map((r) => r['VENDORID'] ?? '').filter(Boolean));

  const toCreate: ConcurVendor[] = [];
  for (const row of intacctRows) {
    const id = row['VENDORID'];
    if (!id || (row['STATUS'] ?? 'active').toLowerCase() !== 'active') continue;
    const name = (row['NAME'] ?? '').trim() || id;
    const existing = inConcur.get(id);
    if (!existing) {
      toCreate.push({ VendorCode: id, AddressCode: DEFAULT_CONCUR_ADDRESS_CODE, VendorName: name });
      continue;
    }
    const differing = existing.filter((v) => (v.VendorName ?? '').trim() !== name);
    if (differing.length)
      outcome.conflicts.push(
        `vendor ${id}: Intacct NAME is "${name}", Concur VendorName is ${differing.map((v) => `"${v.VendorName}" (address ${v.AddressCode})`).join(', ')}; left unchanged on both sides: correct the name in the system that is wrong`,
      );
  }
  for (const code of inConcur.keys()) if (!intacctIds.has(code)) outcome.onlyInConcur.push(code);

  if (toCreate.length === 0) return outcome;
  for (const result of await concur.create(toCreate)) {
    if (result.error) {
      outcome.errors.push(`${result.error.message}; the next sync tries again`);
      continue;
    }
    const v = result.vendor;
    const synced: VendorSynced = {
      vendorCode: v.VendorCode,
      addressCode: v.AddressCode,
      vendorName: v.VendorName,
      direction: 'intacct-to-concur',
      action: 'created',
    };
    await store.appendToStream(`vendor-${v.VendorCode}`, [newEvent('VendorSynced', synced, { actor })]);
    outcome.created.push(v.VendorCode);
  }
  return outcome;
}
