/**
 * One-time code challenges and the per-account counters (DESIGN.md invariant 5, OTP-2..OTP-6). Every rule is one
 * atomic step (a Lua script in Redis, a synchronous block in memory), so concurrent tries in several conversations
 * and on several instances are all counted (OTP-3, OTP-5).
 *
 * An "account" here is a keyed hash: of the customer number for a known account, of the typed identifier for an
 * unknown one. Unknown identifiers get the same counters, limits and lock-outs, so replies never tell whether an
 * account exists (OTP-8). Keys share the account's hash tag `{a}` (Redis Cluster: one slot per script):
 *   tl:otp:{a}:c:<id>  hash   { h: keyed code hash, c: conversation, p: purpose, t: wrong tries, x: expiry ms }
 *   tl:otp:{a}:f       zset   failures in the rolling 24 h (score = time)
 *   tl:otp:{a}:s       zset   sends in the rolling 24 h
 *   tl:otp:{a}:l       string lock-until time
 * Times come from the injected clock (tests move it); Redis TTLs only collect garbage and are set generously.
 */
import { runScript, storageError, type RedisCommands } from '../storage/redisClient.js';
import type { SecurityEventSink } from '../crypto/securityEvents.js';

export interface OtpLimits {
  /** Wrong tries per code before it is void. */
  maxTriesPerCode: number;
  /** Failures per account in the rolling window that lock it. */
  lockFailures: number;
  /** Minimum lock duration. */
  lockMs: number;
  failureWindowMs: number;
  sendsPerShortWindow: number;
  shortWindowMs: number;
  sendsPerLongWindow: number;
  longWindowMs: number;
}

export const DEFAULT_OTP_LIMITS: OtpLimits = Object.freeze({
  maxTriesPerCode: 5,
  lockFailures: 10,
  lockMs: 15 * 60_000,
  failureWindowMs: 24 * 3_600_000,
  sendsPerShortWindow: 3,
  shortWindowMs: 15 * 60_000,
  sendsPerLongWindow: 10,
  longWindowMs: 24 * 3_600_000,
});

export interface IssueRequest {
  account: string;
  challenge: string;
  /** Challenge this one replaces (same account), if any: it stops working at once. */
  replaces?: string;
  conversation: string;
  purpose: string;
  codeHash: string;
  ttlMs: number;
  now: number;
  sendId: string;
}

export interface CheckRequest {
  account: string;
  challenge: string;
  conversation: string;
  purpose: string;
  candidateHash: string;
  now: number;
  failureId: string;
}

export type IssueOutcome = 'issued' | 'limited' | 'locked';
export type CheckOutcome = 'ok' | 'wrong' | 'locked';

export interface OtpStore {
  issue(r: IssueRequest): Promise<IssueOutcome>;
  check(r: CheckRequest): Promise<{ outcome: CheckOutcome; failures: number }>;
  /** Failures of the account in the rolling window (operations, tests). */
  failures(account: string, now: number): Promise<number>;
  /** Is the account locked now? */
  locked(account: string, now: number): Promise<boolean>;
  discard(account: string, challenge: string): Promise<void>;
}

const k = (account: string) => ({
  challenge: (id: string) => `tl:otp:{${account}}:c:${id}`,
  failures: `tl:otp:{${account}}:f`,
  sends: `tl:otp:{${account}}:s`,
  lock: `tl:otp:{${account}}:l`,
});

