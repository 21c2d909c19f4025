/**
 * Relay between bot instances: Redis pub/sub on one channel. An event names only what changed and where (a kind and
 * the conversation's keyed-hash id, maybe a stream id): the content stays sealed in Redis and each instance reads it
 * itself. Pub/sub may drop an event while a subscriber reconnects, so the console re-reads on every (re)connect; the
 * records, not the events, are the truth.
 *
 * On a Redis Cluster the events use classic pub/sub, which the cluster broadcasts to every node: an event
 * published through any node reaches a subscriber connected to any other. The cluster client keeps its own
 * subscriber connection (and moves it when the topology changes), so no duplicate client is made there.
 */
import type { RedisClientType } from 'redis';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import { deadline, isClusterClient } from '../guards/storage/redisClient.js';
import { isConversationId } from './store.js';

export const RELAY_CHANNEL = 'tl:ho:events';
export type RelayKind = 'queued' | 'claimed' | 'message' | 'ended' | 'offered' | 'followup';
export interface RelayEvent { kind: RelayKind; c: string; id?: string }
const KINDS = new Set<RelayKind>(['queued', 'claimed', 'message', 'ended', 'offered', 'followup']);

export interface RelayBus {
  publish(e: RelayEvent): Promise<void>;
  subscribe(fn: (e: RelayEvent) => void): () => void;
  close(): Promise<void>;
}

export function parseRelayEvent(raw: string): RelayEvent | undefined {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    if (!KINDS.has(o.kind as RelayKind) || !isConversationId(o.c)) return undefined;
    const id = typeof o.id === 'string' && /^\d{1,20}-\d{1,20}$/.test(o.id) ? o.id : undefined;
    return { kind: o.kind as RelayKind, c: o.c, ...(id ? { id } : {}) };
  } catch {
    return undefined;
  }
}

export class RedisRelayBus implements RelayBus {
  readonly #pub: RedisClientType;
  /** One Redis: a duplicate connection (a subscribed connection can do nothing else). A cluster: none (see above). */
  readonly #sub: RedisClientType | undefined;
  readonly #listeners = new Set<(e: RelayEvent) => void>();
  readonly #log: Logger;
  #started: Promise<void> | undefined;
  #closed = false;

  /** `pub` is the shared data client (one Redis or a cluster). */
  constructor(pub: RedisClientType, log: Logger) {
    this.#pub = pub;
    this.#log = log;
    if (!isClusterClient(pub)) {
      this.#sub = pub.duplicate() as RedisClientType;
      this.#sub.on('error', () => undefined);
    }
  }

  readonly #onMessage = (raw: string) => {
    const e = parseRelayEvent(raw);
    if (!e) return;
    for (const fn of this.#listeners) {
      try { fn(e); } catch (err) { this.#log.warn({ err: errorFields(err) }, 'handoff.relay.listener_failed'); }
    }
  };

  /**
   * Connects the subscriber without holding up start-up: an instance that boots while Redis is unreachable must still
   * start (and answer its fixed unavailable reply). The subscription is made on the first `ready`; node-redis
   * re-subscribes by itself after later reconnects.
   */
  start(waitMs = 2000): Promise<void> {
    this.#started ??= (async () => {
      const sub = this.#sub;
      const ready = sub
        ? new Promise<void>((resolve) => {
          sub.once('ready', () => {
            void sub.subscribe(RELAY_CHANNEL, this.#onMessage).then(resolve, (err: unknown) => {
              this.#log.warn({ err: errorFields(err) }, 'handoff.relay.subscribe_failed');
              resolve();
            });
          });
          sub.connect().catch((err: unknown) => this.#log.warn({ err: errorFields(err) }, 'handoff.relay.connect_failed'));
        })
        : this.#subscribeCluster();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ready, new Promise<void>((r) => { timer = setTimeout(r, waitMs); })]);
      clearTimeout(timer);
    })();
    return this.#started;
  }

  async publish(e: RelayEvent): Promise<void> {
    try {
      await this.#pub.publish(RELAY_CHANNEL, JSON.stringify(e));
    } catch (err) {
      // Best effort: the record was written; a console that misses the nudge catches up on its next read.
      this.#log.warn({ err: errorFields(err), kind: e.kind }, 'handoff.relay.publish_failed');
    }
  }

  subscribe(fn: (e: RelayEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Subscribes through the cluster client once its topology is known (at once, or when a background discovery
   * succeeds: the cluster emits `connect`). node-redis re-subscribes by itself when the subscriber's node changes.
   */
  #subscribeCluster(): Promise<void> {
    const cluster = this.#pub as unknown as { isReady: boolean; once(ev: 'connect', fn: () => void): unknown; subscribe: RedisClientType['subscribe'] };
    return new Promise<void>((resolve) => {
      const go = () => {
        if (this.#closed) { resolve(); return; }
        cluster.subscribe(RELAY_CHANNEL, this.#onMessage).then(() => resolve(), (err: unknown) => {
          this.#log.warn({ err: errorFields(err) }, 'handoff.relay.subscribe_failed');
          resolve();
        });
      };
      if (cluster.isReady) go();
      else cluster.once('connect', go);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (!this.#sub) {
      // The cluster client is shared: only our subscription ends (the data client closes it with everything else).
      const cluster = this.#pub as unknown as { isReady: boolean; unsubscribe: RedisClientType['unsubscribe'] };
      if (cluster.isReady) await deadline(cluster.unsubscribe(RELAY_CHANNEL, this.#onMessage), 2000).catch(() => undefined);
      return;
    }
    try {
      // A subscriber that never reached Redis would wait forever for a graceful close.
      if (this.#sub.isReady) await this.#sub.close();
      else this.#sub.destroy();
    } catch {
      this.#sub.destroy();
    }
  }
}
