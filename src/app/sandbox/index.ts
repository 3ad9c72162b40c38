/** Sandbox mode's demo data: Concur documents, the mapping set and Intacct master data that fit together. */
export {
  demoDocuments,
  demoExpectations,
  demoTargetDocuments,
  demoTargetExpectations,
  DEMO_TARGETS,
  type DemoExpectation,
  type DemoOutcome,
} from './demo-documents.js';
export { demoMappingsJson, DEMO_UNMAPPED_ACCOUNT_CODE, DEMO_UNMAPPED_ACCOUNT_FIX } from './demo-mappings.js';
export { demoReferenceData, demoClosedPeriod, demoDimensionCheck, seedSandboxIntacctCompany, type DemoReferenceSet } from './demo-reference.js';
export { DEMO_COMPANY } from './fis-shape.js';
