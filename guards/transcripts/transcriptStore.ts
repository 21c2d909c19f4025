/**
 * Redacted transcripts, sealed at rest. Each conversation's entries live in one hash `tl:tx:{c}` (field = entry id,
 * value = AEAD envelope), its summary in `tl:txm:{c}`, and the conversation in the index `tl:tx:index` (scored by
 * last activity) for compliance search. `c` is the conversation's keyed-hash owner id, never a raw id; the entries
 * are sealed under the data key of the conversation's owner (the conversation, or the verified subject), with the
 * entry's own storage key as associated data, so an entry copied to another conversation does not open.
 * Every key gets the transcript retention as TTL on each write.
 */
import type { RedisClientType } from 'redis';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../crypto/envelope.js';
import { ownerOfKid, type DataKeyService } from '../crypto/dataKeys.js';
import { GuardError } from '../errors.js';
import { reportOpenFailure } from '../crypto/securityEvents.js';
import { runScript, storageError, type RedisCommands } from '../storage/redisClient.js';
import type { TranscriptEntry } from './redactActivity.js';
import type { TokenEntry } from '../pii/index.js';

export interface ConversationRef {
  /** Keyed-hash id of the conversation (`c_...`). */
  conversation: string;
  /** Owner whose data key seals the entries (the conversation, or the verified subject). */
  keyOwner: string;
  channelId: string;
}

export interface ConversationSummary {
  conversation: string;
  channelId: string;
  first: string;
  last: string;
  entries: number;
}

/** The few operations the store needs; Redis and memory implement them. */
export interface HashBackend {
  hset(key: string, fields: Record<string, string>, ttlSeconds: number): Promise<void>;
  /** One turn's entries and the conversation summary, in one round trip (both keys share the conversation's tag). */
  appendTurn(entriesKey: string, metaKey: string, fields: Record<string, string>, meta: { channel: string; now: string }, ttlSeconds: number): Promise<void>;
  hsetIfExists(key: string, field: string, value: string): Promise<boolean>;
  hsetnx(key: string, field: string, value: string): Promise<void>;
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, field: string): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Adds, drops members scored below `dropBelow`, and sets the TTL: the index never outlives retention. */
  zadd(key: string, member: string, score: number, dropBelow: number, ttlSeconds: number, maintain: boolean): Promise<void>;
  zrangeByScore(key: string, min: number, max: number, limit: number): Promise<string[]>;
  zrem(key: string, member: string): Promise<void>;
}

export class RedisHashBackend implements HashBackend {
  constructor(private readonly r: RedisClientType) {}
  async hset(key: string, fields: Record<string, string>, ttl: number) {
    try { await Promise.all([this.r.hSet(key, fields), this.r.expire(key, ttl)]); } catch (e) { throw storageError(e); }
  }
  async appendTurn(entriesKey: string, metaKey: string, fields: Record<string, string>, meta: { channel: string; now: string }, ttl: number) {
    try {
      await runScript(this.r as unknown as RedisCommands, APPEND_TURN, [entriesKey, metaKey], [String(ttl), meta.channel, meta.now, ...Object.entries(fields).flat()]);
    } catch (e) { throw storageError(e); }
  }
  async hsetIfExists(key: string, field: string, value: string) {
    try {
      const r = await this.r.eval("if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0", { keys: [key], arguments: [field, value] });
      return r === 1;
    } catch (e) { throw storageError(e); }
  }
  async hsetnx(key: string, field: string, value: string) { try { await this.r.hSetNX(key, field, value); } catch (e) { throw storageError(e); } }
  async hgetall(key: string) { try { return await this.r.hGetAll(key); } catch (e) { throw storageError(e); } }
  async hdel(key: string, field: string) { try { await this.r.hDel(key, field); } catch (e) { throw storageError(e); } }
  async del(keys: string[]) { try { await Promise.all(keys.map((k) => this.r.del(k))); } catch (e) { throw storageError(e); } }
  async zadd(key: string, member: string, score: number, dropBelow: number, ttl: number, maintain: boolean) {
    try {
      const ops: Promise<unknown>[] = [this.r.zAdd(key, { score, value: member })];
      if (maintain) ops.push(this.r.zRemRangeByScore(key, '-inf', `(${dropBelow}`), this.r.expire(key, ttl));
      await Promise.all(ops);
    } catch (e) { throw storageError(e); }
  }
  async zrangeByScore(key: string, min: number, max: number, limit: number) {
    try { return await this.r.zRangeByScore(key, min, max, { LIMIT: { offset: 0, count: limit } }); } catch (e) { throw storageError(e); }
  }
  async zrem(key: string, member: string) { try { await this.r.zRem(key, member); } catch (e) { throw storageError(e); } }
}

