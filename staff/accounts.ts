/**
 * Staff accounts in Redis. No staff e-mail address is stored: an account is found by the keyed hash of its
 * normalised address (`tl:staff:email:<hash>` -> id). The password is an argon2id hash; the TOTP secret is sealed
 * under the account's own data key (owner `st_<id>`), so a Redis dump yields neither a password nor a second factor.
 *
 * Keys: `tl:staff:acct:<id>` (hash), `tl:staff:email:<hash>` (id), `tl:staff:ids` (set of ids). Accounts are not
 * customer data and have no TTL; disabling keeps the record (audit entries name the id) and ends every session.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../guards/crypto/passwords.js';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import type { RedisClientType } from 'redis';
import type { DataKeyService } from '../guards/crypto/dataKeys.js';
import type { Pseudonymizer } from '../guards/crypto/pseudonym.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../guards/crypto/envelope.js';
import { GuardError } from '../guards/errors.js';
import { storageError } from '../guards/storage/redisClient.js';
import { STAFF_ROLES, type StaffRole } from './rbac.js';

export interface StaffAccount {
  id: string;
  roles: StaffRole[];
  disabled: boolean;
  createdAt: string;
}

// Argon2id parameters live in guards/crypto/passwords.ts (libsodium crypto_pwhash in a worker thread).
const TOTP = { period: 30, digits: 6 as const, algorithm: 'sha1' as const };
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;
const ID = /^st_[A-Za-z0-9_-]{16}$/;

// Accepts the step only when it is newer than the last accepted one (ST-4: a TOTP code is accepted once).
const ACCEPT_STEP = `local last = tonumber(redis.call('HGET', KEYS[1], 'totpStep') or '-1')
if tonumber(ARGV[1]) > last then redis.call('HSET', KEYS[1], 'totpStep', ARGV[1]) return 1 end
return 0`;

export function normaliseEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

export function isStaffId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

export class StaffAccounts {
  readonly #r: RedisClientType;
  readonly #keys: DataKeyService;
  readonly #p: Pseudonymizer;
  readonly #issuer: string;
  readonly #now: () => number;
  #dummy: Promise<string> | undefined;

  constructor(o: { redis: RedisClientType; keys: DataKeyService; pseudonyms: Pseudonymizer; totpIssuer: string; now: () => number }) {
    this.#r = o.redis;
    this.#keys = o.keys;
    this.#p = o.pseudonyms;
    this.#issuer = o.totpIssuer;
    this.#now = o.now;
  }

  #acct(id: string) { return `tl:staff:acct:${id}`; }
  #email(email: string) { return `tl:staff:email:${this.#p.hash('staff-email', normaliseEmail(email))}`; }

  /**
   * Creates an account and returns its TOTP enrolment URI (shown once, never stored in clear). The URI's label is
   * the account id, not the address, so a screenshot of the enrolment QR code names no person.
   */
  async create(input: { email: string; roles: StaffRole[]; password: string }): Promise<{ id: string; totpUri: string }> {
    const email = normaliseEmail(input.email);
    if (!/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email)) throw new GuardError('ERR_STAFF_INVALID');
    if (input.roles.length === 0 || input.roles.some((r) => !STAFF_ROLES.includes(r))) throw new GuardError('ERR_STAFF_INVALID');
    checkPassword(input.password);
    const id = `st_${randomBytes(12).toString('base64url')}`;
    const secret = generateSecret({ length: 20 });
    const pw = await hashPassword(input.password);
    const dk = await this.#keys.keyForWrite(`st_${id.slice(3)}`);
    const sealed = sealEnvelope(dk.key, dk.kid, `staff-totp/${id}`, Buffer.from(secret, 'utf8'));
    try {
      const claimed = await this.#r.set(this.#email(email), id, { NX: true });
      if (claimed === null) throw new GuardError('ERR_STAFF_EXISTS');
      await this.#r.hSet(this.#acct(id), { id, roles: [...new Set(input.roles)].join(','), pw, totp: sealed, disabled: '0', createdAt: new Date(this.#now()).toISOString() });
      await this.#r.sAdd('tl:staff:ids', id);
    } catch (e) {
      if (e instanceof GuardError) throw e;
      throw storageError(e);
    }
    return { id, totpUri: generateURI({ issuer: this.#issuer, label: id, secret, ...TOTP }) };
  }

  async get(id: string): Promise<StaffAccount | undefined> {
    if (!isStaffId(id)) return undefined;
    let h: Record<string, string>;
    try { h = await this.#r.hGetAll(this.#acct(id)); } catch (e) { throw storageError(e); }
    if (!h.id) return undefined;
    return { id: h.id, roles: (h.roles ?? '').split(',').filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r)), disabled: h.disabled === '1', createdAt: h.createdAt ?? '' };
  }

  async findIdByEmail(email: string): Promise<string | undefined> {
    try { return (await this.#r.get(this.#email(email))) ?? undefined; } catch (e) { throw storageError(e); }
  }

  async list(): Promise<StaffAccount[]> {
    let ids: string[];
    try { ids = await this.#r.sMembers('tl:staff:ids'); } catch (e) { throw storageError(e); }
    const out: StaffAccount[] = [];
    for (const id of ids.sort()) {
      const a = await this.get(id);
      if (a) out.push(a);
    }
    return out;
  }

  /**
   * Checks the password of the account behind `email`. Unknown, disabled and wrong answers cost the same argon2
   * verification, so the time taken does not tell whether an address has an account.
   */
  async checkPassword(email: string, password: string): Promise<{ ok: true; id: string } | { ok: false; id?: string }> {
    const id = typeof password === 'string' && password.length <= MAX_PASSWORD_LENGTH ? await this.findIdByEmail(email) : undefined;
    let pw: string | undefined;
    let disabled = true;
    if (id) {
      try {
        const [p, d] = await this.#r.hmGet(this.#acct(id), ['pw', 'disabled']);
        pw = p ?? undefined;
        disabled = d !== '0';
      } catch (e) { throw storageError(e); }
    }
    const hash = pw ?? (await this.#dummyHash());
    let ok = false;
    ok = await verifyPassword(hash, typeof password === 'string' ? password.slice(0, MAX_PASSWORD_LENGTH) : '');
    if (ok && id && pw && !disabled) return { ok: true, id };
    return id ? { ok: false, id } : { ok: false };
  }

  #dummyHash(): Promise<string> {
    this.#dummy ??= hashPassword(randomBytes(24).toString('base64'));
    return this.#dummy;
  }

  /** Verifies a TOTP code (one step of clock drift either way) and accepts each time step once (ST-4). */
  async checkTotp(id: string, code: unknown): Promise<boolean> {
    if (typeof code !== 'string' || !/^\d{6}$/.test(code) || !isStaffId(id)) return false;
    let h: (string | null)[];
    try { h = await this.#r.hmGet(this.#acct(id), ['totp', 'disabled']); } catch (e) { throw storageError(e); }
    const [sealed, disabled] = h;
    if (!sealed || disabled !== '0') return false;
    const header = readEnvelopeHeader(sealed, 4096);
    const key = await this.#keys.keyForRead(header.kid);
    const secret = Buffer.from(openEnvelope(key, header, `staff-totp/${id}`)).toString('utf8');
    const r = await verifyTotp({ secret, token: code, epoch: Math.floor(this.#now() / 1000), epochTolerance: TOTP.period, ...TOTP });
    if (!r.valid) return false;
    const matched = r as unknown as { timeStep?: number; epoch?: number };
    const step = matched.timeStep ?? Math.floor((matched.epoch ?? 0) / TOTP.period);
    try {
      return (await this.#r.eval(ACCEPT_STEP, { keys: [this.#acct(id)], arguments: [String(step)] })) === 1;
    } catch (e) { throw storageError(e); }
  }

  /** Marks the account disabled (the caller ends its sessions). False when there is no such account. */
  async disable(id: string): Promise<boolean> {
    if (!isStaffId(id)) return false;
    try {
      const r = await this.#r.eval("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'disabled', '1') return 1 end return 0", { keys: [this.#acct(id)], arguments: [] });
      return r === 1;
    } catch (e) { throw storageError(e); }
  }
}

export function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) throw new GuardError('ERR_STAFF_INVALID');
}

/** A readable random password for `staff add` (the operator hands it over out of band; the user can keep it). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
