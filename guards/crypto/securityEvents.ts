/**
 * Fail-closed crypto events (CR-3) from every sealed data class: one vocabulary, one classification of open
 * failures, and the sink the composition root turns into log lines and audit-chain entries.
 *
 * A detail names only the data class (a fixed word) and the pseudonymous owner of the storage location that failed
 * to open (never a raw id, never anything read from the tampered value itself: a key id inside a tampered envelope
 * is attacker-chosen).
 */
import { isGuardError } from '../errors.js';

export type SecurityEvent = 'crypto.tamper' | 'crypto.key_destroyed' | 'crypto.oversize';

/** Data classes as fixed words (DESIGN.md section 4). */
export type DataClass = 'state' | 'consent' | 'transcript' | 'transcriptToken' | 'handoff' | 'otp' | 'dsr' | 'key';

export interface SecurityDetail { code: string; owner?: string; dataClass?: DataClass }

/** `owner` is the pseudonymous owner id of the storage location (never a raw id), when it could be resolved. */
export type SecurityEventSink = (event: SecurityEvent, detail: SecurityDetail) => void;

const REPORTED = Symbol.for('trustline.security.reported');

/** Marks an error as reported, so a caller further up (another data class) does not report it again. */
export function markReported<E>(err: E): E {
  if (err && typeof err === 'object') (err as Record<symbol, boolean>)[REPORTED] = true;
  return err;
}

function wasReported(err: unknown): boolean {
  return Boolean(err && typeof err === 'object' && (err as Record<symbol, boolean>)[REPORTED]);
}

/** Storage outages are not tampering: they propagate (fixed "temporarily unavailable" reply, RES-1). */
export function isStorageFailure(err: unknown): boolean {
  return isGuardError(err, 'ERR_STORAGE_UNAVAILABLE') || isGuardError(err, 'ERR_STORAGE_TIMEOUT');
}

/** What an open failure means: oversize (CR-6), a destroyed key (erasure), or anything else = tamper. */
export function classifyOpenFailure(err: unknown): { event: SecurityEvent; code: string } | undefined {
  if (isStorageFailure(err)) return undefined;
  if (isGuardError(err, 'ERR_CRYPTO_ENVELOPE_TOO_LARGE')) return { event: 'crypto.oversize', code: err.code };
  if (isGuardError(err, 'ERR_CRYPTO_KEY_DESTROYED')) return { event: 'crypto.key_destroyed', code: err.code };
  return { event: 'crypto.tamper', code: 'ERR_CRYPTO_DECRYPT' };
}

/**
 * Reports one failure to open a sealed value (once per error); storage outages are not reported. Returns whether
 * the failure is a storage outage (which the caller must rethrow rather than treat as an unreadable value).
 */
export function reportOpenFailure(sink: SecurityEventSink | undefined, err: unknown, where: { dataClass: DataClass; owner?: string }): boolean {
  const c = classifyOpenFailure(err);
  if (!c) return true;
  if (wasReported(err)) return false;
  markReported(err);
  try {
    sink?.(c.event, { code: c.code, dataClass: where.dataClass, ...(where.owner ? { owner: where.owner } : {}) });
  } catch { /* a sink never breaks the fail-closed path */ }
  return false;
}

export interface SecurityAuditLimits {
  /** The same (event, class, owner) is appended at most once per window. */
  windowMs: number;
  /** At most this many security entries per window over all owners; the rest are counted into the next one. */
  maxPerWindow: number;
}

export const DEFAULT_SECURITY_AUDIT_LIMITS: SecurityAuditLimits = Object.freeze({ windowMs: 60_000, maxPerWindow: 100 });

/**
 * Rate limiting for the audit chain: an attacker who can write to Redis (or a broken value read on every turn)
 * must not flood the chain. Within one window an (event, class, owner) triple is appended once; over all owners at
 * most `maxPerWindow` entries; whatever was held back is carried as `count` on the next entry that goes through.
 * Pure and clock-driven (tests move the clock).
 */
export class SecurityEventLimiter {
  readonly #l: SecurityAuditLimits;
  #windowStart = -Infinity;
  #seen = new Set<string>();
  #appended = 0;
  #suppressed = 0;
  constructor(limits: SecurityAuditLimits = DEFAULT_SECURITY_AUDIT_LIMITS) { this.#l = limits; }

  /** undefined = hold back; else the number of events this entry stands for (1 + those held back before it). */
  admit(event: SecurityEvent, detail: SecurityDetail, now: number): number | undefined {
    if (now - this.#windowStart >= this.#l.windowMs) {
      this.#windowStart = now;
      this.#seen = new Set();
      this.#appended = 0;
    }
    const id = `${event}\u0000${detail.dataClass ?? ''}\u0000${detail.owner ?? ''}`;
    if (this.#seen.has(id) || this.#appended >= this.#l.maxPerWindow) {
      this.#suppressed++;
      return undefined;
    }
    this.#seen.add(id);
    this.#appended++;
    const n = 1 + this.#suppressed;
    this.#suppressed = 0;
    return n;
  }
}

/** Base64 length of an envelope of `maxBytes` plus room for the JSON around it: longer replies are refused unparsed. */
export function envelopeChars(maxBytes: number): number {
  return Math.ceil((maxBytes * 4) / 3) + 256;
}