export class MemoryHashBackend implements HashBackend {
  readonly hashes = new Map<string, Map<string, string>>();
  readonly zsets = new Map<string, Map<string, number>>();
  async hset(key: string, fields: Record<string, string>) {
    const h = this.hashes.get(key) ?? new Map<string, string>();
    for (const [f, v] of Object.entries(fields)) h.set(f, v);
    this.hashes.set(key, h);
  }
  async hsetIfExists(key: string, field: string, value: string) {
    const h = this.hashes.get(key);
    if (!h?.has(field)) return false;
    h.set(field, value);
    return true;
  }
  async appendTurn(entriesKey: string, metaKey: string, fields: Record<string, string>, meta: { channel: string; now: string }) {
    await this.hset(entriesKey, fields);
    await this.hsetnx(metaKey, 'first', meta.now);
    await this.hset(metaKey, { channel: meta.channel, last: meta.now });
  }
  async hsetnx(key: string, field: string, value: string) {
    const h = this.hashes.get(key) ?? new Map<string, string>();
    if (!h.has(field)) h.set(field, value);
    this.hashes.set(key, h);
  }
  async hgetall(key: string) { return Object.fromEntries(this.hashes.get(key) ?? []); }
  async hdel(key: string, field: string) { this.hashes.get(key)?.delete(field); }
  async del(keys: string[]) { for (const k of keys) { this.hashes.delete(k); this.zsets.delete(k); } }
  async zadd(key: string, member: string, score: number, dropBelow: number) {
    const z = this.zsets.get(key) ?? new Map<string, number>();
    z.set(member, score);
    for (const [m, sc] of z) if (sc < dropBelow) z.delete(m);
    this.zsets.set(key, z);
  }
  async zrangeByScore(key: string, min: number, max: number, limit: number) {
    return [...(this.zsets.get(key) ?? [])].filter(([, s]) => s >= min && s <= max).sort((a, b) => a[1] - b[1]).slice(0, limit).map(([m]) => m);
  }
  async zrem(key: string, member: string) { this.zsets.get(key)?.delete(member); }
}

const INDEX = 'tl:tx:index';

// KEYS: entries hash, summary hash (same hash tag). ARGV: ttl, channel, now, then field/value pairs.
const APPEND_TURN = `
local n = #ARGV
if n > 3 then
  local pairs = {}
  for i = 4, n do pairs[#pairs + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(pairs))
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
redis.call('HSETNX', KEYS[2], 'first', ARGV[3])
redis.call('HSET', KEYS[2], 'channel', ARGV[2], 'last', ARGV[3])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))
return 1`;

/** The index is trimmed and its TTL refreshed at most this often per process (not on every turn). */
const INDEX_MAINTENANCE_MS = 60_000;

export class EncryptedTranscriptStore {
  #lastMaintenance = 0;
  readonly #indexed = new Map<string, number>();
  constructor(
    private readonly backend: HashBackend,
    private readonly keys: DataKeyService,
    private readonly opts: { ttlSeconds: number; maxEnvelopeBytes: number },
  ) {}

  #entriesKey(c: string) { return `tl:tx:{${c}}`; }
  #metaKey(c: string) { return `tl:txm:{${c}}`; }
  #tokensKey(c: string) { return `tl:tok:{${c}}`; }
  #ad(c: string, field: string) { return `tx/${c}/${field}`; }

