/**
 * Small sealed values for the data-subject machinery: JSON sealed under one owner's data key with the place it is
 * stored at as associated data (DESIGN.md invariant 3), so a value copied elsewhere does not open.
 */
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../crypto/envelope.js';
import { ownerOfKid, type DataKeyService } from '../crypto/dataKeys.js';
import { GuardError } from '../errors.js';

export async function sealJson(keys: DataKeyService, owner: string, ad: string, value: unknown): Promise<string> {
  const dk = await keys.keyForWrite(owner);
  return sealEnvelope(dk.key, dk.kid, ad, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Opens a value sealed by `sealJson`; `owner` must be the owner that sealed it (else it is refused unopened). */
export async function openJson<T>(keys: DataKeyService, owner: string, ad: string, env: string, maxBytes = 1 << 20): Promise<T> {
  const h = readEnvelopeHeader(env, maxBytes);
  if (ownerOfKid(h.kid) !== owner) throw new GuardError('ERR_CRYPTO_DECRYPT');
  const key = await keys.keyForRead(h.kid);
  return JSON.parse(Buffer.from(openEnvelope(key, h, ad)).toString('utf8')) as T;
}
