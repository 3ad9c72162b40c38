export { startIntacctSimulator, type IntacctSimulator, type IntacctSimulatorOptions, type SimulatorStats } from './server.js';
export { countOf, deactivateRow, deleteRow, modifyRow, seedDemoCompany, type SimulatedCompany, type PostedGlBatch, type PostedRecord } from './company.js';
export { FaultPlan, type FaultKind, type FaultOptions } from './faults.js';

/** Credentials the simulator's demo company accepts (sandbox mode configures the client with them). */
export const SIMULATOR_CREDENTIALS = {
  sender: { senderId: 'ml-sender', senderPassword: 'sender-secret' },
  login: { userId: 'ml-api', companyId: 'ml-demo', userPassword: 'user-secret' },
} as const;
