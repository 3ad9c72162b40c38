/** Shared test material: the SAP FIS samples, a demo mapping set and a dimension cache stand-in. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DimensionCheck, ReferenceTarget } from '../../src/domain/posting/index.js';
import { validateMappingSet, type MappingSet } from '../../src/domain/mapping/index.js';
import { FIS_DIR } from '../fixtures/concur/index.js';

export { FIS_DIR };

/** The FIS item of a sample file (`{fIDocuments: [item]}`), matched by its "Example-x.y" suffix. */
export function fisItem(example: string): Record<string, unknown> {
  const file = readdirSync(FIS_DIR).find((f) => f.endsWith(`-Example-${example}.json`));
  if (!file) throw new Error(`no fixture for example ${example}`);
  const wrapper = JSON.parse(readFileSync(join(FIS_DIR, file), 'utf8')) as { fIDocuments: Record<string, unknown>[] };
  return wrapper.fIDocuments[0]!;
}

export const DEMO_MAPPINGS_JSON = {
  journal: 'EXPJ',
  accounts: { '474230': '6400', '474210': '6410', '5': '6420', '37': '6430', '11': '6440', '56': '6450', TAXIX: '6499' },
  counterparties: {
    EMPL: { account: '2050', employeeDimension: true },
    IBIP: { account: '2050', employeeDimension: true },
    COPD: { account: '2070' },
    IBCP: { account: '2110', vendorId: 'AMEX' },
    CBCP: { account: '2120', vendorId: 'AMEX' },
    VENDOR: { account: '2000' },
  },
  taxAccounts: { DEVAT: { reclaim: '1410', nonDeductible: '6990' }, '*': { reclaim: '1415', nonDeductible: '6995' } },
  cashAdvanceAccount: '1310',
  dimensions: [
    { source: 'allocationCustom4Code', target: 'DEPARTMENT', values: { '21-KING': 'D210', '21-BELLEV1': 'D211', '11-KING': 'D110' }, passThrough: false },
  ],
  employees: {},
  defaults: { LOCATION: '100' },
};

export function demoMappings(overrides: Partial<Record<keyof typeof DEMO_MAPPINGS_JSON | 'options', unknown>> = {}): MappingSet {
  const result = validateMappingSet({ ...structuredClone(DEMO_MAPPINGS_JSON), ...overrides });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

/** A dimension cache in memory: what exists and what is inactive in the pretend Intacct company. */
export function referenceCheck(active: Partial<Record<ReferenceTarget, string[]>>, inactive: Partial<Record<ReferenceTarget, string[]>> = {}): DimensionCheck {
  return (target, value) => (active[target]?.includes(value) ? 'ok' : inactive[target]?.includes(value) ? 'inactive' : 'missing');
}

export const DEMO_REFERENCE = {
  GLACCOUNT: ['6400', '6410', '6420', '6430', '6440', '6450', '6499', '2050', '2070', '2110', '2120', '2000', '1410', '6990', '1415', '6995', '1310'],
  DEPARTMENT: ['D210', 'D211', 'D110'],
  LOCATION: ['100'],
  EMPLOYEEID: ['23618', '1017001', '49038128', 'uiexp', 'E1'],
  VENDORID: ['AMEX', 'V100'],
};
export const demoCheck = referenceCheck(DEMO_REFERENCE);
export const OPTIONS = { today: '2026-01-15' };
