import type { ConcurTokenManager } from '../adapters/concur/oauth/token-manager.js';
import type { IntacctGatewayClient } from '../adapters/intacct/gateway-client.js';
import type { EventStore } from '../domain/eventstore/port.js';
import type { ProjectionRunner } from '../projections/runner.js';
import type { ReadinessCheck } from './http-server.js';

/** `/readyz`: the store, the projections, and both systems' connections, each with what is wrong (run in the background by HealthMonitor). */
export function connectorReadiness(parts: { store: EventStore; runner: ProjectionRunner; concur: ConcurTokenManager; intacct: IntacctGatewayClient }): ReadinessCheck[] {
  const { store, runner, concur, intacct } = parts;
  return [
    { name: 'event-store', check: async () => ({ ok: true, detail: `head position ${await store.headPosition()}` }) },
    {
      name: 'projections',
      check: async () => {
        const status = await runner.status();
        const failed = status.filter((s) => s.state === 'failed');
        return { ok: failed.length === 0, detail: failed.length ? failed.map((f) => `${f.name}: ${f.error}`).join('; ') : status.map((s) => `${s.name} lag ${s.lag}`).join(', ') };
      },
    },
    {
      name: 'concur',
      // Ready only with a usable access token: a cached one answers at once; otherwise the token
      // endpoint is asked, so an unreachable or refusing Concur is not ready (with the reason).
      // Bounded by the health monitor's timeout; the token request itself has its own.
      check: async () => {
        try {
          await concur.getAccessToken();
        } catch (error) {
          const s = concur.status();
          const state = s.state === 'reconnect-required' || s.state === 'maintenance' ? s.state : 'not connected';
          return { ok: false, detail: `${state}: ${(error as Error).message}` };
        }
        const s = concur.status();
        return { ok: true, detail: `${s.state}${s.geolocation ? ` (${s.geolocation})` : ''}${s.reason ? `: ${s.reason}` : ''}` };
      },
    },
    {
      name: 'intacct',
      // A cached session answers at once; an expired one is renewed here, so wrong credentials or an
      // unreachable gateway show up as not ready (with Intacct's reason), not only as failed postings.
      // Bounded by the health monitor's timeout.
      check: async () => {
        const session = await intacct.sessions.get();
        return { ok: true, detail: `session on ${session.endpoint}; ${intacct.metrics().inFlight} request(s) in flight` };
      },
    },
  ];
}
