/**
 * The HTTP surface: `/api/messages` for the channels, health and readiness, and whatever the composition root mounts
 * (local web chat in development). Every refusal is a generic JSON body with a 4xx; no error text ever leaves.
 */
import restify from 'restify';
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import type { TrustlineAdapter } from '../bots/adapter.js';
import { HttpRefusal, isJsonContentType, parseJsonStrict, readBody, refuse, sendJson, MAX_BODY_BYTES } from './body.js';
import { IncomingActivity } from './activitySchema.js';
import { correlationId } from '../bots/onTurnError.js';
import { ChannelAuthRefused, ChannelAuthUnavailable } from '../bots/adapter.js';
import { InFlight, requestIdFrom, requestIdOf, ridField, tagRequestId } from './requestContext.js';
import { TurnQueue } from './turnQueue.js';

export interface Readiness {
  ready(): boolean;
  details(): Record<string, unknown>;
}

export interface HttpServerDeps {
  log: Logger;
  adapter: TrustlineAdapter;
  logic: (context: TurnContext) => Promise<void>;
  readiness: Readiness;
  production: boolean;
  /** Called for every turn outcome with its duration in seconds (metrics, tests). */
  onRequest?: (outcome: string, seconds: number) => void;
  /** In-flight accounting for graceful shutdown: while draining, new requests get 503 and `Connection: close`. */
  inflight?: InFlight;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const STATUS_SLUG: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 406: 'not_acceptable', 408: 'timeout', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'too_many_requests', 500: 'internal_error', 503: 'unavailable' };

export function createHttpServer(deps: HttpServerDeps): restify.Server {
  const { log, adapter, logic } = deps;
  const server = restify.createServer({ name: 'trustline', handleUncaughtExceptions: false });
  const queue = new TurnQueue();

  server.pre((req, res, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // Correlation id for the log lines of this request (requestContext.ts), echoed to the caller.
    const rid = requestIdFrom(req);
    tagRequestId(req, rid);
    res.setHeader('X-Request-Id', rid);
    if (deps.inflight?.draining && req.url !== '/healthz' && req.url !== '/readyz') {
      res.setHeader('Connection', 'close');
      refuse(res, 503, 'unavailable');
      return next(false);
    }
    deps.inflight?.track(res);
    return next();
  });

  // restify's own errors (404 for unknown paths, 405, ...) carry messages that echo the path: replace them.
  server.on('restifyError', (_req: restify.Request, _res: restify.Response, err: { statusCode?: number; toJSON?: () => unknown; toString?: () => string; body?: unknown }, cb: () => void) => {
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    const slug = STATUS_SLUG[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
    err.toJSON = () => ({ error: slug });
    err.toString = () => slug;
    err.body = { error: slug };
    return cb();
  });

  server.post('/api/messages', async (req, res) => {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      if (!isJsonContentType(req)) throw new HttpRefusal(415, 'unsupported_media_type');
      const body = parseJsonStrict(await readBody(req, MAX_BODY_BYTES));
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpRefusal(400, 'bad_request');
      const parsed = IncomingActivity.safeParse(body);
      if (!parsed.success) throw new HttpRefusal(400, 'bad_request');
      // Production never serves the emulator/anonymous path, whatever token it presents (BF-1).
      if (deps.production && parsed.data.channelId === 'emulator') throw new HttpRefusal(401, 'unauthorized');
      const auth = String(req.headers.authorization ?? '');
      const conversationKey = `${parsed.data.channelId ?? ''}\u0000${parsed.data.conversation.id}`;
      const rid = requestIdOf(req);
      if (rid) tagRequestId(body, rid);
      const invoke = await queue.run(conversationKey, () => adapter.handleActivity(auth, body as Activity, logic));
      if (invoke?.body !== undefined) sendJson(res, invoke.status ?? 200, invoke.body);
      else { res.writeHead(invoke?.status ?? 200); res.end(); }
    } catch (err) {
      if (err instanceof HttpRefusal) {
        outcome = `refused_${err.status}`;
        refuse(res, err.status, err.slug);
      } else if (err instanceof ChannelAuthUnavailable) {
        outcome = 'auth_unavailable';
        log.warn({ ...ridField(req), code: 'ERR_HTTP_AUTH_UNAVAILABLE' }, 'http.messages.auth_unavailable');
        refuse(res, 503, 'unavailable');
      } else if (err instanceof ChannelAuthRefused || err instanceof AuthenticationError || (err as { statusCode?: number })?.statusCode === 401) {
        outcome = 'unauthorized';
        log.warn({ ...ridField(req), code: 'ERR_HTTP_UNAUTHORIZED' }, 'http.messages.unauthorized');
        refuse(res, 401, 'unauthorized');
      } else {
        outcome = 'error';
        const ref = correlationId();
        log.error({ ...ridField(req), ref, err: errorFields(err) }, 'http.messages.error');
        sendJson(res, 500, { error: 'internal_error', ref });
      }
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.onRequest?.(outcome, ms / 1000);
      if (log.isLevelEnabled('debug')) log.debug({ ...ridField(req), outcome, ms }, 'http.messages.done');
    }
  });
  for (const verb of ['get', 'put', 'del', 'patch', 'head', 'opts'] as const) {
    server[verb]('/api/messages', async (_req, res) => refuse(res, 405, 'method_not_allowed'));
  }

  server.get('/healthz', async (_req, res) => sendJson(res, 200, { status: 'alive' }));
  server.get('/readyz', async (_req, res) => {
    // Readiness means keys loaded and warm-up done. A Redis outage is reported but does not make the instance
    // unready: customers behind a load balancer must still get the fixed "temporarily unavailable" reply.
    const stopping = deps.inflight?.draining === true;
    const ready = !stopping && deps.readiness.ready();
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : stopping ? 'stopping' : 'starting', ...deps.readiness.details() });
  });

  return server;
}
