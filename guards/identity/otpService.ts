/**
 * One-time code verification (DESIGN.md invariant 5). The customer names their account (email, phone or customer
 * number); the code goes to the contact point ON FILE for that account (never to one typed in the chat: OTP-9).
 * A known and an unknown account take the same path: the same counters (keyed by the account or by the typed
 * identifier), a challenge stored either way (an unknown account's can never match), the same reply; only the
 * background delivery is skipped for an unknown account (OTP-8).
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { Pseudonymizer } from '../crypto/pseudonym.js';
import { normalizeEmail, normalizePhone, type Customer, type CustomerDirectory } from '../../directory/customerDirectory.js';
import type { OtpStore } from './otpStore.js';
import type { DeliveryChannel, DeliveryQueue } from './delivery.js';
import type { VerificationMethod } from './policy.js';
import type { Lang } from '../../dialogs/language.js';

export type IdentifierKind = 'email' | 'phone' | 'customerNumber';
export interface Identifier { kind: IdentifierKind; value: string }

// Deliberately simple: one address, no display names or comments; anything else is asked again.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;
// International format with optional spaces, dots, dashes and brackets; misses national numbers without "+".
const PHONE = /^\+[1-9][0-9 ().-]{6,20}$/;
const CUSTOMER_NUMBER = /^C[0-9]{4,12}$/i;

/** What the customer typed, if it names an account; the rest of the message is ignored. */
export function parseIdentifier(text: string): Identifier | undefined {
  const t = text.trim().replace(/[.!?]+$/, '');
  for (const word of [t, ...t.split(/\s+/)]) {
    if (EMAIL.test(word)) return { kind: 'email', value: normalizeEmail(word) };
    if (CUSTOMER_NUMBER.test(word)) return { kind: 'customerNumber', value: word.toUpperCase() };
  }
  const phone = /\+[1-9][0-9 ().-]{6,20}[0-9]/.exec(t)?.[0];
  if (phone && PHONE.test(phone)) {
    const n = normalizePhone(phone);
    if (n.length >= 8 && n.length <= 16) return { kind: 'phone', value: n };
  }
  return undefined;
}

/** What the dialog keeps (sealed) while a code is outstanding. Holds no contact point. */
export interface Challenge {
  id: string;
  /** Counter key (keyed hash); the same shape for known and unknown accounts. */
  account: string;
  /** Known accounts only. */
  customerNumber?: string;
  channel: DeliveryChannel;
  purpose: string;
  /**
   * When the code stops working (ms since epoch). Kept in the sealed conversation state and bound into the code's
   * hash, so whoever can write to Redis cannot extend a code's life by editing the challenge's expiry there.
   * Absent only in challenges issued before this field existed (the store's expiry alone then applies).
   */
  expiresAt?: number;
}

export type StartOutcome = 'sent' | 'limited' | 'locked' | 'no_channel';
export type CheckResult = { outcome: 'ok'; customer: Customer; method: VerificationMethod } | { outcome: 'wrong' | 'locked' };

export interface OtpServiceOptions {
  directory: CustomerDirectory;
  store: OtpStore;
  delivery: DeliveryQueue;
  pseudonyms: Pseudonymizer;
  codeHashKey: Uint8Array;
  digits: number;
  ttlSeconds: number;
}

export class OtpService {
  readonly #o: OtpServiceOptions;
  readonly #key: Buffer;
  constructor(o: OtpServiceOptions) {
    this.#o = o;
    this.#key = Buffer.from(o.codeHashKey);
  }

