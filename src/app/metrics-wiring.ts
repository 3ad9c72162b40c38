import type { IntacctGatewayClient } from '../adapters/intacct/gateway-client.js';
import { DOCUMENT_STATUSES } from '../domain/document/state.js';
import type { ProjectionRunner } from '../projections/runner.js';
import type { ConnectorService } from '../application/connector-service.js';
import { Gauge, MetricsRegistry } from '../observability/metrics.js';

/** The connector's /metrics: postings by status, posting latency, Intacct API transactions, projection lag. */
export function connectorMetrics(parts: {
  service: ConnectorService;
  runner: ProjectionRunner;
  gateway: IntacctGatewayClient;
  worker?: unknown;
}): () => Promise<string> {
  const registry = new MetricsRegistry();
  registry.register(
    new Gauge('ml_postings', 'Documents by lifecycle status', () => {
      const counts = parts.service.queries.countsByStatus();
      return DOCUMENT_STATUSES.map((status) => ({ labels: { status }, value: counts[status] ?? 0 }));
    }),
  );
  registry.register(
    new Gauge('ml_intacct_records', 'Intacct records by object (GLBATCH, EEXPENSES, APBILL, CCTRANSACTION) and state; reversals apart', () =>
      parts.service.queries
        .recordCounts()
        .map((r) => ({ labels: { target: r.target, state: r.status, kind: r.reversal ? 'reversal' : 'record' }, value: r.count })),
    ),
  );
  registry.register(
    new Gauge('ml_posting_latency_seconds', 'Time from a document arriving to its GLBATCH being posted, over the last 1000 postings', () => {
      const values = parts.service.queries.recentPostingLatencies(1000);
      if (values.length === 0) return [];
      const at = (q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
      return [0.5, 0.9, 0.99].map((q) => ({ labels: { quantile: String(q) }, value: at(q) }));
    }),
  );
  registry.register(
    new Gauge(
      'ml_intacct_api_transactions',
      'Intacct API transactions (functions sent) per calendar month (UTC) and purpose (posting, read-back, reference-sync, master-data, session, ...), kept across restarts',
      () => parts.gateway.metrics().apiTransactions.map((r) => ({ labels: { month: r.month, purpose: r.purpose }, value: r.count })),
    ),
  );
  registry.register(new Gauge('ml_intacct_requests_in_flight', 'Intacct gateway requests in flight', () => [{ value: parts.gateway.metrics().inFlight }]));
  registry.register(
    new Gauge('ml_intacct_request_retries', 'Intacct gateway requests retried since start', () => [{ value: parts.gateway.metrics().retries }]),
  );
  registry.register(
    new Gauge('ml_projection_lag_events', 'Events between a projection and the head of the log', async () =>
      (await parts.runner.status()).map((s) => ({ labels: { projection: s.name, state: s.state }, value: s.lag })),
    ),
  );
  return () => registry.render();
}