  async append(ref: ConversationRef, entries: TranscriptEntry[], tokens: TokenEntry[] = [], now = new Date()): Promise<void> {
    if (entries.length === 0) return;
    const dk = await this.keys.keyForWrite(ref.keyOwner);
    const fields: Record<string, string> = {};
    for (const e of entries) fields[e.id] = sealEnvelope(dk.key, dk.kid, this.#ad(ref.conversation, e.id), Buffer.from(JSON.stringify(e), 'utf8'));
    const maintain = now.getTime() - this.#lastMaintenance > INDEX_MAINTENANCE_MS;
    if (maintain) this.#lastMaintenance = now.getTime();
    // The index orders conversations by last activity for compliance search; a minute's precision is enough, so each
    // conversation's score is refreshed at most once a minute per instance (not on every turn).
    const lastIndexed = this.#indexed.get(ref.conversation);
    const touchIndex = maintain || lastIndexed === undefined || now.getTime() - lastIndexed > INDEX_MAINTENANCE_MS;
    if (touchIndex) {
      if (this.#indexed.size >= 50_000) this.#indexed.clear();
      this.#indexed.set(ref.conversation, now.getTime());
    }
    // Issued in one tick: node-redis pipelines them into one round trip.
    const writes: Promise<void>[] = [
      this.backend.appendTurn(this.#entriesKey(ref.conversation), this.#metaKey(ref.conversation), fields, { channel: ref.channelId.slice(0, 64), now: now.toISOString() }, this.opts.ttlSeconds),
    ];
    if (touchIndex) writes.push(this.backend.zadd(INDEX, ref.conversation, now.getTime(), now.getTime() - this.opts.ttlSeconds * 1000, this.opts.ttlSeconds, maintain));
    if (tokens.length) {
      const sealed: Record<string, string> = {};
      for (const t of tokens) sealed[t.token] = sealEnvelope(dk.key, dk.kid, `tok/${ref.conversation}/${t.token}`, Buffer.from(JSON.stringify({ type: t.type, value: t.value }), 'utf8'));
      writes.push(this.backend.hset(this.#tokensKey(ref.conversation), sealed, this.opts.ttlSeconds));
    }
    await Promise.all(writes);
  }

  /** Teams edits: the stored entry is replaced by the redacted new version; false when there was none. */
  async replace(ref: ConversationRef, entry: TranscriptEntry): Promise<boolean> {
    const dk = await this.keys.keyForWrite(ref.keyOwner);
    const env = sealEnvelope(dk.key, dk.kid, this.#ad(ref.conversation, entry.id), Buffer.from(JSON.stringify({ ...entry, edited: true }), 'utf8'));
    return this.backend.hsetIfExists(this.#entriesKey(ref.conversation), entry.id, env);
  }

  async remove(ref: Pick<ConversationRef, 'conversation'>, entryId: string): Promise<void> {
    await this.backend.hdel(this.#entriesKey(ref.conversation), entryId);
  }

  /**
   * Entries in order. An entry that does not open (tampered, moved, oversized, key destroyed) is left out, counted,
   * and reported as a security event naming the conversation's pseudonym (CR-3).
   */
  async list(conversation: string): Promise<{ entries: TranscriptEntry[]; unreadable: number }> {
    const raw = await this.backend.hgetall(this.#entriesKey(conversation));
    const entries: TranscriptEntry[] = [];
    let unreadable = 0;
    for (const [field, env] of Object.entries(raw)) {
      try {
        const h = readEnvelopeHeader(env, this.opts.maxEnvelopeBytes);
        if (!ownerOfKid(h.kid)) throw new GuardError('ERR_CRYPTO_DECRYPT');
        const key = await this.keys.keyForRead(h.kid);
        const e = JSON.parse(Buffer.from(openEnvelope(key, h, this.#ad(conversation, field))).toString('utf8')) as TranscriptEntry;
        if (e.id !== field) throw new GuardError('ERR_CRYPTO_DECRYPT');
        entries.push(e);
      } catch (err) {
        if (reportOpenFailure(this.keys.onSecurityEvent, err, { dataClass: 'transcript', owner: conversation })) throw err;
        unreadable++;
      }
    }
    entries.sort((a, b) => a.seq - b.seq || a.timestamp.localeCompare(b.timestamp));
    return { entries, unreadable };
  }

  async summary(conversation: string): Promise<ConversationSummary | undefined> {
    const [meta, raw] = await Promise.all([this.backend.hgetall(this.#metaKey(conversation)), this.backend.hgetall(this.#entriesKey(conversation))]);
    if (!meta.channel) return undefined;
    return { conversation, channelId: meta.channel, first: meta.first ?? '', last: meta.last ?? '', entries: Object.keys(raw).length };
  }

  /** Conversations with activity in [since, until], oldest first. Entries whose keys expired are skipped. */
  async listConversations(since: Date, until: Date, limit = 500): Promise<ConversationSummary[]> {
    const ids = await this.backend.zrangeByScore(INDEX, since.getTime(), until.getTime(), limit);
    const out: ConversationSummary[] = [];
    for (const id of ids) {
      const s = await this.summary(id);
      if (s) out.push(s);
      else await this.backend.zrem(INDEX, id);
    }
    return out;
  }

  async deleteConversation(conversation: string): Promise<void> {
    await this.backend.del([this.#entriesKey(conversation), this.#metaKey(conversation), this.#tokensKey(conversation)]);
    await this.backend.zrem(INDEX, conversation);
  }
}