  get ttlMinutes(): number { return Math.ceil(this.#o.ttlSeconds / 60); }
  get digits(): number { return this.#o.digits; }

  /** Which delivery channels can serve these methods. */
  channelsFor(methods: readonly VerificationMethod[]): DeliveryChannel[] {
    const have = this.#o.delivery.channels();
    return have.filter((c) => methods.includes(c === 'email' ? 'email_otp' : 'sms_otp'));
  }

  #accountOf(customer: Customer | undefined, id: Identifier): string {
    return customer ? this.#o.pseudonyms.hash('otp-account', `S\u0000${customer.customerNumber}`) : this.#o.pseudonyms.hash('otp-account', `I\u0000${id.kind}\u0000${id.value}`);
  }

  #hash(challenge: string, code: string, expiresAt: number | undefined): string {
    const h = createHmac('sha256', this.#key).update('tl-otp\u0000').update(challenge).update('\u0000').update(code);
    if (expiresAt !== undefined) h.update(`\u0000x${expiresAt}`);
    return h.digest('base64url');
  }

  /** A fresh code from the CSPRNG (OTP-1), zero-padded to the configured length. */
  newCode(): string {
    return String(randomInt(0, 10 ** this.#o.digits)).padStart(this.#o.digits, '0');
  }

  async #find(id: Identifier): Promise<Customer | undefined> {
    const d = this.#o.directory;
    if (id.kind === 'email') return d.findByEmail(id.value);
    if (id.kind === 'phone') return d.findByPhone(id.value);
    return d.findByCustomerNumber(id.value);
  }

  /**
   * The channel follows what the customer typed (an email address -> email, a phone number -> SMS) when the policy
   * accepts it, else the other accepted one; decided from the identifier alone, so it is the same for an unknown
   * account.
   */
  #channel(id: Identifier, allowed: DeliveryChannel[]): DeliveryChannel | undefined {
    const preferred: DeliveryChannel = id.kind === 'email' ? 'email' : 'sms';
    return allowed.includes(preferred) ? preferred : allowed[0];
  }

  async start(q: { identifier: Identifier; purpose: string; conversation: string; lang: Lang; methods: readonly VerificationMethod[]; now: number; previous?: Challenge }): Promise<{ outcome: StartOutcome; challenge?: Challenge }> {
    const channel = this.#channel(q.identifier, this.channelsFor(q.methods));
    if (!channel) return { outcome: 'no_channel' };
    const customer = await this.#find(q.identifier);
    const account = this.#accountOf(customer, q.identifier);
    return this.#issue({ account, customer, channel, purpose: q.purpose, conversation: q.conversation, lang: q.lang, now: q.now, previous: q.previous });
  }

  /** "Send me a new code": same account, same channel; the old code stops working; counts are kept (OTP-5). */
  async resend(q: { challenge: Challenge; conversation: string; lang: Lang; now: number }): Promise<{ outcome: StartOutcome; challenge?: Challenge }> {
    const customer = q.challenge.customerNumber ? await this.#o.directory.findByCustomerNumber(q.challenge.customerNumber) : undefined;
    return this.#issue({ account: q.challenge.account, customer, channel: q.challenge.channel, purpose: q.challenge.purpose, conversation: q.conversation, lang: q.lang, now: q.now, previous: q.challenge });
  }

  /**
   * Correction of a contact point (OTP-9's one exception): after the customer was verified through the contact
   * point on file, a code goes to the NEW email or phone to prove possession before it replaces the old one. Same
   * per-account counters and limits as every other code.
   */
  async startPossession(q: { customerNumber: string; channel: DeliveryChannel; to: string; purpose: string; conversation: string; lang: Lang; now: number; previous?: Challenge }): Promise<{ outcome: StartOutcome; challenge?: Challenge }> {
    if (!this.#o.delivery.channels().includes(q.channel)) return { outcome: 'no_channel' };
    const customer = await this.#o.directory.findByCustomerNumber(q.customerNumber);
    if (!customer) return { outcome: 'no_channel' };
    const account = this.#o.pseudonyms.hash('otp-account', `S\u0000${customer.customerNumber}`);
    return this.#issue({ account, customer, channel: q.channel, purpose: q.purpose, conversation: q.conversation, lang: q.lang, now: q.now, previous: q.previous, to: q.to });
  }

  async #issue(q: { account: string; customer: Customer | undefined; channel: DeliveryChannel; purpose: string; conversation: string; lang: Lang; now: number; previous: Challenge | undefined; to?: string }): Promise<{ outcome: StartOutcome; challenge?: Challenge }> {
    const id = randomBytes(16).toString('base64url');
    // An unknown account gets a challenge too, with the hash of a code nobody has: identical work, never a match.
    const code = this.newCode();
    const expiresAt = q.now + this.#o.ttlSeconds * 1000;
    const codeHash = this.#hash(id, code, expiresAt);
    const sameAccount = q.previous?.account === q.account ? q.previous.id : undefined;
    if (q.previous && !sameAccount) await this.#o.store.discard(q.previous.account, q.previous.id);
    const outcome = await this.#o.store.issue({
      account: q.account, challenge: id, ...(sameAccount ? { replaces: sameAccount } : {}), conversation: q.conversation, purpose: q.purpose,
      codeHash, ttlMs: this.#o.ttlSeconds * 1000, now: q.now, sendId: randomBytes(9).toString('base64url'),
    });
    if (outcome !== 'issued') return { outcome };
    if (q.customer) {
      this.#o.delivery.enqueue({ channel: q.channel, to: q.to ?? (q.channel === 'email' ? q.customer.email : q.customer.phone), code, lang: q.lang, minutes: this.ttlMinutes });
    }
    const challenge: Challenge = { id, account: q.account, channel: q.channel, purpose: q.purpose, expiresAt, ...(q.customer ? { customerNumber: q.customer.customerNumber } : {}) };
    return { outcome: 'sent', challenge };
  }

