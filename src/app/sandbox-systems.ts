import { startConcurSimulator, type ConcurSimulator } from '../adapters/concur/simulator/index.js';
import type { CompanySeed } from '../adapters/intacct/simulator/company.js';
import type { FaultOptions } from '../adapters/intacct/simulator/faults.js';
import { startIntacctSimulator, type IntacctSimulator } from '../adapters/intacct/simulator/index.js';
import type { SystemEndpoints } from './runtime.js';

/** Fixed sandbox key: it only protects the simulator's throwaway tokens, never real credentials. */
const SANDBOX_SECRET_KEY = 'sandbox-only-key-never-used-for-real-credentials-0000';

export interface SandboxSystems {
  concur: ConcurSimulator;
  intacct: IntacctSimulator;
  endpoints: SystemEndpoints;
  close(): Promise<void>;
}

/**
 * In-process simulators of Concur and Intacct on loopback, speaking the real wire formats (OAuth2 with
 * geolocation, FIS, signed ESS webhooks; the XML gateway with sessions, uniqueid and GLBATCH rules).
 */
export async function startSandboxSystems(
  options: {
    closedPeriods?: string[];
    /** Extra credit card accounts in the simulated Intacct company (tests). */
    chargeCards?: CompanySeed['chargeCards'];
    /** Intacct simulator faults (tests): a seed, latency, rates; the rates can be changed later on `intacct.faults`. */
    intacctFaults?: FaultOptions;
  } = {},
): Promise<SandboxSystems> {
  const concur = await startConcurSimulator({ fixtureDir: false });
  const intacct = await startIntacctSimulator({
    seed: { closedPeriods: options.closedPeriods, chargeCards: options.chargeCards },
    ...(options.intacctFaults ? { faults: options.intacctFaults } : {}),
  });
  const company = intacct.state;
  const userId = [...company.users.keys()][0]!;
  return {
    concur,
    intacct,
    endpoints: {
      concur: concur.oauthConfig(),
      concurWebhookKeysPem: [concur.ess.publicKeyPem],
      intacct: {
        endpoint: intacct.url,
        senderId: company.senderId,
        senderPassword: company.senderPassword,
        companyId: company.companyId,
        userId,
        userPassword: company.users.get(userId)!,
        entityId: null,
      },
      secretKey: SANDBOX_SECRET_KEY,
    },
    close: async () => {
      await Promise.all([concur.close(), intacct.close()]);
    },
  };
}
