/**
 * Small sealed values for the data-subject machinery: JSON sealed under one owner's data key with the place it is
 * stored at as associated data (DESIGN.md invariant 3), so a value copied elsewhere does not open.
 */
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../crypto/envelope.js';
import { ownerOfKid, type DataKeyService } from '../crypto/dataKeys.js';
import { GuardError } from '../errors.js';
import { reportOpenFailure, type SecurityEventSink } from '../crypto/securityEvents.js';

export async function sealJson(keys: DataKeyService, owner: string, ad: string, value: unknown): Promise<string> {
  const dk = await keys.keyForWrite(owner);
  return sealEnvelope(dk.key, dk.kid, ad, Buffer.from(JSON.stringify(value), 'utf8'));
}

/**
 * Opens a value sealed by `sealJson`; `owner` must be the owner that sealed it (else it is refused unopened). A
 * value that does not open is reported as a security event (`dsr`, naming `owner`, CR-3) and the error rethrown.
 */
export async function openJson<T>(keys: DataKeyService, owner: string, ad: string, env: string, maxBytes = 1 << 20): Promise<T> {
  try {
    if (typeof env !== 'string') throw new GuardError('ERR_CRYPTO_DECRYPT');
    const h = readEnvelopeHeader(env, maxBytes);
    if (ownerOfKid(h.kid) !== owner) throw new GuardError('ERR_CRYPTO_DECRYPT');
    const key = await keys.keyForRead(h.kid);
    return JSON.parse(Buffer.from(openEnvelope(key, h, ad)).toString('utf8')) as T;
  } catch (err) {
    reportOpenFailure(keys.onSecurityEvent, err, { dataClass: 'dsr', owner });
    throw err;
  }
}

/** Plain (PII-free) JSON records of the request machinery are a few kB; a longer value is refused unparsed. */
export const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Parses a stored JSON record. Oversized (CR-6) or malformed = written by someone else: reported as a security
 * event of the `dsr` class and answered `undefined`, which every caller treats as "no such record" (fail closed).
 */
export function parseRecord<T>(text: string | null | undefined, sink: SecurityEventSink | undefined, owner?: string): T | undefined {
  if (text == null) return undefined;
  try {
    if (text.length > MAX_RECORD_CHARS) throw new GuardError('ERR_CRYPTO_ENVELOPE_TOO_LARGE');
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new GuardError('ERR_CRYPTO_DECRYPT');
    return v as T;
  } catch (err) {
    reportOpenFailure(sink, err instanceof GuardError ? err : new GuardError('ERR_CRYPTO_DECRYPT', { cause: err }), { dataClass: 'dsr', ...(owner ? { owner } : {}) });
    return undefined;
  }
}
