/**
 * The request ledger (issue 5 item 7): every data-subject request with id, type, pseudonymous subject, received,
 * acknowledged, due dates, status and outcome. PII-free by construction: the subject appears only as its random
 * pseudonym (whose link to the person is destroyed at erasure), so the ledger stays as the lawful record that a
 * request happened. Requests are idempotent per subject and type while open: asking three times is one request.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { deadlinesFor, isoDate, type Regime } from './deadlines.js';
import { storageError } from '../storage/redisClient.js';
import type { SecurityEventSink } from '../crypto/securityEvents.js';
import { parseRecord } from './sealed.js';

export type DsrType = 'access' | 'export' | 'rectify' | 'erase' | 'opt_out' | 'withdraw_consent';
export type DsrStatus = 'received' | 'verifying' | 'in_progress' | 'completed' | 'rejected' | 'cancelled';

export interface DsrRecord {
  id: string;
  type: DsrType;
  /** Random subject pseudonym, or the channel-user pseudonym for unverified requests (opt-out). */
  subject: string;
  regime: Regime;
  received: string;
  acknowledged?: string;
  due: string;
  extendedDue: string;
  acknowledgeBy: string;
  status: DsrStatus;
  outcome?: string;
  /** Systems and third parties told about a correction or erasure (GDPR art. 19). */
  recipients?: string[];
  /** What the system of record keeps by law after an erasure (fixed words, e.g. `invoices`). */
  retained?: string[];
  /** Resumable jobs record their finished steps (erasure). */
  steps?: string[];
  updated: string;
  channel?: string;
}

export interface DsrLedger {
  /** The open request of this subject and type, or a new one. */
  open(input: { type: DsrType; subject: string; region?: string; channel?: string; now: Date }): Promise<{ record: DsrRecord; created: boolean }>;
  get(id: string): Promise<DsrRecord | undefined>;
  update(id: string, patch: Partial<Omit<DsrRecord, 'id' | 'type' | 'subject' | 'received'>>, now: Date): Promise<DsrRecord | undefined>;
  list(opts?: { since?: Date; until?: Date; limit?: number }): Promise<DsrRecord[]>;
  /** Requests not finished yet (resumed at start-up). */
  unfinished(type?: DsrType): Promise<DsrRecord[]>;
}

const OPEN: DsrStatus[] = ['received', 'verifying', 'in_progress'];

/** Receipt numbers customers can quote: `R-` + 10 Crockford base32 characters (50 bits), no ambiguous letters. */
export function newReceiptId(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(10);
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[bytes[i]! & 31];
  return `R-${out.slice(0, 5)}-${out.slice(5)}`;
}

function newRecord(input: { type: DsrType; subject: string; region?: string; channel?: string; now: Date }): DsrRecord {
  const d = deadlinesFor(input.region, input.now);
  return {
    id: newReceiptId(), type: input.type, subject: input.subject, regime: d.regime, received: input.now.toISOString(),
    due: isoDate(d.due), extendedDue: isoDate(d.extendedDue), acknowledgeBy: isoDate(d.acknowledgeBy),
    status: 'received', updated: input.now.toISOString(), ...(input.channel ? { channel: input.channel } : {}),
  };
}

