/**
 * The sandbox mapping set (JSON of docs/posting-rules.md, Mapping set). Concur account codes are Concur's own (six digits,
 * as in SAP's samples); Intacct accounts are the simulated company's chart (demo-reference.ts).
 * Concur code 479100 (conference fees) is deliberately NOT mapped: one demo report waits in
 * AWAITING_MAPPING until someone maps it (setMapping accounts 479100 -> 6800).
 */
export const DEMO_UNMAPPED_ACCOUNT_CODE = '479100';
/** The Intacct account that fixes the deliberate gap (it exists in the demo chart of accounts). */
export const DEMO_UNMAPPED_ACCOUNT_FIX = '6800';

const DEMO_MAPPINGS = {
  journal: 'EXPJ',
  accounts: {
    '474100': '6000.10', // airfare
    '474210': '6500', // ground transport: taxi, train, parking
    '474230': '6200', // lodging
    '474300': '6100', // meals
    '474400': '6600', // client entertainment
    '476000': '6400', // office supplies
    '478000': '6700', // professional services (vendor invoices)
  },
  counterparties: {
    EMPL: { account: '2100', employeeDimension: true },
    IBIP: { account: '2100', employeeDimension: true },
    COPD: { account: '2070' },
    IBCP: { account: '2150', vendorId: 'AMEX' },
    CBCP: { account: '2160', vendorId: 'AMEX' },
    VENDOR: { account: '2000' },
  },
  taxAccounts: {
    DEVAT: { reclaim: '1400', nonDeductible: '6900' },
    '*': { reclaim: '1400', nonDeductible: '6900' },
  },
  cashAdvanceAccount: '1450',
  dimensions: [
    // Concur cost centre (allocation custom field 4) -> Intacct department.
    { source: 'allocationCustom4Code', target: 'DEPARTMENT', values: { '21-BELLEV1': 'D100', '21-SEATTLE': 'D200', '11-KING': 'D300' }, passThrough: false },
    // Concur project codes are the Intacct project ids: sent unchanged.
    { source: 'allocationCustom5Code', target: 'PROJECTID', values: {}, passThrough: true },
    { source: 'allocationCustom6Code', target: 'CUSTOMERID', values: { ACME: 'C-ACME', GLOBEX: 'C-GLOBEX' }, passThrough: false },
    { source: 'reportOrgUnit1Code', target: 'CLASSID', values: { SALES: 'CL-SALES', RND: 'CL-RND' }, passThrough: false },
  ],
  // Only Chris's Concur id differs from his Intacct id; the others are the same on both sides.
  employees: { '49038128': 'E1017' },
  defaults: { LOCATION: '100' },
  options: { mergeLines: true, batchDatePolicy: 'paymentProcessingDate' },
} as const;

/** The demo mapping set as JSON text, ready for `importMappings` / `mappings import`. */
export function demoMappingsJson(): string {
  return `${JSON.stringify(DEMO_MAPPINGS, null, 2)}\n`;
}
