/**
 * Prometheus metrics (issue 8, operations) through prom-client, one registry per app (tests run several apps in
 * one process). Labels never carry identifiers: outcomes and store names only, so a scrape holds no personal data.
 *
 * Protection: `/metrics` on the main port needs `Authorization: Bearer <METRICS_TOKEN>` when a token is set; without
 * one it is open in development and absent (404) in production. METRICS_PORT adds a separate listener for
 * in-cluster scraping that the Service/Ingress never expose (deployment/kubernetes: NetworkPolicy).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import client from 'prom-client';
import type restify from 'restify';
import { refuse } from './body.js';
import { AuditEvents, type AuditEvent } from '../guards/audit/auditLog.js';

export interface MetricsSources {
  /** Transcript entries dropped because redaction failed (TranscriptGuard.droppedEntries). */
  redactionFailures(): number;
  /** Redis connections: store name -> up. */
  redis(): Record<string, boolean>;
  inflight(): number;
  /** Customers waiting for an agent, read at scrape time (absent without a handoff). */
  queueLength?(): Promise<number>;
}

export class Metrics {
  readonly registry = new client.Registry();
  readonly #turns: client.Counter<'outcome'>;
  readonly #latency: client.Histogram<'outcome'>;
  readonly #locks: client.Counter;
  readonly #queue: client.Gauge;
  readonly #dlTokens: client.Counter<'outcome'>;

  constructor(sources: MetricsSources, opts: { instance: string; defaultMetrics?: boolean }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ instance: opts.instance });
    this.#turns = new client.Counter({ name: 'trustline_turns_total', help: 'Requests to /api/messages by outcome (ok, unauthorized, refused_4xx, error, ...).', labelNames: ['outcome'], registers });
    this.#latency = new client.Histogram({
      name: 'trustline_turn_duration_seconds', help: 'Time to answer a request to /api/messages, by outcome.', labelNames: ['outcome'], registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    new client.Gauge({
      name: 'trustline_transcript_redaction_failures', help: 'Transcript entries dropped because redaction failed (fail closed), since start.', registers,
      collect() { this.set(sources.redactionFailures()); },
    });
    this.#locks = new client.Counter({ name: 'trustline_verification_locks_total', help: 'Verifications refused because the account is locked (OTP-5): one per verification.locked audit event.', registers });
    this.#queue = new client.Gauge({
      name: 'trustline_handoff_queue_length', help: 'Customers waiting for an agent.', registers,
      // Read at scrape time; when Redis does not answer, the last value stays (the redis_up gauge tells why).
      async collect() { if (sources.queueLength) { try { this.set(await sources.queueLength()); } catch { /* keep last */ } } },
    });
    this.#dlTokens = new client.Counter({ name: 'trustline_directline_tokens_total', help: 'Direct Line token requests by outcome.', labelNames: ['outcome'], registers });
    new client.Gauge({
      name: 'trustline_redis_up', help: 'Redis connection ready (1) or not (0), per store.', labelNames: ['store'], registers,
      collect() { for (const [store, up] of Object.entries(sources.redis())) this.set({ store }, up ? 1 : 0); },
    });
    new client.Gauge({ name: 'trustline_http_in_flight', help: 'HTTP requests being served.', registers, collect() { this.set(sources.inflight()); } });
    if (opts.defaultMetrics !== false) client.collectDefaultMetrics({ register: this.registry });
  }

  /** One request to /api/messages finished (http/server.ts onRequest). */
  turn(outcome: string, seconds: number): void {
    this.#turns.inc({ outcome });
    this.#latency.observe({ outcome }, seconds);
  }

  /** A verification was refused because the account is locked (OTP-5); `countAuditedLocks` calls it. */
  verificationLocked(): void { this.#locks.inc(); }

  /** For the handoff queue: customers currently waiting. */
  setQueueLength(n: number): void { this.#queue.set(n); }

  directLineToken(outcome: 'issued' | 'refused' | 'rate_limited' | 'upstream_error'): void { this.#dlTokens.inc({ outcome }); }

  text(): Promise<string> { return this.registry.metrics(); }
}

/**
 * Wires the lock-out counter to the one place every lock-out is recorded: the audit chain's `verification.locked`
 * events (the verification dialog appends one when a code check meets the lock or a send is refused by it). Counted
 * whether or not the append itself succeeds, so a Redis outage does not hide lock-outs from the dashboard.
 */
export function countAuditedLocks(audit: { append(event: AuditEvent): Promise<void> }, metrics: Metrics): void {
  const append = audit.append.bind(audit);
  audit.append = (event: AuditEvent) => {
    if (event.type === AuditEvents.verificationLocked) metrics.verificationLocked();
    return append(event);
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer ([^\s]+)$/.exec(header ?? '');
  if (!m) return false;
  // Compare digests: constant time whatever the lengths.
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

async function serve(metrics: Metrics, res: ServerResponse): Promise<void> {
  const body = await metrics.text();
  res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Mounts GET /metrics on the main server according to the policy (see the module comment). */
export function mountMetrics(server: restify.Server, metrics: Metrics, policy: { mainPort: 'token' | 'open' | 'off'; token: string }): void {
  if (policy.mainPort === 'off') return;
  server.get('/metrics', async (req, res) => {
    if (policy.mainPort === 'token' && !bearerMatches(req.headers.authorization, policy.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      refuse(res, 401, 'unauthorized');
      return;
    }
    await serve(metrics, res);
  });
}

/** A separate listener that serves only GET /metrics (for in-cluster scraping). */
export async function listenMetrics(metrics: Metrics, opts: { port: number; host: string; token: string }): Promise<Server> {
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') { refuse(res, 404, 'not_found'); return; }
    if (opts.token && !bearerMatches(req.headers.authorization, opts.token)) { res.setHeader('WWW-Authenticate', 'Bearer'); refuse(res, 401, 'unauthorized'); return; }
    serve(metrics, res).catch(() => refuse(res, 500, 'internal_error'));
  });
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(opts.port, opts.host, () => resolve()); });
  return s;
}
