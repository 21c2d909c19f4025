/**
 * Redis connections for the bot. Fails fast while Redis is down (no offline queue, per-command timeout) and
 * reconnects in the background with bounded backoff (STACK-NOTES.md: the client's defaults would make a turn hang).
 *
 * Either one Redis or a Redis Cluster (`cluster: true`: the URL is a seed node the topology is discovered from).
 * Both hand out the same `RedisCommands` and `raw` surface; what differs is kept here: a scan must visit every
 * master (`scanAll`), admin commands go to each master (`eachMaster`), and pub/sub goes through the cluster's own
 * subscriber connection (handoff/relay.ts). Keys that one operation touches together (a MULTI, a script's KEYS, a
 * multi-key command) share a hash tag, so they live in one slot (DESIGN.md invariant 8).
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
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
  /** Every key matching the pattern, in batches; on a cluster every master's (see `scanAll`). */
  scanIterator(opts: { MATCH: string; COUNT?: number }): AsyncIterable<string[]>;
  ping(): Promise<string>;
}

export interface ManagedRedis {
  commands: RedisCommands;
  /** `'cluster'` when connected with `cluster: true`. */
  kind: 'single' | 'cluster';
  isReady(): boolean;
  close(): Promise<void>;
  /**
   * The underlying node-redis client, for features outside RedisCommands. On a cluster this is the cluster client
   * (typed as the plain client: the commands the bot uses have the same shape on both); its `scanIterator` is
   * the cluster-wide scan of `scanAll`. Use `scanAll`/`eachMaster` rather than assuming one node.
   */
  raw: RedisClientType;
  /** Runs `fn` on every master's own connection (one Redis: the client itself), each under the command deadline. */
  eachMaster<T>(fn: (node: RedisClientType) => Promise<T>): Promise<T[]>;
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
  /**
   * Redis Cluster: `url` is a seed node; the other masters are discovered (CLUSTER SLOTS) and reached with the same
   * user, password and TLS settings. With TLS every node's certificate is verified against the seed's host name
   * (one certificate for the cluster, as managed clusters do) unless the seed is an IP address.
   */
  cluster?: boolean | undefined;
}

export async function connectRedis(opts: RedisOptions): Promise<ManagedRedis> {
  if (opts.cluster) return connectCluster(opts);
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
      reconnectStrategy: backoff,
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
    kind: 'single',
    isReady: () => client.isReady,
    raw: guarded as unknown as RedisClientType,
    eachMaster: async (fn) => [await fn(guarded as unknown as RedisClientType)],
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

const backoff = (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2000);

/**
 * A Redis Cluster behind the same surface. node-redis's cluster `connect()` gives up when no seed answers (it has
 * no retry of its own), so discovery is retried here in the background with the same bounded backoff; the node
 * connections reconnect by themselves. Until the topology is known every command fails at once (the cluster
 * client refuses commands while not ready), which is the fixed unavailable reply upstream.
 */
async function connectCluster(opts: RedisOptions): Promise<ManagedRedis> {
  const seed = new URL(opts.url);
  const secure = seed.protocol === 'rediss:';
  // Discovered nodes are reached by address with the `defaults` only (not the seed URL): credentials and TLS go there.
  const username = opts.username ?? (seed.username ? decodeURIComponent(seed.username) : undefined);
  const password = opts.password ?? (seed.password ? decodeURIComponent(seed.password) : undefined);
  const tls = secure ? {
    tls: true as const,
    ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}),
    ...(opts.tls?.cert && opts.tls.key ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
    // A node announces itself by IP; its certificate is the cluster's, issued for the name we were given.
    ...(isIP(seed.hostname) ? {} : { servername: seed.hostname }),
    rejectUnauthorized: true,
  } : {};
  const cluster = createCluster({
    rootNodes: [{ socket: { host: seed.hostname, port: Number(seed.port || 6379) } }],
    defaults: {
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      disableOfflineQueue: true,
      disableClientInfo: true,
      socket: { ...tls, connectTimeout: opts.connectTimeoutMs, reconnectStrategy: backoff },
    },
    // Passed with every command to the node that runs it (see withDeadline for why not node-redis's timeout).
    commandOptions: { timeout: 0 },
  });
  const masters = () => cluster.masters;
  const allReady = () => cluster.isReady && masters().length > 0 && masters().every((m) => m.client?.isReady === true);
  let lastState = 'connecting';
  const onError = (err: unknown) => {
    if (lastState !== 'error') opts.log.warn({ redis: opts.name, cluster: true, err: errorFields(err) }, 'storage.redis.error');
    lastState = 'error';
  };
  const onReady = () => {
    if (lastState !== 'ready' && allReady()) {
      opts.log.info({ redis: opts.name, cluster: true, masters: masters().length }, 'storage.redis.ready');
      lastState = 'ready';
    }
  };
  cluster.on('error', onError);
  cluster.on('node-error', onError);
  cluster.on('connect', onReady);
  cluster.on('node-ready', onReady);
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  const discover = (): Promise<boolean> => cluster.connect().then(() => { onReady(); return true; }, (err: unknown) => {
    onError(err);
    if (!closed) { retry = setTimeout(() => { void discover(); }, backoff(attempt++)); retry.unref(); }
    return false;
  });
  let timer: NodeJS.Timeout | undefined;
  const connected = await Promise.race([discover(), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), opts.connectTimeoutMs); })]);
  clearTimeout(timer);
  if (!connected) opts.log.warn({ redis: opts.name, cluster: true }, 'storage.redis.not_ready_at_start');
  const ms = opts.commandTimeoutMs;
  const scan = (o: { MATCH: string; COUNT?: number }) => scanCluster(cluster as unknown as RedisClusterType, o, ms);
  const guarded = withDeadline(cluster, ms, { scanIterator: scan });
  return {
    commands: guarded as unknown as RedisCommands,
    kind: 'cluster',
    isReady: allReady,
    raw: guarded as unknown as RedisClientType,
    eachMaster: async (fn) => Promise.all((await masterClients(cluster as unknown as RedisClusterType, ms)).map((c) => deadline(fn(c), ms))),
    close: async () => {
      closed = true;
      clearTimeout(retry);
      try {
        if (cluster.isReady) await cluster.close();
        else cluster.destroy();
      } catch {
        cluster.destroy();
      }
    },
  };
}

