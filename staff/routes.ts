/**
 * The staff surface: `/staff/*` pages and `/api/staff/*` JSON + Server-Sent Events, mounted from the one RBAC matrix
 * (rbac.ts). Every handler runs behind `guard()`: session from the cookie (Redis, idle/absolute limits), account
 * re-read on every request (a disabled account or a removed role takes effect at once), the matrix decision, then
 * CSRF for state-changing routes. Refusals are generic JSON bodies; another agent's conversation answers 404 exactly
 * like a missing one (AZ-2); nothing but redacted text leaves, except the audited reveal (no-store).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type restify from 'restify';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import { AuditEvents, type AuditLog } from '../guards/audit/auditLog.js';
import type { StaffConfig } from '../config.js';
import { HttpRefusal, isJsonContentType, parseJsonStrict, readBody, refuse, sendJson } from '../http/body.js';
import type { HandoffService } from '../handoff/service.js';
import type { RelayBus, RelayEvent } from '../handoff/relay.js';
import { isConversationId } from '../handoff/store.js';
import { isGuardError } from '../guards/errors.js';
import { STAFF_ROUTES, decideAccess, type Principal, type RouteRule } from './rbac.js';
import { limitsFor, csrfMatches, type SessionLimits, type StaffSession, type StaffSessions } from './sessions.js';
import { isStaffId, type StaffAccount, type StaffAccounts } from './accounts.js';
import type { LoginThrottle } from './throttle.js';
import { StaffPages } from './pages.js';
import { requestIdOf, ridField } from '../http/requestContext.js';

export interface StaffRouteDeps {
  accounts: StaffAccounts;
  sessions: StaffSessions;
  throttle: LoginThrottle;
  handoff: HandoffService;
  bus: RelayBus;
  audit: AuditLog;
  log: Logger;
  config: Readonly<StaffConfig>;
  now: () => number;
  /** SSE heartbeat (and session re-check) interval; default 15 s. */
  heartbeatMs?: number;
  /** Handlers of routes owned by other features (the compliance console); a matrix route without one answers 404. */
  extraHandlers?: (kit: StaffHandlerKit) => Record<string, StaffHandler>;
}

/** What a feature's staff handlers get from the guard: the checked context and the shared request helpers. */
export interface StaffCtx { req: restify.Request; res: restify.Response; rule: RouteRule; session: StaffSession | undefined; account: StaffAccount | undefined }
export type StaffHandler = (ctx: StaffCtx) => Promise<void>;
export interface StaffHandlerKit {
  jsonBody(req: IncomingMessage): Promise<Record<string, unknown>>;
  idParam(req: restify.Request, check: (id: unknown) => boolean): string;
  pages: StaffPages;
}

export const STAFF_EVENTS = {
  denied: 'staff.denied',
  login: 'staff.login',
  loginFailed: 'staff.login_failed',
  loginThrottled: 'staff.login_throttled',
  requestFailed: 'staff.request_failed',
  disabled: 'staff.disabled',
} as const;

interface Ctx {
  req: restify.Request;
  res: restify.Response;
  rule: RouteRule;
  session: StaffSession | undefined;
  account: StaffAccount | undefined;
}

const BODY_LIMIT = 16_384;

export interface MountedStaffRoutes {
  /** Ends every open event stream (shutdown). */
  close(): void;
  streamCount(): number;
}

