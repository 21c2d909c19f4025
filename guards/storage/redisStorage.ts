/**
 * botbuilder `Storage` on Redis with eTag compare-and-set (RES-5, Storage contract).
 *
 * Each item is a hash `{ v: JSON, e: eTag }` under `prefix{h}` where h is a keyed hash of the storage key: any key
 * string is safe (`*`, CR/LF, 10 kB, unicode: IN-3) and `redis-cli --scan` shows no ids. The hash in braces is the
 * cluster hash tag, so the CAS script touches one slot. Commands of one turn are issued in the same tick, which
 * node-redis pipelines into one round trip.
 */
import { randomBytes } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import { GuardError } from '../errors.js';
import type { RedisCommands } from './redisClient.js';
import { runScript, storageError } from './redisClient.js';

// KEYS[1] item; ARGV: expected eTag ('' or '*' = unconditional), value, new eTag, ttl seconds.
const CAS_WRITE = `
if ARGV[1] ~= '' and ARGV[1] ~= '*' then
  local cur = redis.call('HGET', KEYS[1], 'e')
  if cur and cur ~= ARGV[1] then return 0 end
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'e', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1`;

export interface RedisStorageOptions {
  /** Data-class prefix, e.g. `tl:state:` */
  prefix: string;
  /** Keyed hash of a storage key (purpose key: key names). */
  keyName: (storageKey: string) => string;
  ttlSeconds: number;
  /**
   * Values longer than this are refused before JSON.parse (`ERR_CRYPTO_ENVELOPE_TOO_LARGE`, CR-6): a 50 MB value
   * planted in Redis costs one string of the reply, never a parse or a decryption. Checked on the reply, so no extra
   * round trip. Unset = no cap.
   */
  maxValueChars?: number;
}

export class RedisStorage implements Storage {
  readonly #r: RedisCommands;
  readonly #o: RedisStorageOptions;

  constructor(client: RedisCommands, opts: RedisStorageOptions) {
    this.#r = client;
    this.#o = opts;
  }

  redisKey(storageKey: string): string {
    return `${this.#o.prefix}{${this.#o.keyName(storageKey)}}`;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new GuardError('ERR_HTTP_BAD_REQUEST');
    const out: StoreItems = {};
    if (keys.length === 0) return out;
    let rows: (string | null)[][];
    try {
      rows = await Promise.all(keys.map((k) => this.#r.hmGet(this.redisKey(k), ['v', 'e'])));
    } catch (err) {
      throw storageError(err);
    }
    keys.forEach((k, i) => {
      const [v, e] = rows[i] ?? [];
      if (v == null) return;
      if (this.#o.maxValueChars !== undefined && v.length > this.#o.maxValueChars) throw new GuardError('ERR_CRYPTO_ENVELOPE_TOO_LARGE');
      let item: Record<string, unknown>;
      // A value that is not our JSON was written by someone else: refused like a tampered envelope.
      try { item = JSON.parse(v) as Record<string, unknown>; } catch (cause) { throw new GuardError('ERR_CRYPTO_DECRYPT', { cause }); }
      out[k] = { ...item, eTag: e ?? undefined };
    });
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes || typeof changes !== 'object') throw new GuardError('ERR_HTTP_BAD_REQUEST');
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    let results: unknown[];
    try {
      results = await Promise.all(entries.map(([k, item]) => {
        const { eTag, ...rest } = (item ?? {}) as { eTag?: unknown };
        const expected = typeof eTag === 'string' ? eTag : '';
        return runScript(this.#r, CAS_WRITE, [this.redisKey(k)], [expected, JSON.stringify(rest), newETag(), String(this.#o.ttlSeconds)]);
      }));
    } catch (err) {
      throw storageError(err);
    }
    if (results.some((r) => r !== 1)) throw new GuardError('ERR_STORAGE_ETAG_CONFLICT');
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new GuardError('ERR_HTTP_BAD_REQUEST');
    if (keys.length === 0) return;
    try {
      // One DEL per key: keys live in different cluster slots.
      await Promise.all(keys.map((k) => this.#r.del(this.redisKey(k))));
    } catch (err) {
      throw storageError(err);
    }
  }
}

export function newETag(): string {
  return randomBytes(12).toString('base64url');
}
