/**
 * Random data keys per owner (conversation, channel user, later subject), wrapped by the active master key and kept
 * in a key store apart from the data (DESIGN.md invariants 3-4). Random, not derived: a derived key could be
 * re-derived after erasure; a destroyed random key cannot.
 */
import { GuardError } from '../errors.js';
import type { MasterKey } from '../../config.js';
import type { KeyStore, WrappedKeyRecord } from './keyStore.js';
import { aeadOpen, aeadSeal, randomKey, randomNonce, AEAD_NONCE_BYTES } from './sodium.js';
import { reportOpenFailure, type SecurityEventSink } from './securityEvents.js';

export interface DataKey { kid: string; key: Uint8Array }

export interface Clock { now(): number }
export const systemClock: Clock = { now: () => Date.now() };

interface CacheEntry { key: DataKey; until: number }

/** Owners are keyed hashes; a key id is `<owner>.<generation>`. */
export function ownerOfKid(kid: string): string {
  const i = kid.lastIndexOf('.');
  return i > 0 ? kid.slice(0, i) : '';
}

export class DataKeyService {
  readonly #store: KeyStore;
  readonly #masters: Map<string, Uint8Array>;
  readonly #active: string;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #cacheMs: number;
  readonly #cacheMax: number;
  readonly #clock: Clock;
  readonly #onSecurity: SecurityEventSink | undefined;

