/**
 * Handoff records in Redis (DESIGN.md section 4, prefix `tl:handoff`-family `tl:ho:`). Every per-conversation key is
 * named by the conversation's keyed-hash owner id `c` (the same id the transcript store uses), hash-tagged `{c}` so
 * one conversation's keys share a cluster slot, carries the handoff retention as TTL, and is either PII-free or an
 * AEAD envelope sealed under the conversation owner's data key (the conversation, or the verified subject) with the
 * storage key as associated data. So erasure finds every record from the conversation id alone, and crypto-shredding
 * the owner's key makes copies in snapshots unreadable.
 *
 *   tl:ho:{c}          hash    state, agent id, times, reason, intent, verification flag, language, channel word,
 *                              queue entry id; `ref` (sealed conversation reference) and `owner` (key owner id)
 *   tl:ho:msg:{c}      stream  relayed messages, each sealed: {role, text (redacted), tokens: [{token, type}], at}
 *   tl:ho:tok:{c}      hash    reveal token -> sealed {type, value}
 *   tl:ho:rev:{c}      stream  reveal records, each sealed: {staff, token, type, purpose, reason (redacted), at}
 *   tl:ho:queue        stream  PII-free queue entries {c, at}; removed at claim, cancel or end; trimmed by age
 *   tl:ho:reveals      stream  PII-free reveal index {c, staff, token, type, purpose, at} for supervisors
 */
import type { RedisClientType } from 'redis';
import type { ConversationReference } from 'botbuilder';
import type { DataKeyService } from '../guards/crypto/dataKeys.js';
import { ownerOfKid } from '../guards/crypto/dataKeys.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../guards/crypto/envelope.js';
import { GuardError } from '../guards/errors.js';
import { storageError } from '../guards/storage/redisClient.js';
import { reportOpenFailure } from '../guards/crypto/securityEvents.js';

export type HandoffState = 'queued' | 'offered' | 'followup' | 'assigned' | 'ended';
export type EscalationReason = 'request' | 'misses' | 'lockout' | 'frustration';

export interface HandoffMeta {
  c: string;
  state: HandoffState;
  agent?: string;
  queuedAt: number;
  claimedAt?: number;
  endedAt?: number;
  reason: EscalationReason;
  intent: string;
  verified: boolean;
  lang: string;
  channel: string;
  entry?: string;
  followup?: 'callback' | 'email';
  outcome?: string;
}

export interface RelayedMessage {
  id: string;
  role: 'user' | 'agent' | 'system';
  /** Redacted text; revealable values appear as `[TOKEN:...]`, listed with their type in `tokens`. */
  text: string;
  tokens: { token: string; type: string }[];
  at: string;
}

export interface RevealRecord {
  id: string;
  c: string;
  staff: string;
  token: string;
  type: string;
  purpose: string;
  /** The agent's typed reason, redacted. */
  reason: string;
  at: string;
}

export const QUEUE_KEY = 'tl:ho:queue';
export const REVEAL_INDEX_KEY = 'tl:ho:reveals';
const C = /^c_[A-Za-z0-9_-]{22}$/;

export function isConversationId(c: unknown): c is string {
  return typeof c === 'string' && C.test(c);
}

