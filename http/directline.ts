/**
 * `POST /api/directline/token`: exchanges the Direct Line secret for a short-lived token bound to a user id of our
 * making (Bot Framework "enhanced authentication"; SECURITY-CHECKLIST IMP-3).
 *
 * - The secret never leaves the server; the page only ever sees a token for one conversation.
 * - The user id is `dl_` + 128 random bits, chosen here, never by the page: Direct Line then stamps it on every
 *   activity (`from.id`) and refuses activities that claim another id, so a page cannot impersonate another user.
 *   Once the signed host-page identity is wired, `resolveUserId` returns the verified subject's id instead.
 * - `trustedOrigins` is sent with the request, so Direct Line only accepts the token from our embedding pages.
 * - Requests from an origin outside DIRECTLINE_TRUSTED_ORIGINS are refused (403); without a list (development) any
 *   origin is served. Per client address and per instance rate limits; every failure is a generic JSON body.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type restify from 'restify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import { refuse, sendJson } from './body.js';
import { ridField } from './requestContext.js';

export interface DirectLineOptions {
  baseUrl: string;
  secret: string;
  trustedOrigins: readonly string[];
  ratePerMinute: number;
  trustedProxyHops: number;
  log: Logger;
  timeoutMs?: number;
  /** The verified host-page subject's user id, when the page presented one (identity issue); else a random id. */
  resolveUserId?: (req: IncomingMessage) => Promise<string | undefined>;
  onOutcome?: (outcome: 'issued' | 'refused' | 'rate_limited' | 'upstream_error') => void;
}

/** A fresh Direct Line user id: `dl_` + 128 random bits (the prefix enhanced authentication requires). */
export function newDirectLineUserId(): string {
  return `dl_${randomBytes(16).toString('hex')}`;
}

/**
 * The client's address: the socket peer, or, behind `hops` trusted proxies that append to X-Forwarded-For, the
 * entry those proxies saw (counting from the right, so a client cannot choose its own by prepending entries).
 */
export function clientAddress(req: IncomingMessage, hops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return peer;
  const xff = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return xff[xff.length - hops] ?? peer;
}

export function mountDirectLineToken(server: restify.Server, o: DirectLineOptions): void {
  const perClient = new RateLimiterMemory({ keyPrefix: 'tl_dl_client', points: o.ratePerMinute, duration: 60 });
  // The whole instance: protects the Direct Line quota from many addresses at once.
  const perInstance = new RateLimiterMemory({ keyPrefix: 'tl_dl_all', points: o.ratePerMinute * 100, duration: 60 });
  const url = `${o.baseUrl}/v3/directline/tokens/generate`;
  const allowed = new Set(o.trustedOrigins);

  const originOk = (req: IncomingMessage): { ok: boolean; origin: string | undefined } => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (allowed.size === 0) return { ok: true, origin };
    return { ok: origin !== undefined && allowed.has(origin), origin };
  };
  const cors = (res: restify.Response, origin: string | undefined) => {
    res.setHeader('Vary', 'Origin');
    if (origin && allowed.has(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
  };

  server.opts('/api/directline/token', async (req, res) => {
    const { ok, origin } = originOk(req);
    cors(res, origin);
    if (!ok) { refuse(res, 403, 'forbidden'); return; }
    res.writeHead(204, { 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Max-Age': '600' });
    res.end();
  });

  server.post('/api/directline/token', async (req, res) => {
    req.resume(); // no body is read: the page chooses nothing
    const { ok, origin } = originOk(req);
    cors(res, origin);
    if (!ok) {
      o.onOutcome?.('refused');
      refuse(res, 403, 'forbidden');
      return;
    }
    try {
      await perInstance.consume('all');
      await perClient.consume(clientAddress(req, o.trustedProxyHops));
    } catch {
      o.onOutcome?.('rate_limited');
      res.setHeader('Retry-After', '60');
      refuse(res, 429, 'too_many_requests');
      return;
    }
    const userId = (await o.resolveUserId?.(req).catch(() => undefined)) ?? newDirectLineUserId();
    try {
      const upstream = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${o.secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: { id: userId }, ...(o.trustedOrigins.length ? { trustedOrigins: o.trustedOrigins } : {}) }),
        signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
        redirect: 'error',
      });
      const text = await upstream.text();
      if (!upstream.ok) throw Object.assign(new Error('upstream status'), { name: 'DirectLineStatus', code: `HTTP_${upstream.status}` });
      const body = JSON.parse(text) as { token?: unknown; conversationId?: unknown; expires_in?: unknown };
      if (typeof body.token !== 'string' || typeof body.conversationId !== 'string' || typeof body.expires_in !== 'number') {
        throw Object.assign(new Error('upstream shape'), { name: 'DirectLineShape' });
      }
      o.onOutcome?.('issued');
      sendJson(res, 200, { token: body.token, conversationId: body.conversationId, expiresIn: body.expires_in, userId });
    } catch (err) {
      // Neither the secret nor the upstream body is logged: the name and code say enough to act on.
      o.log.warn({ ...ridField(req), err: errorFields(err) }, 'http.directline.upstream_failed');
      o.onOutcome?.('upstream_error');
      refuse(res, 503, 'unavailable');
    }
  });
}