  constructor(store: KeyStore, masterKeys: readonly MasterKey[], activeVersion: string, opts: { cacheMs?: number; cacheMax?: number; clock?: Clock; onSecurityEvent?: SecurityEventSink } = {}) {
    this.#store = store;
    this.#masters = new Map(masterKeys.map((m) => [m.version, m.key]));
    if (!this.#masters.has(activeVersion)) throw new GuardError('ERR_CONFIG_KEY_MISSING');
    this.#active = activeVersion;
    // Unwrapped keys are cached briefly: an erasure on another instance is final in the key store at once, and
    // this cache lets a stale copy live at most cacheMs (data written with it meanwhile is unreadable anyway).
    this.#cacheMs = opts.cacheMs ?? 60_000;
    this.#cacheMax = opts.cacheMax ?? 20_000;
    this.#clock = opts.clock ?? systemClock;
    this.#onSecurity = opts.onSecurityEvent;
  }

  get activeVersion(): string { return this.#active; }

  /** The app's fail-closed crypto event sink (CR-3); every store that opens envelopes reports through it. */
  get onSecurityEvent(): SecurityEventSink | undefined { return this.#onSecurity; }

  /**
   * The owner's wrapped key record, refused (and reported as key-store tampering) when it does not open or names
   * another owner: a record copied onto another owner's slot would otherwise hand that owner the first one's key.
   */
  async #record(owner: string): Promise<WrappedKeyRecord | undefined> {
    try {
      const rec = await this.#store.get(owner);
      if (rec && ownerOfKid(rec.kid) !== owner) throw new GuardError('ERR_CRYPTO_DECRYPT');
      return rec;
    } catch (err) {
      reportOpenFailure(this.#onSecurity, err, { dataClass: 'key', owner });
      throw err;
    }
  }

  #unwrapFor(owner: string, rec: WrappedKeyRecord): Uint8Array {
    try {
      return this.#unwrap(rec);
    } catch (err) {
      reportOpenFailure(this.#onSecurity, err, { dataClass: 'key', owner });
      throw err;
    }
  }

  #wrapAd(kid: string, mv: string): Uint8Array {
    return Buffer.from(`tl-dk\u0000${mv}\u0000${kid}`, 'utf8');
  }

  #wrap(kid: string, key: Uint8Array, mv: string): string {
    const master = this.#masters.get(mv);
    if (!master) throw new GuardError('ERR_CRYPTO_KEY_UNKNOWN');
    const nonce = randomNonce();
    return Buffer.concat([nonce, aeadSeal(master, nonce, key, this.#wrapAd(kid, mv))]).toString('base64');
  }

  #unwrap(rec: WrappedKeyRecord): Uint8Array {
    const master = this.#masters.get(rec.mv);
    if (!master) throw new GuardError('ERR_CRYPTO_KEY_UNKNOWN');
    const bytes = Buffer.from(rec.wrapped, 'base64');
    try {
      return aeadOpen(master, bytes.subarray(0, AEAD_NONCE_BYTES), bytes.subarray(AEAD_NONCE_BYTES), this.#wrapAd(rec.kid, rec.mv));
    } catch (cause) {
      throw new GuardError('ERR_CRYPTO_DECRYPT', { cause });
    }
  }

  #remember(owner: string, key: DataKey): void {
    if (this.#cache.size >= this.#cacheMax) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(owner, { key, until: this.#clock.now() + this.#cacheMs });
  }

  #cached(owner: string): DataKey | undefined {
    const e = this.#cache.get(owner);
    if (!e) return undefined;
    if (e.until < this.#clock.now()) {
      this.#cache.delete(owner);
      return undefined;
    }
    return e.key;
  }

  /** The owner's current key, created on first use. */
  async keyForWrite(owner: string): Promise<DataKey> {
    const hit = this.#cached(owner);
    if (hit) return hit;
    let rec = await this.#record(owner);
    if (!rec) {
      const kid = `${owner}.1`;
      const key = randomKey();
      rec = await this.#store.putIfAbsent(owner, { kid, mv: this.#active, wrapped: this.#wrap(kid, key, this.#active), created: new Date(this.#clock.now()).toISOString() });
    }
    const dk = { kid: rec.kid, key: this.#unwrapFor(owner, rec) };
    this.#remember(owner, dk);
    return dk;
  }

  /** The key an envelope names; a destroyed or replaced key is `ERR_CRYPTO_KEY_DESTROYED`. */
  async keyForRead(kid: string): Promise<Uint8Array> {
    const owner = ownerOfKid(kid);
    if (!owner) throw new GuardError('ERR_CRYPTO_DECRYPT');
    const hit = this.#cached(owner);
    if (hit && hit.kid === kid) return hit.key;
    const rec = await this.#record(owner);
    if (!rec || rec.kid !== kid) throw new GuardError('ERR_CRYPTO_KEY_DESTROYED');
    const dk = { kid: rec.kid, key: this.#unwrapFor(owner, rec) };
    this.#remember(owner, dk);
    return dk.key;
  }

  /** Crypto-shredding of one owner's key (erasure). */
  async destroy(owner: string): Promise<void> {
    this.#cache.delete(owner);
    await this.#store.destroy(owner);
  }

  forget(owner: string): void { this.#cache.delete(owner); }

  /**
   * Re-wraps every data key not yet under the active master version. Each key is replaced by compare-and-set, so
   * an interrupted run can simply be rerun, and a concurrent writer is never overwritten (CR-5).
   */
  async rotate(onProgress?: (done: number) => void): Promise<{ rewrapped: number; alreadyCurrent: number; failed: number }> {
    let rewrapped = 0; let alreadyCurrent = 0; let failed = 0;
    for await (const [owner, rec] of this.#store.scan()) {
      if (rec.mv === this.#active) { alreadyCurrent++; continue; }
      try {
        const key = this.#unwrap(rec);
        const next: WrappedKeyRecord = { ...rec, mv: this.#active, wrapped: this.#wrap(rec.kid, key, this.#active) };
        if (await this.#store.replaceIf(owner, rec.mv, rec.kid, next)) rewrapped++;
        else alreadyCurrent++;
        this.#cache.delete(owner);
      } catch {
        failed++;
        continue;
      }
      onProgress?.(rewrapped);
    }
    return { rewrapped, alreadyCurrent, failed };
  }

  /**
   * Breach response (compliance): replaces a compromised data key by a fresh random one (next generation, wrapped
   * under the active master) and returns both, so the caller can re-encrypt what the old key sealed. The old key is
   * gone from the store at once; only the caller's copy in memory remains for the re-encryption.
   */
  async replaceKey(owner: string): Promise<{ old: DataKey; next: DataKey } | undefined> {
    const rec = await this.#store.get(owner);
    if (!rec) return undefined;
    const old = { kid: rec.kid, key: this.#unwrap(rec) };
    const gen = Number(rec.kid.slice(rec.kid.lastIndexOf('.') + 1)) || 1;
    const kid = `${owner}.${gen + 1}`;
    const key = randomKey();
    const next: WrappedKeyRecord = { kid, mv: this.#active, wrapped: this.#wrap(kid, key, this.#active), created: new Date(this.#clock.now()).toISOString() };
    if (!(await this.#store.replaceIf(owner, rec.mv, rec.kid, next))) throw new GuardError('ERR_CRYPTO_KEY_UNKNOWN');
    this.#cache.delete(owner);
    return { old, next: { kid, key } };
  }

  async status(): Promise<{ active: string; configured: string[]; byMasterVersion: Record<string, number>; total: number }> {
    const byMasterVersion: Record<string, number> = {};
    let total = 0;
    for await (const [, rec] of this.#store.scan()) {
      byMasterVersion[rec.mv] = (byMasterVersion[rec.mv] ?? 0) + 1;
      total++;
    }
    return { active: this.#active, configured: [...this.#masters.keys()], byMasterVersion, total };
  }
}
