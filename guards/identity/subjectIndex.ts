/**
 * The subject index (DESIGN.md invariants 3-4): subject -> its random pseudonym, its data-key owner and every
 * conversation linked to it; conversation -> subject. Erasure reads it instead of scanning. The pseudonym and the
 * owner id are random (not derived from the customer number), so once the index entry and the keys are destroyed
 * nothing links audit entries or old snapshots back to the person.
 *
 * Redis layout (one hash tag per subject, so the link script touches one cluster slot):
 *   tl:idx:s:{H}     hash  { p: pseudonym, o: owner }       H = keyed hash of the customer number
 *   tl:idx:s:{H}:c   set   conversation owners linked to the subject
 *   tl:idx:c:{C}     string subject owner                  C = the conversation's owner id (already a keyed hash)
 *   tl:idx:s:{H}:r   hash   attachments: field -> sealed reference (data-subject requests: the storage keys and
 *                           owners that belong to the subject, so export and erasure never scan; guards/dsr)
 */
import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { Pseudonymizer } from '../crypto/pseudonym.js';
import { runScript, storageError, type RedisCommands } from '../storage/redisClient.js';
import type { OwnerResolver } from '../storage/encryptedStorage.js';
import { BotStateOwnerResolver } from '../storage/encryptedStorage.js';

export interface SubjectLink {
  /** Random pseudonym of the subject (audit entries, ledgers). */
  pseudonym: string;
  /** Owner id of the subject's data key. */
  owner: string;
}

export interface SubjectIndex {
  /** Creates the subject's entry if needed and links the conversation to it. */
  link(customerNumber: string, conversationOwner: string): Promise<SubjectLink>;
  /** The subject owner a conversation is linked to, if any. */
  subjectOwnerOf(conversationOwner: string): Promise<string | undefined>;
  lookup(customerNumber: string): Promise<SubjectLink | undefined>;
  conversationsOf(customerNumber: string): Promise<string[]>;
  /** Data-subject requests: attach a (sealed, PII-free) reference to the subject's entry; same field = replace. */
  attach(customerNumber: string, field: string, value: string): Promise<void>;
  attachments(customerNumber: string): Promise<Record<string, string>>;
  /** Erasure: the subject's entry, its conversation set, its attachments and every conversation's link are gone. */
  erase(customerNumber: string, conversations: readonly string[]): Promise<void>;
}

const newPseudonym = () => `sp_${randomBytes(16).toString('base64url')}`;
const newOwner = () => `s_${randomBytes(16).toString('base64url')}`;

// KEYS[1] subject hash, KEYS[2] subject's conversation set; ARGV: new pseudonym, new owner, conversation owner, ttl s
const LINK = `
local p = redis.call('HGET', KEYS[1], 'p')
local o = redis.call('HGET', KEYS[1], 'o')
if not p or not o then
  p = ARGV[1]; o = ARGV[2]
  redis.call('HSET', KEYS[1], 'p', p, 'o', o)
end
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
return {p, o}`;

export class RedisSubjectIndex implements SubjectIndex {
  readonly #r: RedisCommands;
  readonly #raw: RedisClientType;
  readonly #p: Pseudonymizer;
  readonly #subjectTtl: number;
  readonly #linkTtl: number;

  /** `subjectTtlSeconds`: as long as the keys it indexes (key retention); `linkTtlSeconds`: state retention. */
  constructor(r: RedisCommands, raw: RedisClientType, pseudonyms: Pseudonymizer, o: { subjectTtlSeconds: number; linkTtlSeconds: number }) {
    this.#r = r;
    this.#raw = raw;
    this.#p = pseudonyms;
    this.#subjectTtl = o.subjectTtlSeconds;
    this.#linkTtl = o.linkTtlSeconds;
  }

  #subjectKey(customerNumber: string): string { return `tl:idx:s:{${this.#p.hash('subject', customerNumber)}}`; }