// Creates or re-opens the record only if there is no live handoff; returns 1 when created, 0 when one is live.
const OPEN = `local s = redis.call('HGET', KEYS[1], 'state')
if s == 'queued' or s == 'offered' or s == 'assigned' then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;
// Compare-and-set of the state: ARGV[1] = allowed current states (comma list), ARGV[2] = required agent ('' = any),
// then field/value pairs to set. Returns 1 when applied.
const TRANSITION = `local s = redis.call('HGET', KEYS[1], 'state')
if not s then return 0 end
local ok = false
for st in string.gmatch(ARGV[1], '[^,]+') do if st == s then ok = true end end
if not ok then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'agent') ~= ARGV[2] then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`;

export class HandoffStore {
  readonly #r: RedisClientType;
  readonly #keys: DataKeyService;
  readonly #ttl: number;
  readonly #max: number;

  constructor(o: { redis: RedisClientType; keys: DataKeyService; retentionSeconds: number; maxEnvelopeBytes: number }) {
    this.#r = o.redis;
    this.#keys = o.keys;
    this.#ttl = o.retentionSeconds;
    this.#max = o.maxEnvelopeBytes;
  }

  get retentionSeconds(): number { return this.#ttl; }

  static keysOf(c: string): { meta: string; messages: string; tokens: string; reveals: string } {
    return { meta: `tl:ho:{${c}}`, messages: `tl:ho:msg:{${c}}`, tokens: `tl:ho:tok:{${c}}`, reveals: `tl:ho:rev:{${c}}` };
  }

  async #seal(owner: string, ad: string, value: unknown): Promise<string> {
    const dk = await this.#keys.keyForWrite(owner);
    return sealEnvelope(dk.key, dk.kid, ad, Buffer.from(JSON.stringify(value), 'utf8'));
  }

  /**
   * Opens one sealed record of conversation `c`. A record that does not open (tampered, moved, oversized, key
   * destroyed) is reported as a security event naming the conversation's pseudonym (CR-3) and rethrown; callers
   * leave it out. Storage outages are rethrown unreported.
   */
  async #open<T>(c: string, env: string, ad: string): Promise<T> {
    try {
      const h = readEnvelopeHeader(env, this.#max);
      if (!ownerOfKid(h.kid)) throw new GuardError('ERR_CRYPTO_DECRYPT');
      const key = await this.#keys.keyForRead(h.kid);
      return JSON.parse(Buffer.from(openEnvelope(key, h, ad)).toString('utf8')) as T;
    } catch (err) {
      reportOpenFailure(this.#keys.onSecurityEvent, err, { dataClass: 'handoff', owner: c });
      throw err;
    }
  }

  static #unavailable(err: unknown): boolean {
    const code = (err as GuardError)?.code;
    return code === 'ERR_STORAGE_UNAVAILABLE' || code === 'ERR_STORAGE_TIMEOUT';
  }

  async #do<T>(fn: () => Promise<T>): Promise<T> {
    try { return await fn(); } catch (e) { throw storageError(e); }
  }

  /** Opens a handoff; false when one is already live for this conversation (queued, offered or assigned). */
  async open(meta: Omit<HandoffMeta, 'entry' | 'state'>, owner: string, ref: Partial<ConversationReference>): Promise<boolean> {
    const k = HandoffStore.keysOf(meta.c);
    const sealedRef = await this.#seal(owner, `ho-ref/${meta.c}`, ref);
    const fields: Record<string, string> = {
      state: 'queued', queuedAt: String(meta.queuedAt), reason: meta.reason, intent: meta.intent, verified: meta.verified ? '1' : '0',
      lang: meta.lang, channel: meta.channel, owner, ref: sealedRef,
    };
    const args = [String(this.#ttl), ...Object.entries(fields).flat()];
    const created = await this.#do(() => this.#r.eval(OPEN, { keys: [k.meta], arguments: args }));
    if (created !== 1) return false;
    const entry = await this.#do(() => this.#r.xAdd(QUEUE_KEY, '*', { c: meta.c, at: String(meta.queuedAt) }));
    await this.#do(async () => {
      await this.#r.hSet(k.meta, 'entry', entry);
      // The queue stream is PII-free; its key lives as long as handoffs are opened, entries go at claim or by age.
      await this.#r.expire(QUEUE_KEY, this.#ttl);
      await this.#r.xTrim(QUEUE_KEY, 'MINID', String(meta.queuedAt - this.#ttl * 1000));
    });
    return true;
  }

  async meta(c: string): Promise<HandoffMeta | undefined> {
    if (!isConversationId(c)) return undefined;
    const h = await this.#do(() => this.#r.hGetAll(HandoffStore.keysOf(c).meta));
    if (!h.state) return undefined;
    return {
      c, state: h.state as HandoffState, queuedAt: Number(h.queuedAt), reason: (h.reason ?? 'request') as EscalationReason, intent: h.intent ?? 'none',
      verified: h.verified === '1', lang: h.lang ?? 'en', channel: h.channel ?? 'other',
      ...(h.agent ? { agent: h.agent } : {}), ...(h.claimedAt ? { claimedAt: Number(h.claimedAt) } : {}), ...(h.endedAt ? { endedAt: Number(h.endedAt) } : {}),
      ...(h.entry ? { entry: h.entry } : {}), ...(h.followup ? { followup: h.followup as 'callback' | 'email' } : {}), ...(h.outcome ? { outcome: h.outcome } : {}),
    };
  }

  /** Only the state, for the per-turn check of the guard (one small round trip). */
  async state(c: string): Promise<HandoffState | undefined> {
    const s = await this.#do(() => this.#r.hGet(HandoffStore.keysOf(c).meta, 'state'));
    return (s ?? undefined) as HandoffState | undefined;
  }

  async field(c: string, name: 'keep' | 'cut' | 'owner'): Promise<string | undefined> {
    return (await this.#do(() => this.#r.hGet(HandoffStore.keysOf(c).meta, name))) ?? undefined;
  }

  /** Relayed messages and their tokens go when the handoff ends without consent to keep transcripts. */
  async dropMessages(c: string): Promise<void> {
    const k = HandoffStore.keysOf(c);
    await this.#do(() => this.#r.del([k.messages, k.tokens]));
  }

  async owner(c: string): Promise<string | undefined> {
    return (await this.#do(() => this.#r.hGet(HandoffStore.keysOf(c).meta, 'owner'))) ?? undefined;
  }

  /** The sealed conversation reference; undefined when there is none or it does not open (reported, CR-3). */
  async reference(c: string): Promise<Partial<ConversationReference> | undefined> {
    const env = await this.#do(() => this.#r.hGet(HandoffStore.keysOf(c).meta, 'ref'));
    if (!env) return undefined;
    try {
      return await this.#open<Partial<ConversationReference>>(c, env, `ho-ref/${c}`);
    } catch (err) {
      if (HandoffStore.#unavailable(err)) throw err;
      return undefined;
    }
  }

  /** Compare-and-set of the state. `agent` = the agent who must own it ('' = anyone). */
  async transition(c: string, from: HandoffState[], agent: string, set: Record<string, string>): Promise<boolean> {
    if (!isConversationId(c)) return false;
    const r = await this.#do(() => this.#r.eval(TRANSITION, { keys: [HandoffStore.keysOf(c).meta], arguments: [from.join(','), agent, ...Object.entries(set).flat()] }));
    return r === 1;
  }

  async removeFromQueue(_c: string, entry: string | undefined): Promise<void> {
    if (!entry) return;
    await this.#do(() => this.#r.xDel(QUEUE_KEY, entry));
  }

  /** Queue entries in arrival order (PII-free: conversation id and time). */
  async queueEntries(limit = 200): Promise<{ entry: string; c: string; at: number }[]> {
    const rows = await this.#do(() => this.#r.xRange(QUEUE_KEY, '-', '+', { COUNT: limit })) ?? [];
    return rows.filter((r) => isConversationId(r.message.c)).map((r) => ({ entry: r.id, c: r.message.c!, at: Number(r.message.at) }));
  }

  async queueLength(): Promise<number> {
    return this.#do(() => this.#r.xLen(QUEUE_KEY));
  }

  /** Appends a relayed message (sealed) and the reveal tokens it produced (sealed); returns its stream id. */
  async addMessage(c: string, owner: string, m: Omit<RelayedMessage, 'id'>, tokens: { token: string; type: string; value: string }[]): Promise<string> {
    const k = HandoffStore.keysOf(c);
    const seq = await this.#do(() => this.#r.hIncrBy(k.meta, 'seq', 1));
    const env = await this.#seal(owner, `ho-msg/${c}/${seq}`, m);
    const sealedTokens: Record<string, string> = {};
    for (const t of tokens) sealedTokens[t.token] = await this.#seal(owner, `ho-tok/${c}/${t.token}`, { type: t.type, value: t.value });
    return this.#do(async () => {
      const id = await this.#r.xAdd(k.messages, '*', { seq: String(seq), env });
      await this.#r.expire(k.messages, this.#ttl);
      if (tokens.length) {
        await this.#r.hSet(k.tokens, sealedTokens);
        await this.#r.expire(k.tokens, this.#ttl);
      }
      return id;
    });
  }

  /** Messages after `afterId` (exclusive; '-' = all). An entry that does not open is left out. */
  async messages(c: string, afterId = '-'): Promise<RelayedMessage[]> {
    const k = HandoffStore.keysOf(c);
    const rows = await this.#do(() => this.#r.xRange(k.messages, afterId === '-' ? '-' : `(${afterId}`, '+', { COUNT: 1000 })) ?? [];
    const out: RelayedMessage[] = [];
    for (const row of rows) {
      try {
        const m = await this.#open<Omit<RelayedMessage, 'id'>>(c, row.message.env ?? '', `ho-msg/${c}/${row.message.seq}`);
        out.push({ ...m, id: row.id });
      } catch (err) {
        if (HandoffStore.#unavailable(err)) throw err;
      }
    }
    return out;
  }

  async tokenValue(c: string, token: string): Promise<{ type: string; value: string } | undefined> {
    const env = await this.#do(() => this.#r.hGet(HandoffStore.keysOf(c).tokens, token));
    if (!env) return undefined;
    try {
      return await this.#open<{ type: string; value: string }>(c, env, `ho-tok/${c}/${token}`);
    } catch (err) {
      if (HandoffStore.#unavailable(err)) throw err;
      return undefined;
    }
  }

  async addReveal(c: string, owner: string, r: Omit<RevealRecord, 'id' | 'c'>): Promise<string> {
    const k = HandoffStore.keysOf(c);
    const seq = await this.#do(() => this.#r.hIncrBy(k.meta, 'seq', 1));
    const env = await this.#seal(owner, `ho-rev/${c}/${seq}`, r);
    return this.#do(async () => {
      const id = await this.#r.xAdd(k.reveals, '*', { seq: String(seq), env });
      await this.#r.expire(k.reveals, this.#ttl);
      const idx = await this.#r.xAdd(REVEAL_INDEX_KEY, '*', { c, rec: id, staff: r.staff, token: r.token.replace(/\W/g, '').slice(0, 32), type: r.type, purpose: r.purpose, at: r.at });
      await this.#r.hSet(k.meta, `ri:${idx}`, '1');
      await this.#r.expire(REVEAL_INDEX_KEY, this.#ttl);
      await this.#r.xTrim(REVEAL_INDEX_KEY, 'MINID', String(Date.parse(r.at) - this.#ttl * 1000));
      return id;
    });
  }

  async reveals(c: string): Promise<RevealRecord[]> {
    const rows = await this.#do(() => this.#r.xRange(HandoffStore.keysOf(c).reveals, '-', '+', { COUNT: 1000 })) ?? [];
    const out: RevealRecord[] = [];
    for (const row of rows) {
      try {
        out.push({ ...(await this.#open<Omit<RevealRecord, 'id' | 'c'>>(c, row.message.env ?? '', `ho-rev/${c}/${row.message.seq}`)), id: row.id, c });
      } catch (err) {
        if (HandoffStore.#unavailable(err)) throw err;
      }
    }
    return out;
  }

  /** The latest reveals over every conversation, newest first (reasons opened from the per-conversation records). */
  async recentReveals(limit = 100): Promise<RevealRecord[]> {
    const rows = await this.#do(() => this.#r.xRevRange(REVEAL_INDEX_KEY, '+', '-', { COUNT: limit })) ?? [];
    const out: RevealRecord[] = [];
    const cache = new Map<string, RevealRecord[]>();
    for (const row of rows) {
      const c = row.message.c;
      if (!isConversationId(c)) continue;
      if (!cache.has(c)) cache.set(c, await this.reveals(c));
      const rec = cache.get(c)!.find((x) => x.id === row.message.rec);
      // A record whose conversation was erased (or expired) is listed without its reason.
      out.push(rec ?? { id: row.message.rec ?? '', c, staff: row.message.staff ?? '', token: row.message.token ?? '', type: row.message.type ?? '', purpose: row.message.purpose ?? '', reason: '', at: row.message.at ?? '' });
    }
    return out;
  }

  /** Every handoff record of one conversation, opened (data-subject export). */
  async exportConversation(c: string): Promise<{ meta: HandoffMeta | undefined; messages: RelayedMessage[]; reveals: RevealRecord[] }> {
    return { meta: await this.meta(c), messages: await this.messages(c), reveals: await this.reveals(c) };
  }

  /** Deletes every handoff record of one conversation, including its queue and reveal-index entries (erasure). */
  async eraseConversation(c: string): Promise<void> {
    if (!isConversationId(c)) return;
    const k = HandoffStore.keysOf(c);
    const h = await this.#do(() => this.#r.hGetAll(k.meta));
    await this.#do(async () => {
      if (h.entry) await this.#r.xDel(QUEUE_KEY, h.entry);
      const idx = Object.keys(h).filter((f) => f.startsWith('ri:')).map((f) => f.slice(3));
      if (idx.length) await this.#r.xDel(REVEAL_INDEX_KEY, idx);
      await this.#r.del([k.meta, k.messages, k.tokens, k.reveals]);
    });
  }
}