  /** Checks a typed code against the challenge, in this conversation, for this purpose (OTP-3/OTP-4). */
  async check(q: { challenge: Challenge; code: string; conversation: string; purpose: string; now: number }): Promise<CheckResult> {
    const candidate = normalizeCode(q.code) ?? '';
    // Past the sealed expiry the try still goes to the store (it counts as a wrong one, as when the store's own
    // expiry has passed), with a hash that cannot match whatever the stored record says.
    const expired = q.challenge.expiresAt !== undefined && q.now >= q.challenge.expiresAt;
    const candidateHash = expired ? this.#hash(q.challenge.id, `expired\u0000${candidate}`, q.challenge.expiresAt) : this.#hash(q.challenge.id, candidate, q.challenge.expiresAt);
    const r = await this.#o.store.check({
      account: q.challenge.account, challenge: q.challenge.id, conversation: q.conversation, purpose: q.purpose,
      candidateHash, now: q.now, failureId: randomBytes(9).toString('base64url'),
    });
    if (r.outcome !== 'ok') return { outcome: r.outcome };
    // The store matched the hash; an unknown account has no customer number and so can never get here with one.
    const customer = q.challenge.customerNumber ? await this.#o.directory.findByCustomerNumber(q.challenge.customerNumber) : undefined;
    if (!customer) return { outcome: 'wrong' };
    return { outcome: 'ok', customer, method: q.challenge.channel === 'email' ? 'email_otp' : 'sms_otp' };
  }

  /** The counter key of a known customer (erasure deletes its challenges and counters). */
  accountOfCustomer(customerNumber: string): string {
    return this.#o.pseudonyms.hash('otp-account', `S\u0000${customerNumber}`);
  }

  /** Test and operations helper: the account key of an identifier (no contact point leaves this class). */
  async accountKeyOf(id: Identifier): Promise<string> {
    return this.#accountOf(await this.#find(id), id);
  }
}

/** Digits only, from what the customer typed ("123 456", "123-456", "code: 123456"); undefined if not a code. */
export function normalizeCode(text: string): string | undefined {
  const digits = text.replace(/[\s-]/g, '').match(/[0-9]{6,10}/)?.[0];
  return digits;
}