// KEYS: sends, failures, lock, challenge, replaced challenge (= challenge when none)
// ARGV: now, hash, conversation, purpose, ttlMs, sendId, shortWindow, perShort, perLong, longWindow, lockFailures, failureWindow
const ISSUE = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[12]))
local lockUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
if now < lockUntil or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[11]) then return 'locked' end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[10]))
if redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[7]), '+inf') >= tonumber(ARGV[8]) then return 'limited' end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[9]) then return 'limited' end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[10]) + 60000)
if KEYS[5] ~= KEYS[4] then redis.call('DEL', KEYS[5]) end
redis.call('HSET', KEYS[4], 'h', ARGV[2], 'c', ARGV[3], 'p', ARGV[4], 't', 0, 'x', now + tonumber(ARGV[5]))
redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[5]) + 60000)
return 'issued'`;

// KEYS: challenge, failures, lock
// ARGV: now, candidate hash, conversation, purpose, failureId, maxTriesPerCode, lockFailures, lockMs, failureWindow
const CHECK = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[9])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local lockUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
local n = redis.call('ZCARD', KEYS[2])
if now < lockUntil or n >= tonumber(ARGV[7]) then return {'locked', n} end
local c = redis.call('HMGET', KEYS[1], 'h', 'c', 'p', 't', 'x')
local tries = tonumber(c[4])
local expiry = tonumber(c[5])
local tampered = 0
-- Challenge ids are random and known only to the conversation's sealed state: a record naming another conversation
-- or purpose was written by someone else (reported; the try counts as wrong, as before); one with unreadable counters
-- or an oversized hash is voided as well.
if c[1] and (not tries or not expiry or #c[1] > 128) then
  tampered = 1
  redis.call('DEL', KEYS[1])
elseif c[1] and c[1] == ARGV[2] and c[2] == ARGV[3] and c[3] == ARGV[4] and tries < tonumber(ARGV[6]) and expiry > now then
  redis.call('DEL', KEYS[1])
  return {'ok', n}
elseif c[1] then
  if c[2] ~= ARGV[3] or c[3] ~= ARGV[4] then tampered = 1 end
  local t = redis.call('HINCRBY', KEYS[1], 't', 1)
  if t >= tonumber(ARGV[6]) then redis.call('DEL', KEYS[1]) end
end
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('PEXPIRE', KEYS[2], window + tonumber(ARGV[8]) + 60000)
n = n + 1
if n >= tonumber(ARGV[7]) then
  redis.call('SET', KEYS[3], tostring(now + tonumber(ARGV[8])), 'PX', window + tonumber(ARGV[8]) + 60000)
  return {'locked', n, tampered}
end
return {'wrong', n, tampered}`;

export class RedisOtpStore implements OtpStore {
  readonly #r: RedisCommands;
  readonly #l: OtpLimits;
  readonly #onSecurity: SecurityEventSink | undefined;
  /**
   * `onSecurityEvent`: a challenge record that names another conversation or purpose, or has unreadable fields, is
   * reported (`otp`, naming the conversation's pseudonym, CR-3); the customer gets the same reply as for a wrong code.
   */
  constructor(r: RedisCommands, limits: OtpLimits = DEFAULT_OTP_LIMITS, o: { onSecurityEvent?: SecurityEventSink } = {}) {
    this.#r = r;
    this.#l = limits;
    this.#onSecurity = o.onSecurityEvent;
  }

