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
}

export async function connectRedis(opts: RedisOptions): Promise<ManagedRedis> {
  const client = createClient({
    url: opts.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: opts.commandTimeoutMs },
    socket: {
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
  return {
    commands: client as unknown as RedisCommands,
    isReady: () => client.isReady,
    raw: client as unknown as RedisClientType,
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
