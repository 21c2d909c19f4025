/**
 * Per-conversation tag numbering without plaintext: a value is known only by a truncated keyed HMAC of its
 * normalised form, so the state can sit in conversation storage. Losing the key (a restart with the default random
 * key) only restarts the numbering; it never reveals a value.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { EntityType, TagState } from './types.js';
import { digitsOf, fold } from './text.js';

export function createTagState(): TagState {
  return { v: 1, next: {}, seen: {} };
}

/** Checks a state read back from storage; a malformed one is refused rather than silently reset. */
export function isTagState(x: unknown): x is TagState {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return o.v === 1 && typeof o.next === 'object' && o.next !== null && typeof o.seen === 'object' && o.seen !== null;
}

/** The form two spellings of one value share: digits for numbers, folded letters and digits for the rest. */
export function normaliseValue(type: EntityType, value: string): string {
  switch (type) {
    case 'PHONE': {
      const d = digitsOf(value);
      return d.length >= 9 ? d.slice(-9) : d;
    }
    case 'CREDIT_CARD':
    case 'US_SSN':
    case 'OTP_CODE':
    case 'DATE_OF_BIRTH':
      return digitsOf(value) || fold(value);
    default:
      return fold(value).replace(/[^\p{L}\p{N}@.]+/gu, ' ').trim();
  }
}

/** Tag keys as KeyObjects (createHmac then skips importing the raw key on every call); one per redactor key. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
function keyObject(key: Uint8Array): KeyObject {
  let k = keyObjects.get(key);
  if (!k) { k = createSecretKey(key); keyObjects.set(key, k); }
  return k;
}

export function tagNumber(state: TagState, key: Uint8Array, type: EntityType, value: string): number {
  const mac = createHmac('sha256', keyObject(key)).update(type).update('\0').update(normaliseValue(type, value)).digest('base64url').slice(0, 22);
  const known = state.seen[mac];
  if (known !== undefined) return known;
  const n = (state.next[type] ?? 0) + 1;
  state.next[type] = n;
  state.seen[mac] = n;
  return n;
}
