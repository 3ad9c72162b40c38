import type { ConcurTokenManager } from '../adapters/concur/oauth/token-manager.js';
import type { IntacctGatewayClient } from '../adapters/intacct/gateway-client.js';
import type { EventStore } from '../domain/eventstore/port.js';
import type { ProjectionRunner } from '../projections/runner.js';
import type { ReadinessCheck } from '../http/http-server.js';

/** `/readyz`: the store, the projections, and both systems' connections, each with what is wrong (run in the background by HealthMonitor). */
export function connectorReadiness(parts: {
  store: EventStore;
  runner: ProjectionRunner;
  concur: ConcurTokenManager;
  intacct: IntacctGatewayClient;
  worker?: { health(): { ok: boolean; detail: string } };
}): ReadinessCheck[] {
  const { store, runner, concur, intacct, worker } = parts;
  return [
    {
      name: 'event-store',
      check: async () => {
        // A store that cannot append (disk full, I/O error) is not ready until an append succeeds again.
        const fault = hasWriteFault(store) ? store.writeFault() : null;
        if (fault) return { ok: false, detail: `appends failing since ${fault.at}: ${fault.message}; webhooks answer 503 so Concur redelivers` };
        return { ok: true, detail: `head position ${await store.headPosition()}` };
      },
    },
    ...(worker ? [{ name: 'posting-worker', check: async () => worker.health() }] : []),
    {
      name: 'projections',
      check: async () => {
        const status = await runner.status();
        const failed = status.filter((s) => s.state === 'failed' || s.state === 'retrying');
        return {
          ok: failed.length === 0,
          detail: failed.length ? failed.map((f) => `${f.name}: ${f.error}`).join('; ') : status.map((s) => `${s.name} lag ${s.lag}`).join(', '),
        };
      },
    },
    {
      name: 'concur',
      remote: true,
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
      remote: true,
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

function hasWriteFault(store: EventStore): store is EventStore & { writeFault(): { at: string; message: string } | null } {
  return typeof (store as { writeFault?: unknown }).writeFault === 'function';
}
