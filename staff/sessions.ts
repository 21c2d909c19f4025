/**
 * Staff sessions in Redis (ST-2). The cookie holds a random 256-bit id; Redis holds only its SHA-256, so a dump of
 * Redis yields no usable session. A session is first password-only (`mfa = 0`, five minutes to give the TOTP code,
 * reaching nothing but the TOTP step), then replaced by a new id once the second factor is verified (no fixation).
 *
 * Limits: idle and absolute per role (the strictest of the account's roles wins), checked on every request against
 * the injected clock and mirrored in the Redis TTL. Disabling an account deletes every session in its set.
 * Keys: `tl:staff:sess:<sha256>` (hash), `tl:staff:sessions:<staffId>` (set of session hashes).
 *
 * Redis Cluster: a session and its account's set live in different slots (the session is found by the cookie
 * alone, which does not name the account), so no transaction spans both. Each MULTI touches one key, and the
 * order keeps the one property that matters: a session is added to its account's set before it exists and
 * removed from it only after it is gone, so `destroyAll` (disable) can never miss a live session. A failure in
 * between leaves at most a dangling reference in the set, which `destroyAll` deletes harmlessly.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { storageError } from '../guards/storage/redisClient.js';
import type { StaffConfig } from '../config.js';
import type { StaffRole } from './rbac.js';

export interface StaffSession {
  /** Hash of the id (the Redis key suffix); never the id itself. */
  ref: string;
  staffId: string;
  mfa: boolean;
  csrf: string;
  createdAt: number;
  lastSeen: number;
  method: 'password_totp' | 'password';
}

const SID = /^[A-Za-z0-9_-]{43}$/;
export const PRE_MFA_MS = 5 * 60_000;

export interface SessionLimits { idleMs: number; absoluteMs: number }

export function limitsFor(roles: readonly StaffRole[], c: Pick<StaffConfig, 'agentIdleMinutes' | 'agentAbsoluteMinutes' | 'privilegedIdleMinutes' | 'privilegedAbsoluteMinutes'>): SessionLimits {
  const privileged = roles.some((r) => r === 'compliance' || r === 'admin');
  return privileged
    ? { idleMs: Math.min(c.privilegedIdleMinutes, c.agentIdleMinutes) * 60_000, absoluteMs: Math.min(c.privilegedAbsoluteMinutes, c.agentAbsoluteMinutes) * 60_000 }
    : { idleMs: c.agentIdleMinutes * 60_000, absoluteMs: c.agentAbsoluteMinutes * 60_000 };
}

function hashSid(sid: string): string {
  return createHash('sha256').update(sid).digest('base64url');
}

export class StaffSessions {
  readonly #r: RedisClientType;
  readonly #now: () => number;
  constructor(redis: RedisClientType, now: () => number) {
    this.#r = redis;
    this.#now = now;
  }

  #key(ref: string) { return `tl:staff:sess:${ref}`; }
  #set(staffId: string) { return `tl:staff:sessions:${staffId}`; }

  /** Creates a session; returns the cookie value (shown to nobody else, stored nowhere). */
  async create(staffId: string, mfa: boolean, method: StaffSession['method'], limits: SessionLimits): Promise<{ sid: string; session: StaffSession }> {
    const sid = randomBytes(32).toString('base64url');
    const ref = hashSid(sid);
    const now = this.#now();
    const session: StaffSession = { ref, staffId, mfa, csrf: randomBytes(32).toString('base64url'), createdAt: now, lastSeen: now, method };
    const ttl = mfa ? Math.min(limits.idleMs, limits.absoluteMs) : PRE_MFA_MS;
    try {
      await this.#r.multi().sAdd(this.#set(staffId), ref).pExpire(this.#set(staffId), limits.absoluteMs).exec();
      await this.#r.multi()
        .hSet(this.#key(ref), { staffId, mfa: mfa ? '1' : '0', csrf: session.csrf, createdAt: String(now), lastSeen: String(now), method })
        .pExpire(this.#key(ref), ttl)
        .exec();
    } catch (e) { throw storageError(e); }
    return { sid, session };
  }

  /**
   * The live session behind a cookie value, or undefined (missing, malformed, expired by the clock). Expired
   * sessions are deleted on sight. `touch` moves the idle deadline (not for the event stream's heartbeats).
   */
  async get(sid: string | undefined, limits: (staffId: string) => Promise<SessionLimits | undefined>, touch = true): Promise<StaffSession | undefined> {
    if (!sid || !SID.test(sid)) return undefined;
    const ref = hashSid(sid);
    let h: Record<string, string>;
    try { h = await this.#r.hGetAll(this.#key(ref)); } catch (e) { throw storageError(e); }
    if (!h.staffId) return undefined;
    const s: StaffSession = { ref, staffId: h.staffId, mfa: h.mfa === '1', csrf: h.csrf ?? '', createdAt: Number(h.createdAt), lastSeen: Number(h.lastSeen), method: (h.method as StaffSession['method']) ?? 'password' };
    const lim = await limits(s.staffId);
    const now = this.#now();
    const idleMs = s.mfa ? lim?.idleMs ?? 0 : PRE_MFA_MS;
    const absoluteMs = s.mfa ? lim?.absoluteMs ?? 0 : PRE_MFA_MS;
    if (!lim || !Number.isFinite(s.createdAt) || !Number.isFinite(s.lastSeen) || now - s.lastSeen > idleMs || now - s.createdAt > absoluteMs) {
      await this.destroy(s);
      return undefined;
    }
    if (touch && s.mfa) {
      s.lastSeen = now;
      const ttl = Math.max(1000, Math.min(idleMs, absoluteMs - (now - s.createdAt)));
      try { await this.#r.multi().hSet(this.#key(ref), 'lastSeen', String(now)).pExpire(this.#key(ref), ttl).exec(); } catch (e) { throw storageError(e); }
    }
    return s;
  }

  async destroy(s: Pick<StaffSession, 'ref' | 'staffId'>): Promise<void> {
    try {
      await this.#r.del(this.#key(s.ref));
      await this.#r.sRem(this.#set(s.staffId), s.ref);
    } catch (e) { throw storageError(e); }
  }

  /** Ends every session of an account (disable). Returns how many were live. */
  async destroyAll(staffId: string): Promise<number> {
    try {
      const refs = await this.#r.sMembers(this.#set(staffId));
      // One DEL per session (each in its own slot), sent together; the set goes once they are all gone.
      await Promise.all(refs.map((ref) => this.#r.del(this.#key(ref))));
      await this.#r.del(this.#set(staffId));
      return refs.length;
    } catch (e) { throw storageError(e); }
  }
}

export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length || expected.length === 0) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