export class MemoryDsrLedger implements DsrLedger {
  readonly #records = new Map<string, DsrRecord>();
  async open(input: Parameters<DsrLedger['open']>[0]) {
    const existing = [...this.#records.values()].find((r) => r.subject === input.subject && r.type === input.type && OPEN.includes(r.status));
    if (existing) return { record: structuredClone(existing), created: false };
    const record = newRecord(input);
    this.#records.set(record.id, record);
    return { record: structuredClone(record), created: true };
  }
  async get(id: string) { const r = this.#records.get(id); return r ? structuredClone(r) : undefined; }
  async update(id: string, patch: Partial<DsrRecord>, now: Date) {
    const r = this.#records.get(id);
    if (!r) return undefined;
    Object.assign(r, patch, { updated: now.toISOString() });
    return structuredClone(r);
  }
  async list(opts: { since?: Date; until?: Date; limit?: number } = {}) {
    return [...this.#records.values()].filter((r) => (!opts.since || r.received >= opts.since.toISOString()) && (!opts.until || r.received <= opts.until.toISOString()))
      .sort((a, b) => a.received.localeCompare(b.received)).slice(0, opts.limit ?? 1000).map((r) => structuredClone(r));
  }
  async unfinished(type?: DsrType) { return (await this.list()).filter((r) => OPEN.includes(r.status) && (!type || r.type === type)); }
}

// Records are JSON strings `tl:dsr:{id}`; the open-request index per subject is `tl:dsr:open:{subject}` (type -> id);
// `tl:dsr:index` orders requests by receipt. The open step is one Lua script, so two instances asking at once create
// one request. TTL: the request-record retention.
const OPEN_SCRIPT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return ''`;

export class RedisDsrLedger implements DsrLedger {
  constructor(private readonly r: RedisClientType, private readonly ttlSeconds: number, private readonly o: { onSecurityEvent?: SecurityEventSink } = {}) {}
  #key(id: string) { return `tl:dsr:{${id}}`; }

  async open(input: Parameters<DsrLedger['open']>[0]) {
    const fresh = newRecord(input);
    try {
      // Claiming "open request of this type for this subject" is the atomic step (one key, one slot); the record
      // itself is written right after, so a concurrent caller that lost the claim may briefly find no record yet.
      const existing = (await this.r.eval(OPEN_SCRIPT, { keys: [`tl:dsr:open:{${input.subject}}`], arguments: [input.type, fresh.id, String(this.ttlSeconds)] })) as string;
      if (existing) {
        for (let i = 0; i < 20; i++) {
          const rec = await this.get(existing);
          if (rec) return { record: rec, created: false };
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      await Promise.all([
        this.r.set(this.#key(fresh.id), JSON.stringify(fresh), { expiration: { type: 'EX', value: this.ttlSeconds } }),
        this.r.zAdd('tl:dsr:index', { score: Date.parse(fresh.received), value: fresh.id }),
      ]);
      if (existing) await this.r.hSet(`tl:dsr:open:{${input.subject}}`, input.type, fresh.id);
      return { record: fresh, created: true };
    } catch (e) { throw storageError(e); }
  }

  async get(id: string) {
    let v: string | null;
    try { v = await this.r.get(this.#key(id)); } catch (e) { throw storageError(e); }
    // PII-free and unsealed; an oversized or malformed record is reported and reads as missing (fail closed).
    const rec = parseRecord<DsrRecord>(v, this.o.onSecurityEvent);
    if (rec && rec.id !== id) {
      // Another request's record copied onto this one's key.
      this.o.onSecurityEvent?.('crypto.tamper', { code: 'ERR_CRYPTO_DECRYPT', dataClass: 'dsr' });
      return undefined;
    }
    return rec;
  }

  async update(id: string, patch: Partial<DsrRecord>, now: Date) {
    const cur = await this.get(id);
    if (!cur) return undefined;
    const next: DsrRecord = { ...cur, ...patch, id: cur.id, type: cur.type, subject: cur.subject, received: cur.received, updated: now.toISOString() };
    try {
      await this.r.set(this.#key(id), JSON.stringify(next), { expiration: { type: 'EX', value: this.ttlSeconds } });
      if (!OPEN.includes(next.status)) await this.r.hDel(`tl:dsr:open:{${cur.subject}}`, cur.type);
    } catch (e) { throw storageError(e); }
    return next;
  }

  async list(opts: { since?: Date; until?: Date; limit?: number } = {}) {
    try {
      const ids = await this.r.zRangeByScore('tl:dsr:index', opts.since?.getTime() ?? '-inf', opts.until?.getTime() ?? '+inf', { LIMIT: { offset: 0, count: opts.limit ?? 1000 } });
      const recs = await Promise.all(ids.map((id) => this.get(id)));
      return recs.filter((r): r is DsrRecord => r !== undefined);
    } catch (e) { throw storageError(e); }
  }

  async unfinished(type?: DsrType) {
    return (await this.list({ limit: 100_000 })).filter((r) => OPEN.includes(r.status) && (!type || r.type === type));
  }
}
