/**
 * Redis connections for the bot. Fails fast while Redis is down (no offline queue, per-command timeout) and
 * reconnects in the background with bounded backoff (STACK-NOTES.md: the client's defaults would make a turn hang).
 */
import { createHash } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../log/logger.js';
import { errorFields } from '../log/logger.js';
import { GuardError } from '../errors.js';

/** The narrow set of commands the bot uses; the real client (or a cluster client) is adapted to it. */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, opts?: { condition?: 'NX' | 'XX'; expiration?: { type: 'EX' | 'PX'; value: number } }): Promise<string | null>;
  del(keys: string | string[]): Promise<number>;
  hmGet(key: string, fields: string[]): Promise<(string | null)[]>;
  evalSha(sha: string, opts: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, opts: { keys: string[]; arguments: string[] }): Promise<unknown>;
  scanIterator(opts: { MATCH: string; COUNT?: number }): AsyncIterable<string[]>;
  ping(): Promise<string>;
}

export interface ManagedRedis {
  commands: RedisCommands;
  isReady(): boolean;
  close(): Promise<void>;
  /** The underlying node-redis client, for features outside RedisCommands (tests, later streams/pub-sub). */
  raw: RedisClientType;
}

export interface RedisOptions {
  url: string;
  name: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  log: Logger;
  /** ACL user and password (production: a named user, never `default`). Override any in the URL. */
  username?: string | undefined;
  password?: string | undefined;
  /**
   * TLS for a `rediss://` URL: `ca` (PEM) replaces the system roots for verifying the server; `cert` + `key` (PEM)
   * present a client certificate. The server certificate and host name are always verified (Node's default).
   */
  tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined } | undefined;
}

export async function connectRedis(opts: RedisOptions): Promise<ManagedRedis> {
  const tls = opts.url.startsWith('rediss:') ? {
    ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}),
    ...(opts.tls?.cert && opts.tls.key ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
    // Never `rejectUnauthorized: false`: a Redis we cannot verify is a Redis we do not talk to.
    rejectUnauthorized: true,
  } : {};
  const client = createClient({
    url: opts.url,
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
    disableOfflineQueue: true,
    // No CLIENT SETINFO on connect: the ACL user is not allowed it (deployment/redis), and Redis 7.0 lacks it.
    disableClientInfo: true,
    // node-redis's own per-command timeout allocates an AbortSignal (and a DOMException when it fires) for every
    // command and stops covering a command once it is sent; withDeadline below covers the whole wait instead.
    commandOptions: { timeout: 0 },
    socket: {
      ...tls,
      connectTimeout: opts.connectTimeoutMs,
      // Bounded backoff forever in the background; commands fail fast meanwhile (disableOfflineQueue).
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2000),
    },
  });
  let lastState = 'connecting';
  client.on('error', (err: unknown) => {
    // Logged once per state change: a down Redis would otherwise flood the log with one line per retry.
    if (lastState !== 'error') opts.log.warn({ redis: opts.name, err: errorFields(err) }, 'storage.redis.error');
    lastState = 'error';
  });
  client.on('ready', () => {
    if (lastState !== 'ready') opts.log.info({ redis: opts.name }, 'storage.redis.ready');
    lastState = 'ready';
  });
  client.on('end', () => { lastState = 'end'; });
  // connect() resolves only once Redis answers (it retries forever meanwhile). Start-up waits at most the connect
  // timeout, then carries on: an instance that boots during a Redis outage still answers its fixed unavailable
  // reply and recovers when Redis comes back (RES-1).
  const connecting = client.connect().then(() => true, (err: unknown) => {
    opts.log.warn({ redis: opts.name, err: errorFields(err) }, 'storage.redis.connect_failed');
    return false;
  });
  let timer: NodeJS.Timeout | undefined;
  const connected = await Promise.race([connecting, new Promise<boolean>((r) => { timer = setTimeout(() => r(false), opts.connectTimeoutMs); })]);
  clearTimeout(timer);
  if (!connected) opts.log.warn({ redis: opts.name }, 'storage.redis.not_ready_at_start');
  // node-redis's own command timeout only covers the wait to be written: a command already sent to a Redis that
  // stopped answering (paused, partitioned) would wait forever. Every promise-returning command gets a deadline.
  const guarded = withDeadline(client, opts.commandTimeoutMs);
  return {
    commands: guarded as unknown as RedisCommands,
    isReady: () => client.isReady,
    raw: guarded as unknown as RedisClientType,
    close: async () => {
      try {
        // A client that never reached Redis would wait forever for a graceful close.
        if (client.isReady) await client.close();
        else client.destroy();
      } catch {
        client.destroy();
      }
    },
  };
}

