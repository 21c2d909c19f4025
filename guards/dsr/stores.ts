/**
 * Small stores of the data-subject requests, each PII-free or sealed, each with a TTL (RET-1):
 *   tl:dsr:optout:{owner}  opt-out of sale/sharing, per channel user (before verification) and per subject
 *   tl:dsr:x:{h}           export link: h = SHA-256 of the random link token (the token itself is never stored);
 *                          taken with GETDEL, so it works once; expires with the link
 *   tl:dsr:job:{id}        erasure job plan, sealed under a key of its own (`j_<random>`), destroyed at the end
 *   tl:dsr:lock:{id}       one runner per job across instances (SET NX PX)
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { storageError } from '../storage/redisClient.js';
import type { SecurityEventSink } from '../crypto/securityEvents.js';
import { parseRecord } from './sealed.js';

/** Tampered records (CR-3) are reported here; the app passes its security event sink. */
export interface RecordStoreOptions { onSecurityEvent?: SecurityEventSink }

export interface OptOutRecord { at: string; channel: string; receipt: string }

export interface OptOutStore {
  set(owner: string, rec: OptOutRecord): Promise<void>;
  get(owner: string): Promise<OptOutRecord | undefined>;
  delete(owners: readonly string[]): Promise<void>;
}

export class MemoryOptOutStore implements OptOutStore {
  readonly #m = new Map<string, OptOutRecord>();
  async set(owner: string, rec: OptOutRecord) { this.#m.set(owner, { ...rec }); }
  async get(owner: string) { const r = this.#m.get(owner); return r ? { ...r } : undefined; }
  async delete(owners: readonly string[]) { for (const o of owners) this.#m.delete(o); }
}

export class RedisOptOutStore implements OptOutStore {
  constructor(private readonly r: RedisClientType, private readonly ttlSeconds: number, private readonly o: RecordStoreOptions = {}) {}
  #k(owner: string) { return `tl:dsr:optout:{${owner}}`; }
  async set(owner: string, rec: OptOutRecord) {
    try { await this.r.set(this.#k(owner), JSON.stringify(rec), { expiration: { type: 'EX', value: this.ttlSeconds } }); } catch (e) { throw storageError(e); }
  }
  async get(owner: string) {
    let v: string | null;
    try { v = await this.r.get(this.#k(owner)); } catch (e) { throw storageError(e); }
    if (v == null) return undefined;
    // Fail closed for an opt-out: a record that is there but unreadable still means "do not sell or share".
    return parseRecord<OptOutRecord>(v, this.o.onSecurityEvent, owner) ?? { at: '', channel: 'other', receipt: 'unreadable' };
  }
  async delete(owners: readonly string[]) {
    try { await Promise.all(owners.map((o) => this.r.del(this.#k(o)))); } catch (e) { throw storageError(e); }
  }
}

/** What an export link points at: pseudonymous ids and the customer number sealed under the subject's key. */
export interface ExportLinkRecord {
  conversation: string;
  subjectOwner: string;
  pseudonym: string;
  receipt: string;
  expires: number;
  /** The customer number, sealed under the subject's key (erasure shreds it). */
  sealedCustomer: string;
}

export interface ExportLinkStore {
  put(hash: string, rec: ExportLinkRecord, ttlMs: number): Promise<void>;
  /** Returns the record and deletes it in one step: a link works once. */
  take(hash: string): Promise<ExportLinkRecord | undefined>;
  delete(hashes: readonly string[]): Promise<void>;
}

export const newLinkToken = () => randomBytes(32).toString('base64url');
export const linkHash = (token: string) => createHash('sha256').update(`tl-dsr-export\u0000${token}`).digest('base64url');
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class MemoryExportLinkStore implements ExportLinkStore {
  readonly #m = new Map<string, ExportLinkRecord>();
  async put(hash: string, rec: ExportLinkRecord) { this.#m.set(hash, { ...rec }); }
  async take(hash: string) { const r = this.#m.get(hash); this.#m.delete(hash); return r; }
  async delete(hashes: readonly string[]) { for (const h of hashes) this.#m.delete(h); }
}

export class RedisExportLinkStore implements ExportLinkStore {
  constructor(private readonly r: RedisClientType, private readonly o: RecordStoreOptions = {}) {}
  #k(h: string) { return `tl:dsr:x:{${h}}`; }
  async put(hash: string, rec: ExportLinkRecord, ttlMs: number) {
    try { await this.r.set(this.#k(hash), JSON.stringify(rec), { expiration: { type: 'PX', value: Math.max(1, ttlMs) } }); } catch (e) { throw storageError(e); }
  }
  async take(hash: string) {
    let v: string | null;
    try { v = await this.r.getDel(this.#k(hash)); } catch (e) { throw storageError(e); }
    return parseRecord<ExportLinkRecord>(v, this.o.onSecurityEvent);
  }
  async delete(hashes: readonly string[]) {
    try { await Promise.all(hashes.map((h) => this.r.del(this.#k(h)))); } catch (e) { throw storageError(e); }
  }
}

/** The sealed plan of an erasure job and a lock so only one instance runs it at a time. */
export interface JobRecord { owner: string; env: string }

export interface ErasureJobStore {
  put(id: string, rec: JobRecord, ttlSeconds: number): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  delete(id: string): Promise<void>;
  lock(id: string, holder: string, ttlMs: number): Promise<boolean>;
  unlock(id: string, holder: string): Promise<void>;
}

export const jobAd = (id: string) => `tl:dsr:job:{${id}}`;

export class MemoryErasureJobStore implements ErasureJobStore {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #locks = new Map<string, string>();
  async put(id: string, rec: JobRecord) { this.#jobs.set(id, { ...rec }); }
  async get(id: string) { return this.#jobs.get(id); }
  async delete(id: string) { this.#jobs.delete(id); }
  async lock(id: string, holder: string) { if (this.#locks.has(id)) return false; this.#locks.set(id, holder); return true; }
  async unlock(id: string, holder: string) { if (this.#locks.get(id) === holder) this.#locks.delete(id); }
}

export class RedisErasureJobStore implements ErasureJobStore {
  constructor(private readonly r: RedisClientType, private readonly o: RecordStoreOptions = {}) {}
  async put(id: string, rec: JobRecord, ttlSeconds: number) {
    try { await this.r.set(jobAd(id), JSON.stringify(rec), { expiration: { type: 'EX', value: ttlSeconds } }); } catch (e) { throw storageError(e); }
  }
  async get(id: string) {
    let v: string | null;
    try { v = await this.r.get(jobAd(id)); } catch (e) { throw storageError(e); }
    return parseRecord<JobRecord>(v, this.o.onSecurityEvent);
  }
  async delete(id: string) { try { await this.r.del(jobAd(id)); } catch (e) { throw storageError(e); } }
  async lock(id: string, holder: string, ttlMs: number) {
    try { return (await this.r.set(`tl:dsr:lock:{${id}}`, holder, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } })) === 'OK'; } catch (e) { throw storageError(e); }
  }
  async unlock(id: string, holder: string) {
    try {
      await this.r.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", { keys: [`tl:dsr:lock:{${id}}`], arguments: [holder] });
    } catch (e) { throw storageError(e); }
  }
}