export function mountStaffRoutes(server: restify.Server, deps: StaffRouteDeps): MountedStaffRoutes {
  const { accounts, sessions, throttle, handoff, audit, log, config } = deps;
  const cookieName = config.cookieSecure ? '__Host-tl_staff' : 'tl_staff';
  const pages = new StaffPages();
  const streams = new Set<() => void>();
  const at = () => new Date(deps.now()).toISOString();

  const limitsOf = async (staffId: string): Promise<SessionLimits | undefined> => {
    const a = await accounts.get(staffId);
    return a && !a.disabled && a.roles.length ? limitsFor(a.roles, config) : undefined;
  };

  function cookieOf(req: IncomingMessage): string | undefined {
    const raw = req.headers.cookie;
    if (!raw || raw.length > 8192) return undefined;
    try { return parseCookie(raw)[cookieName]; } catch { return undefined; }
  }

  function setCookie(res: ServerResponse, value: string, clear = false): void {
    res.setHeader('Set-Cookie', serializeCookie(cookieName, value, {
      httpOnly: true, sameSite: 'strict', path: '/', secure: config.cookieSecure, ...(clear ? { maxAge: 0, expires: new Date(0) } : {}),
    }));
  }

  /** Cross-site requests are refused: a present Origin must be ours, and a browser's Sec-Fetch-Site same-origin. */
  function requireSameOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (origin !== undefined) {
      let ok = false;
      try { ok = !!host && new URL(origin).host === host; } catch { ok = false; }
      if (!ok) throw new HttpRefusal(403, 'forbidden');
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') throw new HttpRefusal(403, 'forbidden');
  }

  async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    if (!isJsonContentType(req)) throw new HttpRefusal(415, 'unsupported_media_type');
    const v = parseJsonStrict(await readBody(req, BODY_LIMIT), { maxDepth: 4, maxNodes: 50 });
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new HttpRefusal(400, 'bad_request');
    return v as Record<string, unknown>;
  }

  const clientAddress = (req: IncomingMessage) => String(req.socket.remoteAddress ?? 'unknown');

  function guard(rule: RouteRule, fn: (ctx: Ctx) => Promise<void>): (req: restify.Request, res: restify.Response) => Promise<void> {
    return async (req, res) => {
      try {
        const sid = cookieOf(req);
        let session = await sessions.get(sid, limitsOf, rule.kind !== 'sse');
        const account = session ? await accounts.get(session.staffId) : undefined;
        if (session && (!account || account.disabled)) {
          await sessions.destroy(session);
          session = undefined;
        }
        if (sid && !session) setCookie(res, '', true);
        const who: Principal = { session: !session ? 'none' : session.mfa ? 'mfa' : 'preMfa', roles: account?.roles ?? [] };
        const decision = decideAccess(rule, who);
        if (decision !== 'allow') {
          log.info({ ...ridField(req), route: rule.id, decision }, STAFF_EVENTS.denied);
          await audit.append({ type: AuditEvents.staffDenied, at: at(), object: rule.id, outcome: decision, ...(session ? { actor: session.staffId } : {}) });
          if (rule.kind === 'page' && decision === 'unauthenticated') {
            res.writeHead(303, { Location: '/staff/login', 'Cache-Control': 'no-store' });
            res.end();
            return;
          }
          throw new HttpRefusal(decision === 'unauthenticated' ? 401 : 403, decision === 'unauthenticated' ? 'unauthorized' : 'forbidden');
        }
        if (rule.verb === 'POST') requireSameOrigin(req);
        if (rule.csrf && (!session || !csrfMatches(session.csrf, req.headers['x-csrf-token']))) {
          log.info({ ...ridField(req), route: rule.id }, STAFF_EVENTS.denied);
          throw new HttpRefusal(403, 'forbidden');
        }
        await fn({ req, res, rule, session, account });
      } catch (err) {
        if (err instanceof HttpRefusal) {
          refuse(res, err.status, err.slug);
          return;
        }
        log.error({ ...ridField(req), route: rule.id, err: errorFields(err) }, STAFF_EVENTS.requestFailed);
        if (isGuardError(err, 'ERR_STORAGE_UNAVAILABLE') || isGuardError(err, 'ERR_STORAGE_TIMEOUT')) refuse(res, 503, 'unavailable');
        else refuse(res, 500, 'internal_error');
      }
    };
  }

  function idParam(req: restify.Request, check: (id: unknown) => boolean): string {
    const id = (req.params as Record<string, unknown> | undefined)?.['id'];
    if (!check(id)) throw new HttpRefusal(404, 'not_found');
    return id as string;
  }

  const handlers: Record<string, (ctx: Ctx) => Promise<void>> = {
    'page.login': async ({ res }) => pages.servePage('login', res),
    'page.agent': async ({ res }) => pages.servePage('agent', res),

    'login.password': async ({ req, res }) => {
      const body = await jsonBody(req);
      const email = typeof body.email === 'string' ? body.email.slice(0, 320) : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const ip = clientAddress(req);
      if (await throttle.blocked(email, ip)) {
        log.info({ ...ridField(req), step: 'password' }, STAFF_EVENTS.loginThrottled);
        await audit.append({ type: AuditEvents.staffLoginFailed, at: at(), method: 'password', outcome: 'throttled' });
        throw new HttpRefusal(429, 'too_many_requests');
      }
      const r = await accounts.checkPassword(email, password);
      if (!r.ok) {
        await throttle.fail(email, ip);
        log.info({ ...ridField(req), step: 'password' }, STAFF_EVENTS.loginFailed);
        await audit.append({ type: AuditEvents.staffLoginFailed, at: at(), method: 'password', outcome: 'failed', ...(r.id ? { actor: r.id } : {}) });
        throw new HttpRefusal(401, 'login_failed');
      }
      const limits = (await limitsOf(r.id))!;
      const { sid, session: pre } = await sessions.create(r.id, false, 'password', limits);
      setCookie(res, sid);
      sendJson(res, 200, { next: 'totp', csrf: pre.csrf });
    },

    'login.totp': async ({ req, res, session }) => {
      const body = await jsonBody(req);
      const s = session!;
      const ip = clientAddress(req);
      if (await throttle.blocked(`id:${s.staffId}`, ip)) {
        log.info({ ...ridField(req), step: 'totp' }, STAFF_EVENTS.loginThrottled);
        await audit.append({ type: AuditEvents.staffLoginFailed, at: at(), method: 'totp', outcome: 'throttled', actor: s.staffId });
        throw new HttpRefusal(429, 'too_many_requests');
      }
      if (!(await accounts.checkTotp(s.staffId, body.code))) {
        await throttle.fail(`id:${s.staffId}`, ip);
        log.info({ ...ridField(req), step: 'totp' }, STAFF_EVENTS.loginFailed);
        await audit.append({ type: AuditEvents.staffLoginFailed, at: at(), method: 'totp', outcome: 'failed', actor: s.staffId });
        throw new HttpRefusal(401, 'login_failed');
      }
      // A new id for the authenticated session: the password-only one is gone (no session fixation).
      await sessions.destroy(s);
      const limits = await limitsOf(s.staffId);
      if (!limits) throw new HttpRefusal(401, 'login_failed');
      const { sid, session: full } = await sessions.create(s.staffId, true, 'password_totp', limits);
      setCookie(res, sid);
      log.info({ ...ridField(req), method: 'password_totp' }, STAFF_EVENTS.login);
      await audit.append({ type: AuditEvents.staffLogin, at: at(), method: 'password_totp', outcome: 'ok', actor: s.staffId });
      sendJson(res, 200, { ok: true, csrf: full.csrf });
    },

    logout: async ({ res, session }) => {
      await sessions.destroy(session!);
      setCookie(res, '', true);
      await audit.append({ type: AuditEvents.staffLogout, at: at(), actor: session!.staffId });
      sendJson(res, 200, { ok: true });
    },

    session: async ({ res, session, account }) => {
      sendJson(res, 200, { id: account!.id, roles: account!.roles, csrf: session!.csrf });
    },

    queue: async ({ res }) => {
      sendJson(res, 200, { items: await handoff.queue() });
    },

    events: async ({ req, res, session }) => eventStream(req, res, session!),

    'conversation.claim': async ({ req, res, session }) => {
      const c = idParam(req, isConversationId);
      if (!(await handoff.claim(session!.staffId, c, requestIdOf(req)))) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 200, { ok: true });
    },

    'conversation.view': async ({ req, res, session }) => {
      const c = idParam(req, isConversationId);
      const v = await handoff.view(session!.staffId, c);
      if (!v) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 200, v);
    },

    'conversation.send': async ({ req, res, session }) => {
      const c = idParam(req, isConversationId);
      const body = await jsonBody(req);
      const text = typeof body.text === 'string' ? body.text.trim() : '';
      if (!text || text.length > 4000) throw new HttpRefusal(400, 'bad_request');
      let ok: boolean;
      try {
        ok = await handoff.send(session!.staffId, c, text, requestIdOf(req));
      } catch (err) {
        if (isGuardError(err, 'ERR_HANDOFF_DELIVERY_FAILED')) throw new HttpRefusal(502, 'delivery_failed');
        throw err;
      }
      if (!ok) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 200, { ok: true });
    },

    'conversation.reveal': async ({ req, res, session }) => {
      const c = idParam(req, isConversationId);
      const body = await jsonBody(req);
      const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
      const purpose = typeof body.purpose === 'string' ? body.purpose : '';
      if (reason.length < 10 || reason.length > 500) throw new HttpRefusal(400, 'reason_required');
      let r: { type: string; value: string } | undefined;
      try {
        // Never String() a body value: a JSON object like {"toString":1} makes the coercion itself throw (500).
        r = await handoff.reveal(session!.staffId, c, typeof body.token === 'string' ? body.token : '', purpose, reason, requestIdOf(req));
      } catch (err) {
        if (isGuardError(err, 'ERR_HTTP_BAD_REQUEST')) throw new HttpRefusal(400, 'bad_request');
        throw err;
      }
      if (!r) throw new HttpRefusal(404, 'not_found');
      // Shown once: never cached by the browser or anything in between.
      sendJson(res, 200, { type: r.type, value: r.value }, { Pragma: 'no-cache', Expires: '0' });
    },

    'conversation.handback': async ({ req, res, session }) => {
      const c = idParam(req, isConversationId);
      if (!(await handoff.end(session!.staffId, c, 'handback', requestIdOf(req)))) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 200, { ok: true });
    },

    'conversation.close': async ({ req, res, session }) => {
      const c = idParam(req, isConversationId);
      if (!(await handoff.end(session!.staffId, c, 'close', requestIdOf(req)))) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 200, { ok: true });
    },

    reveals: async ({ res }) => {
      sendJson(res, 200, { items: await handoff.recentReveals() });
    },

    'accounts.list': async ({ res }) => {
      sendJson(res, 200, { items: await accounts.list() });
    },

    'accounts.disable': async ({ req, res, session }) => {
      const id = idParam(req, isStaffId);
      if (!(await accounts.disable(id))) throw new HttpRefusal(404, 'not_found');
      const ended = await sessions.destroyAll(id);
      log.info({ ...ridField(req), sessions: ended }, STAFF_EVENTS.disabled);
      await audit.append({ type: AuditEvents.staffDisabled, at: at(), actor: session!.staffId, object: id });
      sendJson(res, 200, { ok: true });
    },
  };

  /**
   * Live events for one agent: queue changes (the page re-reads the queue) and, for conversations the agent holds,
   * each new relayed message (read through `messagesFor`, which checks ownership per message). The session is
   * re-checked on every heartbeat; an expired or disabled session ends the stream.
   */
  async function eventStream(req: restify.Request, res: restify.Response, session: StaffSession): Promise<void> {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    res.write('retry: 2000\nevent: hello\ndata: {}\n\n');
    const sid = cookieOf(req);
    let open = true;
    const send = (event: string, data: unknown) => { if (open) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`); };
    const onEvent = (e: RelayEvent) => {
      void (async () => {
        try {
          if (e.kind !== 'message') send('queue', { kind: e.kind });
          if (e.kind === 'ended' || e.kind === 'claimed') send('conversation', { id: e.c, kind: e.kind });
          if (e.kind === 'message' && e.id) {
            const msgs = await handoff.messagesFor(session.staffId, e.c, '-');
            const m = msgs?.find((x) => x.id === e.id);
            if (m) send('message', { id: e.c, message: m });
          }
        } catch (err) {
          log.warn({ ...ridField(req), err: errorFields(err) }, STAFF_EVENTS.requestFailed);
        }
      })();
    };
    const unsubscribe = deps.bus.subscribe(onEvent);
    const done = () => {
      if (!open) return;
      open = false;
      clearInterval(beat);
      unsubscribe();
      streams.delete(done);
      if (!res.writableEnded) res.end();
    };
    const beat = setInterval(() => {
      void sessions.get(sid, limitsOf, false).then(async (s) => {
        const a = s ? await accounts.get(s.staffId) : undefined;
        if (!s || !a || a.disabled) { send('end', {}); done(); } else res.write(': beat\n\n');
      }, () => res.write(': beat\n\n'));
    }, deps.heartbeatMs ?? 15_000);
    streams.add(done);
    req.on('close', done);
  }

  const extra = deps.extraHandlers?.({ jsonBody, idParam, pages }) ?? {};
  const unavailable = async ({ res }: Ctx) => refuse(res, 404, 'not_found');
  for (const rule of STAFF_ROUTES) {
    const fn = handlers[rule.id] ?? extra[rule.id] ?? (deps.extraHandlers ? undefined : unavailable);
    if (!fn) throw new Error(`no handler for staff route ${rule.id}`);
    const h = guard(rule, fn);
    if (rule.verb === 'GET') server.get(rule.path, h);
    else server.post(rule.path, h);
  }
  // Static assets of the staff pages: public, from a fixed allow-list.
  server.get('/staff/static/:file', async (req, res) => {
    const file = (req.params as Record<string, unknown> | undefined)?.['file'];
    if (!(await pages.serveAsset(String(file ?? ''), res))) refuse(res, 404, 'not_found');
  });

  return {
    close() { for (const done of [...streams]) done(); },
    streamCount: () => streams.size,
  };
}