export class RedisDeadlineError extends Error {
  constructor() { super('redis command deadline'); this.name = 'TimeoutError'; }
}

/** Lifecycle, pub/sub and iterator methods keep their own semantics (a subscription or a scan is not one reply). */
const NO_DEADLINE = new Set(['connect', 'close', 'quit', 'disconnect', 'destroy', 'duplicate', 'on', 'once', 'off', 'removeListener', 'removeAllListeners', 'emit',
  'scanIterator', 'hScanIterator', 'sScanIterator', 'zScanIterator', 'subscribe', 'SUBSCRIBE', 'pSubscribe', 'unsubscribe', 'pUnsubscribe', 'sSubscribe', 'sUnsubscribe',
  'withCommandOptions', 'withTypeMapping', 'withAbortSignal', 'asap', 'executeIsolated']);

export function deadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // The command may still answer after the deadline: its late outcome is dropped, never an unhandled rejection.
  p.catch(() => undefined);
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new RedisDeadlineError()), ms); })])
    .finally(() => clearTimeout(timer));
}

/** A view of the client whose commands reject with a TimeoutError after `ms` (ERR_STORAGE_TIMEOUT upstream). */
export function withDeadline<T extends object>(client: T, ms: number): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      let w = wrapped.get(prop);
      if (!w) {
        const fn = v as (...a: unknown[]) => unknown;
        w = prop === 'multi' || prop === 'MULTI'
          ? (...args: unknown[]) => {
            // A transaction is one reply: its exec gets the deadline.
            const m = fn.apply(target, args) as { exec: (...a: unknown[]) => Promise<unknown>; execAsPipeline?: (...a: unknown[]) => Promise<unknown> };
            const exec = m.exec.bind(m);
            m.exec = (...a: unknown[]) => deadline(exec(...a), ms);
            if (m.execAsPipeline) { const pipe = m.execAsPipeline.bind(m); m.execAsPipeline = (...a: unknown[]) => deadline(pipe(...a), ms); }
            return m;
          }
          : NO_DEADLINE.has(String(prop))
          ? fn.bind(target)
          : (...args: unknown[]) => {
            const r = fn.apply(target, args);
            return r instanceof Promise ? deadline(r, ms) : r;
          };
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}

const shaCache = new Map<string, string>();

/** EVALSHA with a fallback to EVAL when the script is not cached (new server, SCRIPT FLUSH, failover). */
export async function runScript(r: RedisCommands, script: string, keys: string[], args: string[]): Promise<unknown> {
  let sha = shaCache.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shaCache.set(script, sha);
  }
  try {
    return await r.evalSha(sha, { keys, arguments: args });
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return r.eval(script, { keys, arguments: args });
    throw err;
  }
}

/** Every Redis failure becomes one code; the message (which may quote a reply) stays inside. */
export function storageError(err: unknown): GuardError {
  if (err instanceof GuardError) return err;
  const name = err instanceof Error ? err.name : '';
  return new GuardError(name === 'TimeoutError' || name === 'CommandTimeoutDuringMaintenanceError' ? 'ERR_STORAGE_TIMEOUT' : 'ERR_STORAGE_UNAVAILABLE', { cause: err });
}
