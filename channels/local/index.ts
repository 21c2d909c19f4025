import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type * as restify from 'restify';
import type { Logger } from '../../guards/log/logger.js';
import {
  PageActivityError,
  buildBotActivityForPage,
  buildEcho,
  buildJoinActivity,
  buildUserActivity,
  isBotActivityBody,
  isPlainObject,
  newActivityId,
  parsePageActivity,
  validLocale,
  type SessionParties,
} from './activities.js';
import {
  HttpRefusal,
  allowedHostnames,
  headerValue,
  isLoopback,
  looksLikeBrowser,
  readJsonBody,
  requireAllowedHost,
  requireJsonContentType,
  requireSameOrigin,
  sendJson,
  sendRefusal,
} from './http.js';
import { ASSET_PATHS, PAGE_PATH, PageAssets } from './page.js';
import { requestIdOf, ridField, tagRequestId } from '../../http/requestContext.js';

/**
 * The local web chat channel (development only, DESIGN.md invariant 10). The server is this channel's Bot Framework
 * connector: the page posts activities over HTTP and listens on Server-Sent Events; the server builds the real
 * activity from the session (user id, conversation id are issued here, never taken from the page), echoes it to the
 * page, and runs the turn with `adapter.processActivityDirect`. The bot's replies come back through the connector
 * routes below, which only the bot itself (loopback, no browser headers) may call.
 */

export interface LocalChannelOptions {
  adapter: CloudAdapter;
  logic: (ctx: TurnContext) => Promise<void>;
  log: Logger;
  /** Base the bot's connector client posts replies to, e.g. `http://127.0.0.1:3978/local/connector`; read per turn (known after listen). */
  connectorBaseUrl: () => string;
  /** Page posts per session; default 20 per 10 s. */
  rateLimit?: { points: number; durationSec: number };
  botId?: string;
  botName?: string;
  /** Host names (besides localhost, 127.0.0.1, [::1] and the connector base's host) the page may be reached as. */
  allowedHosts?: string[];
  /** SSE heartbeat comment interval; default 15 s. */
  heartbeatMs?: number;
  /** A session with no open stream and no request for this long is forgotten; default 30 min. */
  idleTimeoutMs?: number;
  /** Live sessions at most; default 1000 (503 above, after forgetting idle ones). */
  maxSessions?: number;
  /** Activities kept per session to restore the transcript on reload (in memory only, gone on clear); default 200. */
  historyLimit?: number;
  /** Where index.html, chat.js and chat.css live; default the repository's `web/static`. */
  staticDir?: string;
  /** Clock (ms since epoch); injected in tests. */
  now?: () => number;
}

export interface LocalChannel {
  /** Live sessions. */
  sessionCount(): number;
  /** Open SSE streams over all sessions. */
  streamCount(): number;
  /** Forgets sessions idle past the timeout; returns how many. Runs on a timer too. */
  sweepIdleSessions(): number;
  /** Ends every stream and forgets every session; waits (bounded) for running turns. Later requests get 503. */
  close(): Promise<void>;
}

export const LOCAL_CHANNEL_EVENTS = {
  sessionCreated: 'channels.local.session.created',
  sessionResumed: 'channels.local.session.resumed',
  sessionEnded: 'channels.local.session.ended',
  streamOpened: 'channels.local.stream.opened',
  streamClosed: 'channels.local.stream.closed',
  activityAccepted: 'channels.local.activity.accepted',
  activityRefused: 'channels.local.activity.refused',
  rateLimited: 'channels.local.rate_limited',
  connectorDelivered: 'channels.local.connector.delivered',
  connectorRefused: 'channels.local.connector.refused',
  turnFailed: 'channels.local.turn.failed',
  requestRefused: 'channels.local.request.refused',
  requestFailed: 'channels.local.request.failed',
} as const;
const EV = LOCAL_CHANNEL_EVENTS;

export const SESSION_COOKIE = 'tl_local_session';
const COOKIE_PATH = '/local';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const PAGE_BODY_LIMIT = 65536;
const CONNECTOR_BODY_LIMIT = 262144;
const MAX_STREAMS_PER_SESSION = 4;
const CLOSE_WAIT_MS = 5000;

interface Stream {
  res: ServerResponse;
  heartbeat: NodeJS.Timeout;
  done: () => void;
}