/** True for a node-redis cluster client (or a view of one), false for a plain client. */
export function isClusterClient(r: object): boolean {
  return 'masters' in r && typeof (r as { nodeClient?: unknown }).nodeClient === 'function';
}

/**
 * Every key matching `MATCH`, in batches, whichever kind of client: one Redis is scanned as usual; a cluster has
 * each master scanned in turn, or only the owner of the slot when the pattern pins one (a literal hash tag before
 * any wildcard, e.g. `tl:otp:{acct}:*`). Throws (never yields nothing) when the cluster is not reachable: a scan
 * that silently misses a node would let an erasure or a breach scope report "nothing found".
 */
export function scanAll(r: object, o: { MATCH: string; COUNT?: number }, ms = 0): AsyncIterable<string[]> {
  const own = (r as { scanIterator?: (o: { MATCH: string; COUNT?: number }) => AsyncIterable<string[]> }).scanIterator;
  if (typeof own === 'function') return own.call(r, o);
  if (isClusterClient(r)) return scanCluster(r as RedisClusterType, o, ms);
  throw new TypeError('scanAll needs a node-redis client or cluster');
}

/** The key whose slot every key matching `pattern` shares, or undefined when matches may span slots. */
export function slotKeyOfPattern(pattern: string): string | undefined {
  const open = pattern.indexOf('{');
  if (open < 0) return undefined;
  const close = pattern.indexOf('}', open + 1);
  if (close <= open + 1) return undefined;
  // A wildcard before the tag ends could make a matching key's first `{...}` a different one.
  const head = pattern.slice(0, close + 1);
  return /[*?[\\]/.test(head) ? undefined : head;
}

function dl<T>(p: Promise<T>, ms: number): Promise<T> { return ms > 0 ? deadline(p, ms) : p; }

async function masterClients(c: RedisClusterType, ms: number): Promise<RedisClientType[]> {
  if (!c.isReady || c.masters.length === 0) throw new Error('redis cluster not ready');
  return Promise.all(c.masters.map((m) => dl(c.nodeClient(m) as unknown as Promise<RedisClientType>, ms)));
}

async function* scanCluster(c: RedisClusterType, o: { MATCH: string; COUNT?: number }, ms: number): AsyncIterable<string[]> {
  const slotKey = slotKeyOfPattern(o.MATCH);
  if (slotKey !== undefined && !c.isReady) throw new Error('redis cluster not ready');
  const nodes = slotKey !== undefined
    ? [await dl(c.getNodeClientForKey(slotKey) as unknown as Promise<RedisClientType>, ms)]
    : await masterClients(c, ms);
  for (const node of nodes) {
    let cursor = '0';
    do {
      const reply = await dl(node.scan(cursor, { MATCH: o.MATCH, ...(o.COUNT ? { COUNT: o.COUNT } : {}) }), ms);
      cursor = String(reply.cursor);
      yield reply.keys as string[];
    } while (cursor !== '0');
  }
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

/**
 * A view of the client whose commands reject with a TimeoutError after `ms` (ERR_STORAGE_TIMEOUT upstream).
 * `extra` adds or replaces methods (the cluster's scanIterator), returned as they are.
 */
export function withDeadline<T extends object>(client: T, ms: number, extra: Record<string, unknown> = {}): T {
  const wrapped = new Map<PropertyKey, unknown>(Object.entries(extra));
  return new Proxy(client, {
    get(target, prop) {
      // Cache first: the hot path (a command per storage call) costs one Map lookup.
      const hit = wrapped.get(prop);
      if (hit !== undefined) return hit;
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      const fn = v as (...a: unknown[]) => unknown;
      const w = prop === 'multi' || prop === 'MULTI'
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
