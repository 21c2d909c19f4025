import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Keyed hashes for names: Redis key names, key owners and log ids are derived from channel/user/conversation ids
 * (which can hold phone numbers or emails) with a long-lived purpose key, so `redis-cli --scan` and logs show no
 * identifiers (DESIGN.md section 4). 128 bits, base64url. The domain string separates uses of the same key.
 */
export class Pseudonymizer {
  // A KeyObject: createHmac with one skips importing the raw key on every call (about a third of an HMAC's cost).
  readonly #key: KeyObject;
  constructor(key: Uint8Array) {
    if (key.length < 32) throw new Error('pseudonym key too short');
    this.#key = createSecretKey(Buffer.from(key));
  }

  // The same few ids are hashed several times a turn (key names, owners): a small bounded memo saves the HMACs.
  readonly #memo = new Map<string, string>();
  static readonly MEMO_MAX = 10_000;

  /** `once`: a value hashed only once (an activity's entry id): kept out of the memo, where it would only push out ids that recur. */
  hash(domain: string, value: string, once = false): string {
    const memoKey = !once && value.length <= 512 ? `${domain}\u0000${value}` : undefined;
    if (memoKey) {
      const hit = this.#memo.get(memoKey);
      if (hit !== undefined) return hit;
    }
    const h = createHmac('sha256', this.#key).update(domain).update('\u0000').update(value, 'utf8').digest().subarray(0, 16).toString('base64url');
    if (memoKey) {
      if (this.#memo.size >= Pseudonymizer.MEMO_MAX) this.#memo.delete(this.#memo.keys().next().value!);
      this.#memo.set(memoKey, h);
    }
    return h;
  }

  /** Owner id of a conversation's data (its data key and the keys it seals). */
  conversationOwner(channelId: string, conversationId: string): string {
    return `c_${this.hash('conv', `${channelId}\u0000${conversationId}`)}`;
  }

  userOwner(channelId: string, userId: string): string {
    return `u_${this.hash('user', `${channelId}\u0000${userId}`)}`;
  }
}