  async link(customerNumber: string, conversationOwner: string): Promise<SubjectLink> {
    const k = this.#subjectKey(customerNumber);
    try {
      // Subject side first: erasure finds every conversation even if the process dies before the second write.
      const [pseudonym, owner] = (await runScript(this.#r, LINK, [k, `${k}:c`], [newPseudonym(), newOwner(), conversationOwner, String(this.#subjectTtl)])) as [string, string];
      await this.#r.set(`tl:idx:c:{${conversationOwner}}`, owner, { expiration: { type: 'EX', value: this.#linkTtl } });
      return { pseudonym, owner };
    } catch (err) {
      throw storageError(err);
    }
  }

  async subjectOwnerOf(conversationOwner: string): Promise<string | undefined> {
    try {
      return (await this.#r.get(`tl:idx:c:{${conversationOwner}}`)) ?? undefined;
    } catch (err) {
      throw storageError(err);
    }
  }

  async lookup(customerNumber: string): Promise<SubjectLink | undefined> {
    try {
      const [p, o] = await this.#r.hmGet(this.#subjectKey(customerNumber), ['p', 'o']);
      return p && o ? { pseudonym: p, owner: o } : undefined;
    } catch (err) {
      throw storageError(err);
    }
  }

  async conversationsOf(customerNumber: string): Promise<string[]> {
    try {
      return await this.#raw.sMembers(`${this.#subjectKey(customerNumber)}:c`);
    } catch (err) {
      throw storageError(err);
    }
  }

  async attach(customerNumber: string, field: string, value: string): Promise<void> {
    const k = `${this.#subjectKey(customerNumber)}:r`;
    try {
      await Promise.all([this.#raw.hSet(k, field, value), this.#raw.expire(k, this.#subjectTtl)]);
    } catch (err) {
      throw storageError(err);
    }
  }

  async attachments(customerNumber: string): Promise<Record<string, string>> {
    try {
      return await this.#raw.hGetAll(`${this.#subjectKey(customerNumber)}:r`);
    } catch (err) {
      throw storageError(err);
    }
  }

  async erase(customerNumber: string, conversations: readonly string[]): Promise<void> {
    const k = this.#subjectKey(customerNumber);
    try {
      // Links first, the subject entry last: a crash in between leaves the entry, so a rerun still finds them.
      await Promise.all(conversations.map((c) => this.#r.del(`tl:idx:c:{${c}}`)));
      await this.#r.del([k, `${k}:c`, `${k}:r`]);
    } catch (err) {
      throw storageError(err);
    }
  }
}

export class MemorySubjectIndex implements SubjectIndex {
  readonly #subjects = new Map<string, SubjectLink & { conversations: Set<string> }>();
  readonly #links = new Map<string, string>();

  async link(customerNumber: string, conversationOwner: string): Promise<SubjectLink> {
    let s = this.#subjects.get(customerNumber);
    if (!s) {
      s = { pseudonym: newPseudonym(), owner: newOwner(), conversations: new Set() };
      this.#subjects.set(customerNumber, s);
    }
    s.conversations.add(conversationOwner);
    this.#links.set(conversationOwner, s.owner);
    return { pseudonym: s.pseudonym, owner: s.owner };
  }
  async subjectOwnerOf(conversationOwner: string) { return this.#links.get(conversationOwner); }
  async lookup(customerNumber: string) {
    const s = this.#subjects.get(customerNumber);
    return s ? { pseudonym: s.pseudonym, owner: s.owner } : undefined;
  }
  async conversationsOf(customerNumber: string) { return [...(this.#subjects.get(customerNumber)?.conversations ?? [])]; }
  readonly #attached = new Map<string, Map<string, string>>();
  async attach(customerNumber: string, field: string, value: string) {
    const m = this.#attached.get(customerNumber) ?? new Map<string, string>();
    m.set(field, value);
    this.#attached.set(customerNumber, m);
  }
  async attachments(customerNumber: string) { return Object.fromEntries(this.#attached.get(customerNumber) ?? []); }
  async erase(customerNumber: string, conversations: readonly string[]) {
    for (const c of conversations) this.#links.delete(c);
    this.#subjects.delete(customerNumber);
    this.#attached.delete(customerNumber);
  }
}

/**
 * Seals a conversation's state under its subject's key once the conversation is linked (DESIGN.md invariant 3),
 * and under the conversation's own key before. Writes ask `ownerOf`, which answers from a small in-process cache
 * (no Redis round trip per turn: the bench's hot path); reads accept the conversation's own key always, and a
 * subject key only if the index links that subject to this conversation (looked up once, then cached), so the value
 * written just before verification still opens, and another instance that verified the conversation is followed.
 */
export class SubjectOwnerResolver implements OwnerResolver {
  readonly #base: BotStateOwnerResolver;
  readonly #index: SubjectIndex;
  readonly #links = new Map<string, string>();
  readonly #max: number;

  constructor(pseudonyms: Pseudonymizer, index: SubjectIndex, opts: { cacheMax?: number } = {}) {
    this.#base = new BotStateOwnerResolver(pseudonyms);
    this.#index = index;
    this.#max = opts.cacheMax ?? 50_000;
  }

  ownerOf(storageKey: string): string {
    const own = this.#base.ownerOf(storageKey);
    return (own.startsWith('c_') && this.#links.get(own)) || own;
  }

  async mayOpen(storageKey: string, owner: string): Promise<boolean> {
    const own = this.#base.ownerOf(storageKey);
    if (owner === own) return true;
    if (!own.startsWith('c_') || !owner.startsWith('s_')) return false;
    if (this.#links.get(own) === owner) return true;
    const linked = await this.#index.subjectOwnerOf(own);
    if (linked !== owner) return false;
    this.remember(own, linked);
    return true;
  }

  /** Called right after `SubjectIndex.link`: the next write of this conversation is sealed under the subject. */
  remember(conversationOwner: string, subjectOwner: string): void {
    if (this.#links.size >= this.#max && !this.#links.has(conversationOwner)) {
      const oldest = this.#links.keys().next();
      if (!oldest.done) this.#links.delete(oldest.value);
    }
    this.#links.set(conversationOwner, subjectOwner);
  }

  /** Erasure: forget the link (the keys are destroyed separately). */
  forget(conversationOwner: string): void { this.#links.delete(conversationOwner); }
}
