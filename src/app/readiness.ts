import type { ConcurTokenManager } from '../adapters/concur/oauth/token-manager.js';
import type { IntacctGatewayClient } from '../adapters/intacct/gateway-client.js';
import type { EventStore } from '../domain/eventstore/port.js';
import type { ProjectionRunner } from '../projections/runner.js';
import type { ReadinessCheck } from './http-server.js';

/** `/readyz`: the store, the projections, and both systems' connections, each with what is wrong. */
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
        return { ok: failed.length === 0, detail: failed.length ? failed.map((f) => `${f.name}: ${f.error}`).join('; ') : status.map((s) => `${s.name} lag ${s.lag}`).join(', ') };
      },
    },
    {
      name: 'concur',
      check: async () => {
        const s = concur.status();
        return { ok: s.state !== 'reconnect-required', detail: `${s.state}${s.geolocation ? ` (${s.geolocation})` : ''}${s.reason ? `: ${s.reason}` : ''}` };
      },
    },
    {
      name: 'intacct',
      // A cached session answers at once; an expired one is renewed here, so wrong credentials or an
      // unreachable gateway show up as not ready (with Intacct's reason), not only as failed postings.
      check: async () => {
        try {
          const session = await Promise.race([
            intacct.sessions.get(),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer from the Intacct gateway within 10 s')), 10_000).unref()),
          ]);
          return { ok: true, detail: `session on ${session.endpoint}; ${intacct.metrics().inFlight} request(s) in flight` };
        } catch (error) {
          return { ok: false, detail: (error as Error).message };
        }
      },
    },
  
  ];
}

function hasWriteFault(store: EventStore): store is EventStore & { writeFault(): { at: string; message: string } | null } {
  return typeof (store as { writeFault?: unknown }).writeFault === 'function';
}
