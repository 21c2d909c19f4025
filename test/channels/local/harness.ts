/**
 * Test harness for the local channel: a real restify server on 127.0.0.1 (port 0), a real CloudAdapter without an
 * app id (development profile: Bot Framework auth off), a tiny echo bot, captured log lines, and small HTTP and SSE
 * clients built on node:http so every header is the test's choice (fetch adds Sec-Fetch-Mode on its own).
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import { createLogger } from '../../../guards/log/logger.js';
import { mountLocalChannel, type LocalChannel, type LocalChannelOptions } from '../../../channels/local/index.js';

export interface Harness {
  baseUrl: string;
  channel: LocalChannel;
  /** Activities the bot received, in order. */
  received: Partial<Activity>[];
  /** Raw JSON log lines the channel wrote. */
  logLines: string[];
  close(): Promise<void>;
}

export type Logic = (ctx: TurnContext) => Promise<void>;

/** Greets on join, answers `echo: <text>` to messages. */
export const echoLogic: Logic = async (ctx) => {
  if (ctx.activity.type === 'conversationUpdate') {
    for (const m of ctx.activity.membersAdded ?? []) {
      if (m.id !== ctx.activity.recipient.id) await ctx.sendActivity('Welcome to the echo bot.');
    }
  } else if (ctx.activity.type === 'message') {
    await ctx.sendActivity(`echo: ${ctx.activity.text ?? ''}`);
  }
};

export interface HarnessOptions extends Partial<Omit<LocalChannelOptions, 'adapter' | 'logic' | 'log' | 'connectorBaseUrl'>> {
  logic?: Logic;
  /** Default: swallow (the bot's real handler would send its fixed apology). */
  onTurnError?: (ctx: TurnContext, err: Error) => Promise<void>;
  /** Serve over https with this certificate (PEM). */
  tls?: { cert: string; key: string };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { logic = echoLogic, onTurnError, tls, ...channelOptions } = options;
  const server = restify.createServer({
    handleUncaughtExceptions: false,
    ...(tls ? { certificate: tls.cert, key: tls.key } : {}),
  });
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.onTurnError = onTurnError ?? (async () => undefined);
  const logLines: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void logLines.push(s) } });
  const received: Partial<Activity>[] = [];
  let port = 0;
  const scheme = tls ? 'https' : 'http';
  const channel = mountLocalChannel(server, {
    adapter,
    log,
    connectorBaseUrl: () => `${scheme}://127.0.0.1:${port}/local/connector`,
    logic: async (ctx) => {
      received.push(structuredClone(ctx.activity));
      await logic(ctx);
    },
    ...channelOptions,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `${scheme}://127.0.0.1:${port}`,
    channel,
    received,
    logLines,
    async close() {
      await channel.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.server.closeAllConnections?.();
      });
    },
  };
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export async function request(
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    // rejectUnauthorized is off only for the self-signed certificate of the https test server.
    const client = url.startsWith('https:') ? https : http;
    const req = client.request(url, { method, headers: { Connection: 'close', ...init.headers }, agent: false, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** A JSON POST the way the page sends it: same-origin fetch headers. */
export function pagePost(h: Harness, path: string, body: unknown, cookie?: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  return request('POST', `${h.baseUrl}${path}`, {
    headers: {
      'Content-Type': 'application/json',
      Origin: h.baseUrl,
      'Sec-Fetch-Site': 'same-origin',
      ...(cookie ? { Cookie: cookie } : {}),
      ...extra,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Creates a session and returns the `name=value` pair to send back as Cookie. */
export async function newSession(h: Harness): Promise<{ cookie: string; setCookie: string }> {
  const res = await pagePost(h, '/local/session', { locale: 'en-GB' });
  if (res.status !== 201) throw new Error(`session: ${res.status}`);
  const setCookie = String(res.headers['set-cookie']?.[0] ?? '');
  return { cookie: setCookie.split(';')[0] ?? '', setCookie };
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  comments: number;
  /** Activities received so far (events named `activity`, parsed). */
  activities(): Record<string, unknown>[];
  /** Resolves with the first event matching, waiting for new ones; rejects after `ms`. */
  waitFor(pred: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  waitForActivity(pred: (a: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  /** Resolves when the server closed the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openStream(h: Harness, cookie: string | undefined, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${h.baseUrl}/local/stream`,
      { headers: { Accept: 'text/event-stream', ...(cookie ? { Cookie: cookie } : {}), ...headers }, agent: false },
      (res) => {
        const bus = new EventEmitter();
        const events: SseEvent[] = [];
        let buffer = '';
        let endedResolve!: () => void;
        const ended = new Promise<void>((r) => (endedResolve = r));
        const client: SseClient = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          comments: 0,
          activities: () => events.filter((e) => e.event === 'activity').map((e) => JSON.parse(e.data) as Record<string, unknown>),
          waitFor(pred, ms = 10000) {
            const found = events.find(pred);
            if (found) return Promise.resolve(found);
            return new Promise((res2, rej2) => {
              const timer = setTimeout(() => {
                bus.off('event', onEvent);
                rej2(new Error('timed out waiting for an SSE event'));
              }, ms);
              const onEvent = (e: SseEvent): void => {
                if (!pred(e)) return;
                clearTimeout(timer);
                bus.off('event', onEvent);
                res2(e);
              };
              bus.on('event', onEvent);
            });
          },
          async waitForActivity(pred, ms) {
            const e = await client.waitFor((ev) => ev.event === 'activity' && pred(JSON.parse(ev.data) as Record<string, unknown>), ms);
            return JSON.parse(e.data) as Record<string, unknown>;
          },
          ended,
          close: () => req.destroy(),
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let idx: number;
          while ((idx = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, idx);
            buffer = buffer.slice(idx + 2);
            const ev: SseEvent = { event: 'message', data: '' };
            let isComment = true;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              isComment = false;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'event') ev.event = value;
              else if (field === 'data') ev.data = ev.data ? `${ev.data}\n${value}` : value;
              else if (field === 'id') ev.id = value;
            }
            if (isComment) client.comments += 1;
            else if (ev.data !== '' || ev.event !== 'message') {
              events.push(ev);
              bus.emit('event', ev);
            }
          }
        });
        res.on('end', endedResolve);
        res.on('close', endedResolve);
        res.on('error', endedResolve);
        resolve(client);
      },
    );
    req.on('error', reject);
  });
}

/** Waits until `check` holds, polling on the event loop (no fixed sleeps); rejects after `ms`. */
export async function eventually(check: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