interface Session {
  readonly sid: string;
  readonly parties: SessionParties;
  lastSeen: number;
  lastTimestamp: number;
  seq: number;
  readonly history: { seq: number; activity: Record<string, unknown> }[];
  readonly streams: Set<Stream>;
  joined: boolean;
  ended: boolean;
  turns: Promise<void>;
}

type Handler = (req: restify.Request, res: restify.Response) => Promise<void>;

const KNOWN_TYPES = new Set(['message', 'typing', 'event', 'endOfConversation', 'conversationUpdate', 'messageReaction', 'trace']);
/** Activity types go to the log only from a fixed list: the field is free text to whoever sent it. */
function logType(t: unknown): string {
  return typeof t === 'string' && KNOWN_TYPES.has(t) ? t : 'other';
}

export function mountLocalChannel(server: restify.Server, opts: LocalChannelOptions): LocalChannel {
  const log = opts.log;
  const now = opts.now ?? Date.now;
  const heartbeatMs = opts.heartbeatMs ?? 15000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30 * 60 * 1000;
  const maxSessions = opts.maxSessions ?? 1000;
  const historyLimit = opts.historyLimit ?? 200;
  const botId = opts.botId ?? 'trustline-bot';
  const botName = opts.botName ?? 'Trustline';
  const rate = opts.rateLimit ?? { points: 20, durationSec: 10 };
  const postLimiter = new RateLimiterMemory({ keyPrefix: 'tl_local_post', points: rate.points, duration: rate.durationSec });
  // Creating sessions is cheap for a caller and costs us memory: bounded per client address as well.
  const sessionLimiter = new RateLimiterMemory({ keyPrefix: 'tl_local_session', points: 30, duration: 60 });
  const assets = new PageAssets(opts.staticDir);

  const sessions = new Map<string, Session>();
  const byConversation = new Map<string, Session>();
  const inflight = new Set<Promise<void>>();
  let closed = false;

  const allowed = (): Set<string> => allowedHostnames(opts.allowedHosts ?? [], safeBase());
  function safeBase(): string {
    try {
      return opts.connectorBaseUrl();
    } catch {
      return '';
    }
  }

  const sweeper = setInterval(() => sweepIdle(), Math.min(idleTimeoutMs, 60000));
  sweeper.unref();

  // --- sessions -------------------------------------------------------------------------------------------------

  function isSecure(req: IncomingMessage): boolean {
    return (req.socket as TLSSocket).encrypted === true;
  }

  function cookieHeader(value: string, secure: boolean, clear = false): string {
    return serializeCookie(SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      path: COOKIE_PATH,
      secure,
      ...(clear ? { maxAge: 0, expires: new Date(0) } : {}),
    });
  }

  function isIdle(s: Session): boolean {
    return s.streams.size === 0 && now() - s.lastSeen > idleTimeoutMs;
  }

  function sessionOf(req: IncomingMessage): Session | undefined {
    const raw = headerValue(req, 'cookie');
    if (!raw || raw.length > 8192) return undefined;
    let sid: string | undefined;
    try {
      sid = parseCookie(raw)[SESSION_COOKIE];
    } catch {
      return undefined;
    }
    if (!sid || !SESSION_ID.test(sid)) return undefined;
    const s = sessions.get(sid);
    if (!s) return undefined;
    if (isIdle(s)) {
      endSession(s, 'expired');
      return undefined;
    }
    s.lastSeen = now();
    return s;
  }

  function requireSession(req: IncomingMessage): Session {
    const s = sessionOf(req);
    if (!s) throw new HttpRefusal(401, 'unauthorized');
    return s;
  }

  function createSession(locale: string | undefined): Session {
    const sid = randomBytes(32).toString('base64url');
    const conversationId = randomBytes(16).toString('base64url');
    const s: Session = {
      sid,
      parties: {
        user: { id: `dl_${randomBytes(16).toString('base64url')}`, role: 'user' },
        bot: { id: botId, name: botName, role: 'bot' },
        conversationId,
        serviceUrl: '',
        locale,
      },
      lastSeen: now(),
      lastTimestamp: 0,
      seq: 0,
      history: [],
      streams: new Set(),
      joined: false,
      ended: false,
      turns: Promise.resolve(),
    };
    sessions.set(sid, s);
    byConversation.set(conversationId, s);
    return s;
  }

  function endSession(s: Session, reason: 'cleared' | 'expired' | 'closed'): void {
    if (s.ended) return;
    s.ended = true;
    sessions.delete(s.sid);
    byConversation.delete(s.parties.conversationId);
    s.history.length = 0;
    for (const stream of [...s.streams]) {
      // Tells the page not to reconnect; the connection then closes.
      if (!stream.res.writableEnded) stream.res.write('event: end\ndata: {}\n\n');
      stream.res.end();
      stream.done();
    }
    void postLimiter.delete(s.sid).catch(() => undefined);
    log.info({ reason }, EV.sessionEnded);
  }

  function sweepIdle(): number {
    let n = 0;
    for (const s of [...sessions.values()]) {
      if (isIdle(s)) {
        endSession(s, 'expired');
        n += 1;
      }
    }
    return n;
  }

  /** Strictly increasing per session, so Web Chat (which orders by timestamp) keeps the server's order. */
  function stamp(s: Session): string {
    const t = Math.max(now(), s.lastTimestamp + 1);
    s.lastTimestamp = t;
    return new Date(t).toISOString();
  }

  function parties(s: Session): SessionParties {
    return { ...s.parties, serviceUrl: opts.connectorBaseUrl() };
  }

  function publish(s: Session, activity: Record<string, unknown>): void {
    s.seq += 1;
    s.history.push({ seq: s.seq, activity });
    if (s.history.length > historyLimit) s.history.shift();
    const frame = sseFrame(s.seq, activity);
    for (const stream of s.streams) stream.res.write(frame);
  }

  function sseFrame(seq: number, activity: Record<string, unknown>): string {
    // JSON.stringify escapes CR and LF, so one data line can never be split into forged SSE fields.
    return `id: ${seq}\nevent: activity\ndata: ${JSON.stringify(activity)}\n\n`;
  }

  /** Turns of one conversation run one after another, in arrival order, like a real channel's. */
  function enqueueTurn(s: Session, activity: Partial<Activity>): void {
    const run = s.turns.then(async () => {
      if (s.ended || closed) return;
      try {
        await opts.adapter.processActivityDirect('', activity as Activity, opts.logic);
      } catch (err) {
        // processActivityDirect wraps the stack into its message: only name and code reach the log.
        log.warn({ ...ridField(activity), err, type: activity.type }, EV.turnFailed);
      }
    });
    s.turns = run;
    inflight.add(run);
    void run.finally(() => inflight.delete(run));
  }

  // --- routing helpers -----------------------------------------------------------------------------------------

  function route(name: string, fn: Handler): Handler {
    return async (req, res) => {
      try {
        if (closed) throw new HttpRefusal(503, 'unavailable');
        await fn(req, res);
      } catch (err) {
        if (err instanceof HttpRefusal) {
          log.info({ ...ridField(req), route: name, status: err.status }, EV.requestRefused);
          sendRefusal(res, err);
          return;
        }
        log.error({ ...ridField(req), route: name, err }, EV.requestFailed);
        sendJson(res, 500, { error: 'internal' });
      }
    };
  }

  function pageRequest(req: IncomingMessage): void {
    requireAllowedHost(req, allowed());
    requireSameOrigin(req, isSecure(req));
    requireJsonContentType(req);
  }

  async function consume(limiter: RateLimiterMemory, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (rej) {
      if (rej instanceof RateLimiterRes) {
        log.info({ limiter: limiter.keyPrefix }, EV.rateLimited);
        throw new HttpRefusal(429, 'rate_limited', { 'Retry-After': String(Math.max(1, Math.ceil(rej.msBeforeNext / 1000))) });
      }
      throw rej;
    }
  }

  // --- page ----------------------------------------------------------------------------------------------------

  server.get(
    PAGE_PATH,
    route('page', async (req, res) => {
      requireAllowedHost(req, allowed());
      await assets.servePage(res);
    }),
  );
  for (const path of Object.values(ASSET_PATHS)) {
    server.get(
      path,
      route('asset', async (req, res) => {
        requireAllowedHost(req, allowed());
        if (!(await assets.serveAsset(path, req, res))) throw new HttpRefusal(404, 'not_found');
      }),
    );
  }

  // --- page API ------------------------------------------------------------------------------------------------

  server.post(
    '/local/session',
    route('session', async (req, res) => {
      pageRequest(req);
      const body = await readJsonBody(req, 4096);
      if (body !== undefined && !isPlainObject(body)) throw new HttpRefusal(400, 'bad_request');
      const locale = validLocale(body?.['locale']);
      const existing = sessionOf(req);
      if (existing) {
        if (locale) existing.parties.locale = locale;
        log.info({ ...ridField(req) }, EV.sessionResumed);
        sendJson(res, 200, { resumed: true });
        return;
      }
      await consume(sessionLimiter, req.socket.remoteAddress ?? 'unknown');
      if (sessions.size >= maxSessions && sweepIdle() === 0 && sessions.size >= maxSessions) {
        throw new HttpRefusal(503, 'unavailable');
      }
      const s = createSession(locale);
      log.info({ ...ridField(req), sessions: sessions.size }, EV.sessionCreated);
      sendJson(res, 201, { resumed: false }, { 'Set-Cookie': cookieHeader(s.sid, isSecure(req)) });
    }),
  );

  server.get(
    '/local/stream',
    route('stream', async (req, res) => {
      requireAllowedHost(req, allowed());
      const site = headerValue(req, 'sec-fetch-site');
      if (site !== undefined && site !== 'same-origin') throw new HttpRefusal(403, 'forbidden');
      const s = requireSession(req);
      if (s.streams.size >= MAX_STREAMS_PER_SESSION) throw new HttpRefusal(429, 'rate_limited');

      const lastEventId = Number.parseInt(headerValue(req, 'last-event-id') ?? '', 10);
      req.socket.setTimeout(0);
      req.socket.setNoDelay(true);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'X-Accel-Buffering': 'no',
        Connection: 'keep-alive',
      });
      res.write('retry: 2000\n\n');
      // A reconnecting EventSource names the last event it saw; a fresh page gets the whole (bounded) history.
      for (const h of s.history) {
        if (!(Number.isSafeInteger(lastEventId) && h.seq <= lastEventId)) res.write(sseFrame(h.seq, h.activity));
      }

      await new Promise<void>((resolveStream) => {
        let finished = false;
        const stream: Stream = {
          res,
          heartbeat: setInterval(() => res.write(': hb\n\n'), heartbeatMs),
          done: () => {
            if (finished) return;
            finished = true;
            clearInterval(stream.heartbeat);
            s.streams.delete(stream);
            s.lastSeen = now();
            log.info({ ...ridField(req), streams: s.streams.size }, EV.streamClosed);
            resolveStream();
          },
        };
        stream.heartbeat.unref();
        s.streams.add(stream);
        req.on('close', stream.done);
        res.on('close', stream.done);
        res.on('error', stream.done);
        log.info({ ...ridField(req), streams: s.streams.size }, EV.streamOpened);
        // A client that went away before the listeners existed would otherwise hold the session open forever.
        if (req.socket.destroyed) stream.done();

        if (!s.joined) {
          s.joined = true;
          // First connection: tell the bot the user joined, so it can greet (Direct Line does the same).
          enqueueTurn(s, buildJoinActivity(parties(s), newActivityId(), stamp(s)));
        }
      });
    }),
  );

  server.post(
    '/local/activities',
    route('activities', async (req, res) => {
      pageRequest(req);
      const s = requireSession(req);
      // Counted before parsing, so junk costs the sender as much as a message.
      await consume(postLimiter, s.sid);
      const body = await readJsonBody(req, PAGE_BODY_LIMIT);
      let page;
      try {
        page = parsePageActivity(body);
      } catch (err) {
        if (err instanceof PageActivityError) {
          log.info({ ...ridField(req), fault: err.fault }, EV.activityRefused);
          throw new HttpRefusal(err.fault === 'text_too_long' ? 413 : 400, err.fault === 'text_too_long' ? 'payload_too_large' : 'bad_request');
        }
        throw err;
      }
      if (s.ended) throw new HttpRefusal(401, 'unauthorized');
      const id = newActivityId();
      const activity = buildUserActivity(page, parties(s), id, stamp(s));
      // The echo goes out before the turn starts: Web Chat matches it by clientActivityID and the bot's replies
      // (replyToId = id) then always follow it.
      publish(s, buildEcho(activity, page.clientActivityId));
      log.info({ ...ridField(req), type: page.type }, EV.activityAccepted);
      sendJson(res, 200, { id });
      const rid = requestIdOf(req);
      if (rid) tagRequestId(activity, rid);
      enqueueTurn(s, activity);
    }),
  );

  server.post(
    '/local/clear',
    route('clear', async (req, res) => {
      pageRequest(req);
      await readJsonBody(req, 4096);
      const s = sessionOf(req);
      if (s) endSession(s, 'cleared');
      sendJson(res, 200, { cleared: s !== undefined }, { 'Set-Cookie': cookieHeader('', isSecure(req), true) });
    }),
  );

  // --- connector (the bot's ConnectorClient calls these) ------------------------------------------------------

  const CONV = '/local/connector/v3/conversations/:conversationId';

  function connectorSession(req: restify.Request, reason: () => void): Session {
    if (!isLoopback(req.socket.remoteAddress) || looksLikeBrowser(req)) {
      reason();
      throw new HttpRefusal(404, 'not_found');
    }
    const id = (req.params as Record<string, unknown> | undefined)?.['conversationId'];
    const s = typeof id === 'string' ? byConversation.get(id) : undefined;
    if (!s || s.ended) {
      reason();
      throw new HttpRefusal(404, 'not_found');
    }
    return s;
  }

  function activityIdParam(req: restify.Request): string {
    const id = (req.params as Record<string, unknown> | undefined)?.['activityId'];
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw new HttpRefusal(400, 'bad_request');
    return id;
  }

  const refusedConnector = (why: string) => () => log.info({ reason: why }, EV.connectorRefused);

  async function connectorBody(req: restify.Request): Promise<Record<string, unknown>> {
    requireJsonContentType(req);
    const body = await readJsonBody(req, CONNECTOR_BODY_LIMIT);
    if (!isBotActivityBody(body)) throw new HttpRefusal(400, 'bad_request');
    return body;
  }

  const sendActivity: Handler = async (req, res) => {
    const s = connectorSession(req, refusedConnector('send'));
    const body = await connectorBody(req);
    if (s.ended) throw new HttpRefusal(404, 'not_found');
    const id = newActivityId();
    publish(s, buildBotActivityForPage(body, parties(s), id, stamp(s)));
    log.info({ ...ridField(req), type: logType(body['type']) }, EV.connectorDelivered);
    sendJson(res, 200, { id });
  };
  server.post(`${CONV}/activities`, route('connector.send', sendActivity));
  server.post(`${CONV}/activities/:activityId`, route('connector.reply', async (req, res) => {
    activityIdParam(req);
    await sendActivity(req, res);
  }));

  server.put(
    `${CONV}/activities/:activityId`,
    route('connector.update', async (req, res) => {
      const s = connectorSession(req, refusedConnector('update'));
      const id = activityIdParam(req);
      const body = await connectorBody(req);
      const index = s.history.findIndex((h) => h.activity['id'] === id);
      if (index < 0 || s.ended) throw new HttpRefusal(404, 'not_found');
      s.history.splice(index, 1);
      // Same id, new sequence number: Web Chat replaces the activity it already shows.
      publish(s, buildBotActivityForPage(body, parties(s), id, stamp(s)));
      sendJson(res, 200, { id });
    }),
  );

  server.del(
    `${CONV}/activities/:activityId`,
    route('connector.delete', async (req, res) => {
      const s = connectorSession(req, refusedConnector('delete'));
      const id = activityIdParam(req);
      const index = s.history.findIndex((h) => h.activity['id'] === id);
      if (index < 0) throw new HttpRefusal(404, 'not_found');
      // Web Chat has no delete notification; the activity is gone from the history a reload restores.
      s.history.splice(index, 1);
      sendJson(res, 200, {});
    }),
  );

  server.get(
    `${CONV}/members`,
    route('connector.members', async (req, res) => {
      const s = connectorSession(req, refusedConnector('members'));
      sendJson(res, 200, [{ id: s.parties.user.id, name: 'User' }]);
    }),
  );

  return {
    sessionCount: () => sessions.size,
    streamCount: () => [...sessions.values()].reduce((n, s) => n + s.streams.size, 0),
    sweepIdleSessions: () => sweepIdle(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      for (const s of [...sessions.values()]) endSession(s, 'closed');
      const pending = Promise.allSettled([...inflight]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([pending, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
      if (timer) clearTimeout(timer);
    },
  };
}
