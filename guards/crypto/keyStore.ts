/**
 * Where wrapped data keys live: apart from the data (DESIGN.md invariant 4). In production a separate Redis
 * (`KEYSTORE_REDIS_URL`) so that a snapshot of the data store never holds the keys that open it.
 */
import type { RedisCommands } from '../storage/redisClient.js';
import { runScript, scanAll, storageError } from '../storage/redisClient.js';
import { GuardError } from '../errors.js';

export interface WrappedKeyRecord {
  /** Key id: `<owner>.<generation>`; named in every envelope sealed with it. */
  kid: string;
  /** Master key version that wraps it. */
  mv: string;
  /** base64(nonce | ciphertext) of the data key under the master key. */
  wrapped: string;
  created: string;
}

export interface KeyStore {
  get(owner: string): Promise<WrappedKeyRecord | undefined>;
  getMany(owners: string[]): Promise<(WrappedKeyRecord | undefined)[]>;
  /** Stores `rec` unless a record exists; returns whichever record is stored afterwards. */
  putIfAbsent(owner: string, rec: WrappedKeyRecord): Promise<WrappedKeyRecord>;
  /** Compare-and-set on the wrapping master version (rotation): false when someone else changed it. */
  replaceIf(owner: string, expectedMv: string, expectedKid: string, rec: WrappedKeyRecord): Promise<boolean>;
  /** Crypto-shredding: the key is gone, every envelope sealed with it is unreadable. */
  destroy(owner: string): Promise<void>;
  scan(): AsyncIterable<[string, WrappedKeyRecord]>;
}

function parseRecord(text: string | null | undefined): WrappedKeyRecord | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as WrappedKeyRecord;
    return typeof r.kid === 'string' && typeof r.mv === 'string' && typeof r.wrapped === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** A wrapped key record is a few hundred bytes; anything larger is refused unparsed (CR-6). */
const MAX_RECORD_CHARS = 4096;

/**
 * Reading one owner's record: absent is `undefined` (a new key may be created), but a value that is there and is
 * oversized or malformed is tampering (`ERR_CRYPTO_DECRYPT`), never "absent": a new key must not silently replace it.
 */
function parseStored(text: string | null | undefined): WrappedKeyRecord | undefined {
  if (text == null) return undefined;
  if (text.length > MAX_RECORD_CHARS) throw new GuardError('ERR_CRYPTO_ENVELOPE_TOO_LARGE');
  const rec = parseRecord(text);
  if (!rec) throw new GuardError('ERR_CRYPTO_DECRYPT');
  return rec;
}

export class MemoryKeyStore implements KeyStore {
  readonly #map = new Map<string, string>();
  async get(owner: string) { return parseRecord(this.#map.get(owner)); }
  async getMany(owners: string[]) { return owners.map((o) => parseRecord(this.#map.get(o))); }
  async putIfAbsent(owner: string, rec: WrappedKeyRecord) {
    if (!this.#map.has(owner)) this.#map.set(owner, JSON.stringify(rec));
    return parseRecord(this.#map.get(owner))!;
  }
  async replaceIf(owner: string, expectedMv: string, expectedKid: string, rec: WrappedKeyRecord) {
    const cur = parseRecord(this.#map.get(owner));
    if (!cur || cur.mv !== expectedMv || cur.kid !== expectedKid) return false;
    this.#map.set(owner, JSON.stringify(rec));
    return true;
  }
  async destroy(owner: string) { this.#map.delete(owner); }
  async *scan(): AsyncIterable<[string, WrappedKeyRecord]> {
    for (const [k, v] of [...this.#map]) { const r = parseRecord(v); if (r) yield [k, r]; }
  }
}

const REPLACE_IF = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, rec = pcall(cjson.decode, cur)
if not ok or rec.mv ~= ARGV[1] or rec.kid ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
return 1`;

export class RedisKeyStore implements KeyStore {
  readonly #r: RedisCommands;
  readonly #ttl: number;
  static readonly PREFIX = 'tl:key:';
  constructor(client: RedisCommands, ttlSeconds: number) {
    this.#r = client;
    this.#ttl = ttlSeconds;
  }
  // The owner id is already a keyed hash; braces make it the hash tag (one slot per owner on a cluster).
  #k(owner: string) { return `${RedisKeyStore.PREFIX}{${owner}}`; }
  async get(owner: string) {
    let text: string | null;
    try { text = await this.#r.get(this.#k(owner)); } catch (e) { throw storageError(e); }
    return parseStored(text);
  }
  async getMany(owners: string[]) { return Promise.all(owners.map((o) => this.get(o))); }
  async putIfAbsent(owner: string, rec: WrappedKeyRecord) {
    const set = await this.#r.set(this.#k(owner), JSON.stringify(rec), { condition: 'NX', expiration: { type: 'EX', value: this.#ttl } });
    if (set === 'OK') return rec;
    const cur = await this.get(owner);
    if (!cur) throw new Error('key store race');
    return cur;
  }
  async replaceIf(owner: string, expectedMv: string, expectedKid: string, rec: WrappedKeyRecord) {
    const r = await runScript(this.#r, REPLACE_IF, [this.#k(owner)], [expectedMv, expectedKid, JSON.stringify(rec)]);
    return r === 1;
  }
  async destroy(owner: string) { await this.#r.del(this.#k(owner)); }
  async *scan(): AsyncIterable<[string, WrappedKeyRecord]> {
    // Every master when the key store is a cluster.
    for await (const batch of scanAll(this.#r, { MATCH: `${RedisKeyStore.PREFIX}*`, COUNT: 500 })) {
      const keys = batch as string[];
      if (keys.length === 0) continue;
      const values = await Promise.all(keys.map((k) => this.#r.get(k)));
      for (let i = 0; i < keys.length; i++) {
        const rec = parseRecord(values[i]);
        const m = /^tl:key:\{(.+)\}$/.exec(keys[i]!);
        if (rec && m) yield [m[1]!, rec];
      }
    }
  }
}
