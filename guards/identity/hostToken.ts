/**
 * Signed identity from the retailer's host page (ST-3, IMP-3). The page's own back end, after its login, issues a
 * short-lived JWT naming the customer (`sub` = customer number, configurable) and the Direct Line user id it
 * requested the chat token for (`tl_uid`, configurable); the page sends it to the bot as an event activity
 * `{ type: "event", name: "trustline/identity", value: { token } }`. The bot verifies it with jose against the
 * configured issuer, audience and JWKS, with an algorithm allow-list (asymmetric only), expiry and a clock skew,
 * requires the user claim to equal the activity's `from.id` (so a token lifted from one chat does not work in
 * another user's), and accepts each `jti` once.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Pseudonymizer } from '../crypto/pseudonym.js';
import { runScript, storageError, type RedisCommands } from '../storage/redisClient.js';

export const HOST_IDENTITY_EVENT = 'trustline/identity';

export interface HostTokenSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  algorithms: string[];
  clockSkewSeconds: number;
  maxAgeSeconds: number;
  subjectClaim: string;
  userClaim: string;
}

/** Remembers token ids until they expire: a replayed token is refused. */
export interface ReplayGuard {
  /** True the first time an id is seen within its lifetime. */
  firstUse(id: string, ttlMs: number): Promise<boolean>;
}

export class MemoryReplayGuard implements ReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #now: () => number;
  constructor(now: () => number = Date.now) { this.#now = now; }
  async firstUse(id: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    for (const [k, until] of this.#seen) if (until <= now) this.#seen.delete(k);
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, now + ttlMs);
    return true;
  }
}

export class RedisReplayGuard implements ReplayGuard {
  readonly #r: RedisCommands;
  readonly #p: Pseudonymizer;
  constructor(r: RedisCommands, pseudonyms: Pseudonymizer) {
    this.#r = r;
    this.#p = pseudonyms;
  }
  async firstUse(id: string, ttlMs: number): Promise<boolean> {
    try {
      const r = await runScript(this.#r, `return redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) and 1 or 0`, [`tl:idx:jti:{${this.#p.hash('jti', id)}}`], [String(Math.max(1000, Math.ceil(ttlMs)))]);
      return r === 1;
    } catch (err) {
      throw storageError(err);
    }
  }
}

export type HostTokenResult = { ok: true; customerNumber: string } | { ok: false; reason: 'invalid' | 'user_mismatch' | 'replayed' };

export class HostTokenVerifier {
  readonly #s: HostTokenSettings;
  readonly #keys: JWTVerifyGetKey;
  readonly #replay: ReplayGuard;
  readonly #now: () => number;

  constructor(s: HostTokenSettings, replay: ReplayGuard, o: { now?: () => number; keys?: JWTVerifyGetKey } = {}) {
    this.#s = s;
    // jose caches the key set and refetches on an unknown kid (rate-limited by its cooldown).
    this.#keys = o.keys ?? createRemoteJWKSet(new URL(s.jwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    this.#replay = replay;
    this.#now = o.now ?? Date.now;
  }

  async verify(token: unknown, channelUserId: string): Promise<HostTokenResult> {
    if (typeof token !== 'string' || token.length > 8192) return { ok: false, reason: 'invalid' };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        issuer: this.#s.issuer,
        audience: this.#s.audience,
        algorithms: this.#s.algorithms,
        clockTolerance: this.#s.clockSkewSeconds,
        maxTokenAge: this.#s.maxAgeSeconds,
        requiredClaims: ['exp', 'iat', 'jti', this.#s.subjectClaim, this.#s.userClaim],
        currentDate: new Date(this.#now()),
      }));
    } catch {
      // jose's reasons (expired, bad signature, wrong audience...) stay inside: the caller sees one answer.
      return { ok: false, reason: 'invalid' };
    }
    const subject = payload[this.#s.subjectClaim];
    const user = payload[this.#s.userClaim];
    const jti = payload.jti;
    const exp = payload.exp;
    if (typeof subject !== 'string' || !/^C[0-9]{4,12}$/.test(subject) || typeof user !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    if (user !== channelUserId) return { ok: false, reason: 'user_mismatch' };
    const ttl = exp * 1000 + this.#s.clockSkewSeconds * 1000 - this.#now();
    if (!(await this.#replay.firstUse(`${this.#s.issuer}\u0000${jti}`, ttl))) return { ok: false, reason: 'replayed' };
    return { ok: true, customerNumber: subject };
  }
}
