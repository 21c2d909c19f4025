/**
 * Wraps any botbuilder `Storage` so that every value is an AEAD envelope (DESIGN.md invariants 1 and 3). The eTag
 * stays outside the envelope so the inner store can compare-and-set without the key.
 */
import type { Storage, StoreItems } from 'botbuilder';
import { GuardError, isGuardError } from '../errors.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../crypto/envelope.js';
import { ownerOfKid, type DataKeyService } from '../crypto/dataKeys.js';
import { isStorageFailure, reportOpenFailure, type DataClass, type SecurityEventSink } from '../crypto/securityEvents.js';

export type { SecurityEventSink } from '../crypto/securityEvents.js';

/** Decides which owner's data key seals a storage key (conversation, channel user, later the verified subject). */
export interface OwnerResolver {
  ownerOf(storageKey: string): string | Promise<string>;
  /**
   * Optional: may a value of `storageKey` sealed under `owner`'s key be opened? Default: `owner === ownerOf(key)`.
   * The subject resolver (guards/identity) accepts the conversation's own key and the subject linked to it, so the
   * value written before verification still opens after the link (it is re-sealed under the subject at next write).
   */
  mayOpen?(storageKey: string, owner: string): boolean | Promise<boolean>;
}


interface SealedItem { env: string; eTag?: string }

export class EncryptedStorage implements Storage {
  readonly #inner: Storage;
  readonly #keys: DataKeyService;
  readonly #owners: OwnerResolver;
  readonly #max: number;
  readonly #onSecurity: SecurityEventSink | undefined;
  readonly #dataClass: DataClass;

  /** `dataClass` names the values in security events (`state` by default; the consent ledger says `consent`). */
  constructor(inner: Storage, keys: DataKeyService, owners: OwnerResolver, opts: { maxEnvelopeBytes: number; onSecurityEvent?: SecurityEventSink; dataClass?: DataClass }) {
    this.#inner = inner;
    this.#keys = keys;
    this.#owners = owners;
    this.#max = opts.maxEnvelopeBytes;
    this.#onSecurity = opts.onSecurityEvent ?? keys.onSecurityEvent;
    this.#dataClass = opts.dataClass ?? 'state';
  }

  async read(keys: string[]): Promise<StoreItems> {
    let sealed: StoreItems;
    try {
      sealed = await this.#inner.read(keys);
    } catch (err) {
      // The inner store refuses an oversized or malformed value before parsing it (RedisStorage `maxValueChars`).
      if (isGuardError(err) && err.code.startsWith('ERR_CRYPTO_')) {
        reportOpenFailure(this.#onSecurity, err, { dataClass: this.#dataClass, ...(keys.length === 1 ? await this.#ownerForEvent(keys[0]!) : {}) });
      }
      throw err;
    }
    const out: StoreItems = {};
    await Promise.all(Object.entries(sealed).map(async ([k, item]) => {
      out[k] = await this.#open(k, item as SealedItem);
    }));
    return out;
  }

  async #ownerForEvent(storageKey: string): Promise<{ owner?: string }> {
    try { return { owner: await this.#owners.ownerOf(storageKey) }; } catch { return {}; }
  }

  async #open(storageKey: string, item: SealedItem): Promise<Record<string, unknown>> {
    try {
      if (!item || typeof item.env !== 'string') throw new GuardError('ERR_CRYPTO_DECRYPT');
      const header = readEnvelopeHeader(item.env, this.#max);
      // The key id must belong to this key's owner: a relabelled envelope fails here before any key is fetched.
      const kidOwner = ownerOfKid(header.kid);
      const allowed = this.#owners.mayOpen ? await this.#owners.mayOpen(storageKey, kidOwner) : kidOwner === await this.#owners.ownerOf(storageKey);
      if (!allowed) throw new GuardError('ERR_CRYPTO_DECRYPT');
      const key = await this.#keys.keyForRead(header.kid);
      const plain = openEnvelope(key, header, storageKey);
      const value = JSON.parse(Buffer.from(plain).toString('utf8')) as Record<string, unknown>;
      return item.eTag !== undefined ? { ...value, eTag: item.eTag } : value;
    } catch (err) {
      if (isStorageFailure(err)) throw err;
      reportOpenFailure(this.#onSecurity, err, { dataClass: this.#dataClass, ...(await this.#ownerForEvent(storageKey)) });
      throw isGuardError(err) && err.code !== 'ERR_CRYPTO_KEY_UNKNOWN' ? err : new GuardError('ERR_CRYPTO_DECRYPT', { cause: err });
    }
  }

  async write(changes: StoreItems): Promise<void> {
    const sealed: StoreItems = {};
    await Promise.all(Object.entries(changes).map(async ([k, item]) => {
      const { eTag, ...rest } = (item ?? {}) as { eTag?: string };
      const owner = await this.#owners.ownerOf(k);
      const dk = await this.#keys.keyForWrite(owner);
      const env = sealEnvelope(dk.key, dk.kid, k, Buffer.from(JSON.stringify(rest), 'utf8'));
      const out: SealedItem = { env };
      if (eTag !== undefined) out.eTag = eTag;
      sealed[k] = out;
    }));
    await this.#inner.write(sealed);
  }

  delete(keys: string[]): Promise<void> {
    return this.#inner.delete(keys);
  }
}

/**
 * botbuilder state keys are `<channelId>/conversations/<conversationId>` and `<channelId>/users/<userId>`; each is
 * sealed under its conversation's or channel user's key. Any other key gets an owner of its own.
 */
export class BotStateOwnerResolver implements OwnerResolver {
  readonly #conv: (channelId: string, conversationId: string) => string;
  readonly #user: (channelId: string, userId: string) => string;
  readonly #other: (key: string) => string;
  constructor(p: { conversationOwner(c: string, id: string): string; userOwner(c: string, id: string): string; hash(d: string, v: string): string }) {
    this.#conv = (c, id) => p.conversationOwner(c, id);
    this.#user = (c, id) => p.userOwner(c, id);
    this.#other = (k) => `k_${p.hash('key', k)}`;
  }
  ownerOf(storageKey: string): string {
    const i = storageKey.indexOf('/');
    if (i > 0) {
      const channel = storageKey.slice(0, i);
      // botbuilder appends `/<namespace>`; Trustline uses the default empty namespace, so one trailing '/' goes.
      const rest = storageKey.endsWith('/') ? storageKey.slice(i + 1, -1) : storageKey.slice(i + 1);
      if (rest.startsWith('conversations/')) return this.#conv(channel, rest.slice('conversations/'.length));
      if (rest.startsWith('users/')) return this.#user(channel, rest.slice('users/'.length));
    }
    return this.#other(storageKey);
  }
}