  async issue(q: IssueRequest): Promise<IssueOutcome> {
    const keys = k(q.account);
    const l = this.#l;
    try {
      return (await runScript(this.#r, ISSUE, [keys.sends, keys.failures, keys.lock, keys.challenge(q.challenge), keys.challenge(q.replaces ?? q.challenge)], [
        String(q.now), q.codeHash, q.conversation, q.purpose, String(q.ttlMs), q.sendId, String(l.shortWindowMs), String(l.sendsPerShortWindow),
        String(l.sendsPerLongWindow), String(l.longWindowMs), String(l.lockFailures), String(l.failureWindowMs),
      ])) as IssueOutcome;
    } catch (err) {
      throw storageError(err);
    }
  }

  async check(q: CheckRequest): Promise<{ outcome: CheckOutcome; failures: number }> {
    const keys = k(q.account);
    const l = this.#l;
    try {
      const [outcome, n, tampered] = (await runScript(this.#r, CHECK, [keys.challenge(q.challenge), keys.failures, keys.lock], [
        String(q.now), q.candidateHash, q.conversation, q.purpose, q.failureId, String(l.maxTriesPerCode), String(l.lockFailures), String(l.lockMs), String(l.failureWindowMs),
      ])) as [CheckOutcome, number, number?];
      if (tampered === 1) this.#onSecurity?.('crypto.tamper', { code: 'ERR_CRYPTO_DECRYPT', dataClass: 'otp', owner: q.conversation });
      return { outcome, failures: Number(n) };
    } catch (err) {
      throw storageError(err);
    }
  }

  async failures(account: string, now: number): Promise<number> {
    try {
      return Number(await runScript(this.#r, `return redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf')`, [k(account).failures], [String(now - this.#l.failureWindowMs + 1)]));
    } catch (err) {
      throw storageError(err);
    }
  }

  async locked(account: string, now: number): Promise<boolean> {
    const keys = k(account);
    try {
      const r = await runScript(this.#r, `
local lockUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local n = redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf')
if tonumber(ARGV[1]) < lockUntil or n >= tonumber(ARGV[3]) then return 1 end
return 0`, [keys.failures, keys.lock], [String(now), String(now - this.#l.failureWindowMs + 1), String(this.#l.lockFailures)]);
      return r === 1;
    } catch (err) {
      throw storageError(err);
    }
  }

  async discard(account: string, challenge: string): Promise<void> {
    try {
      await this.#r.del(k(account).challenge(challenge));
    } catch (err) {
      throw storageError(err);
    }
  }
}

interface MemChallenge { h: string; c: string; p: string; t: number; x: number }
interface MemAccount { failures: { at: number; id: string }[]; sends: number[]; lockUntil: number; challenges: Map<string, MemChallenge> }

/** The same rules in one process (embedded development store, dialog tests). */
export class MemoryOtpStore implements OtpStore {
  readonly #l: OtpLimits;
  readonly #accounts = new Map<string, MemAccount>();
  constructor(limits: OtpLimits = DEFAULT_OTP_LIMITS) { this.#l = limits; }

  #acct(a: string, now: number): MemAccount {
    let x = this.#accounts.get(a);
    if (!x) {
      x = { failures: [], sends: [], lockUntil: 0, challenges: new Map() };
      this.#accounts.set(a, x);
    }
    x.failures = x.failures.filter((f) => f.at > now - this.#l.failureWindowMs);
    x.sends = x.sends.filter((s) => s > now - this.#l.longWindowMs);
    return x;
  }

  #isLocked(x: MemAccount, now: number): boolean {
    return now < x.lockUntil || x.failures.length >= this.#l.lockFailures;
  }

  async issue(q: IssueRequest): Promise<IssueOutcome> {
    const x = this.#acct(q.account, q.now);
    if (this.#isLocked(x, q.now)) return 'locked';
    if (x.sends.filter((s) => s > q.now - this.#l.shortWindowMs).length >= this.#l.sendsPerShortWindow) return 'limited';
    if (x.sends.length >= this.#l.sendsPerLongWindow) return 'limited';
    x.sends.push(q.now);
    if (q.replaces) x.challenges.delete(q.replaces);
    x.challenges.set(q.challenge, { h: q.codeHash, c: q.conversation, p: q.purpose, t: 0, x: q.now + q.ttlMs });
    return 'issued';
  }

  async check(q: CheckRequest): Promise<{ outcome: CheckOutcome; failures: number }> {
    const x = this.#acct(q.account, q.now);
    if (this.#isLocked(x, q.now)) return { outcome: 'locked', failures: x.failures.length };
    const c = x.challenges.get(q.challenge);
    if (c && c.h === q.candidateHash && c.c === q.conversation && c.p === q.purpose && c.t < this.#l.maxTriesPerCode && c.x > q.now) {
      x.challenges.delete(q.challenge);
      return { outcome: 'ok', failures: x.failures.length };
    }
    if (c) {
      c.t += 1;
      if (c.t >= this.#l.maxTriesPerCode) x.challenges.delete(q.challenge);
    }
    x.failures.push({ at: q.now, id: q.failureId });
    if (x.failures.length >= this.#l.lockFailures) {
      x.lockUntil = q.now + this.#l.lockMs;
      return { outcome: 'locked', failures: x.failures.length };
    }
    return { outcome: 'wrong', failures: x.failures.length };
  }

  async failures(account: string, now: number) { return this.#acct(account, now).failures.length; }
  async locked(account: string, now: number) { return this.#isLocked(this.#acct(account, now), now); }
  async discard(account: string, challenge: string) { this.#accounts.get(account)?.challenges.delete(challenge); }
}
