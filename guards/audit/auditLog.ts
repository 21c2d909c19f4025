/**
 * The audit log (AUD-1, AUD-2): PII-free events, appended, never edited, each chained to the one before it.
 *
 * An event names what happened with pseudonyms only (random subject pseudonyms from the subject index, keyed hashes
 * of channel users and conversations), never a contact point, a code, a name or a raw channel id.
 *
 * Chain (guards/audit/chain.ts): every entry carries `seq` (its position since the genesis), `prev` (the hash of
 * the entry before it), `inst` (the writing instance) and `h` = HMAC-SHA256(audit purpose key, canonical entry
 * including `prev`). The key never reaches Redis, so whoever can write to Redis cannot forge a consistent chain.
 *
 * Redis layout (one cluster slot: `tl:audit` hashes "tl:audit", the head's tag `{tl:audit}` hashes the same text):
 *   tl:audit                stream  the entries (XADD only; removal only through a checkpoint, see `trimThrough`)
 *   tl:{tl:audit}:head      hash    { seq, h, id } of the last entry
 * Appends from several instances are a compare-and-set in one Lua script: the script appends only when the head is
 * still the one the caller hashed against, otherwise it answers the current head and the caller re-hashes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { GuardError } from '../errors.js';
import { storageError } from '../storage/redisClient.js';

export const AuditEvents = {
  verificationSent: 'verification.sent',
  verificationSucceeded: 'verification.succeeded',
  verificationFailed: 'verification.failed',
  verificationLocked: 'verification.locked',
  verificationLimited: 'verification.limited',
  consentGiven: 'consent.given',
  consentWithdrawn: 'consent.withdrawn',
  // Staff and handoff (handoff issue): `actor` is the staff id, `object` what was acted on (a token id, an account id
  // or a route id), `purpose` the reveal's reason category; the typed reason itself is sealed with the conversation.
  staffLogin: 'staff.login',
  staffLoginFailed: 'staff.login_failed',
  staffLogout: 'staff.logout',
  staffDenied: 'staff.denied',
  staffCreated: 'staff.created',
  staffDisabled: 'staff.disabled',
  handoffQueued: 'handoff.queued',
  handoffClaimed: 'handoff.claimed',
  handoffViewed: 'handoff.viewed',
  handoffRevealed: 'handoff.revealed',
  handoffEnded: 'handoff.ended',
  // Data-subject requests (issue 5): `object` is the receipt id, `purpose` the request type, `outcome` a fixed word;
  // erasure steps name the step in `method`. Never a value of the customer's.
  dsrReceived: 'dsr.received',
  dsrAccessGiven: 'dsr.access_given',
  dsrExportLinkIssued: 'dsr.export_link_issued',
  dsrExportDownloaded: 'dsr.export_downloaded',
  dsrCorrected: 'dsr.corrected',
  dsrCancelled: 'dsr.cancelled',
  dsrOptedOut: 'dsr.opted_out',
  dsrEraseConfirmed: 'dsr.erase_confirmed',
  dsrEraseStep: 'dsr.erase_step',
  dsrEraseCompleted: 'dsr.erase_completed',
  // Compliance (issue 7): `actor` staff id, `object` conversation / incident / action id, `reason` a fixed word.
  complianceTranscriptViewed: 'compliance.transcript_viewed',
  complianceExported: 'compliance.exported',
  auditGenesis: 'audit.genesis',
  auditCheckpoint: 'audit.checkpoint',
  auditAnchored: 'audit.anchored',
  retentionPurged: 'retention.purged',
  incidentOpened: 'incident.opened',
  incidentUpdated: 'incident.updated',
  incidentScoped: 'incident.scoped',
  incidentActionProposed: 'incident.action_proposed',
  incidentActionApproved: 'incident.action_approved',
  incidentActionRefused: 'incident.action_refused',
  incidentActionExecuted: 'incident.action_executed',
  incidentNotified: 'incident.notified',
  keysRotated: 'keys.rotated',
  keysMasterRevoked: 'keys.master_revoked',
  keysDataKeyReplaced: 'keys.data_key_replaced',
  // Fail-closed crypto events (CR-3): `object` is the pseudonymous owner of the record, `outcome` the error code.
  securityTamper: 'security.tamper',
  securityKeyDestroyed: 'security.key_destroyed',
  securityOversize: 'security.oversize',
} as const;
export type AuditEventType = (typeof AuditEvents)[keyof typeof AuditEvents];

/** Every field is a fixed word, a count or a pseudonym. */
export interface AuditEvent {
  type: AuditEventType;
  /** UTC ISO time. */
  at: string;
  /** Random subject pseudonym (verified) or the channel user's keyed pseudonym (before verification). */
  subject?: string;
  /** Keyed pseudonym of the conversation. */
  conversation?: string;
  channel?: string;
  method?: string;
  purpose?: string;
  outcome?: string;
  noticeVersion?: string;
  noticeHash?: string;
  purposes?: string;
  /** Staff id of the person who acted (staff events). */
  actor?: string;
  /** Id of what a staff member acted on: reveal token, account id, route id, incident id. */
  object?: string;
  /** Why, as a fixed word (`review`, `dsr`, `incident`, `audit`, ...). */
  reason?: string;
  /** A count (purges, notifications, scoped subjects; security events held back by the rate limit, plus one). */
  count?: string;
  /** Security events (CR-3): the data class of the value that failed to open (`state`, `transcript`, `key`, ...). */
  dataClass?: string;
  /** Checkpoints and the genesis: the last entry they stand for and its hash or digest. */
  through?: string;
  lastHash?: string;
  digest?: string;
}

const FIELDS: readonly (keyof AuditEvent)[] = ['type', 'at', 'subject', 'conversation', 'channel', 'method', 'purpose', 'outcome', 'noticeVersion', 'noticeHash', 'purposes', 'actor', 'object', 'reason', 'count', 'dataClass', 'through', 'lastHash', 'digest'];
/** Fields the chain adds to each stored entry. */
export const CHAIN_FIELDS = ['seq', 'prev', 'inst', 'h'] as const;
// What a field may hold: words, pseudonyms (base64url), ISO times, hashes. Anything else is a bug that could leak.
const SAFE = /^[A-Za-z0-9_.:|+\-]{0,200}$/;

/** Refuses any field that does not look like a fixed word or a pseudonym (defence against a careless caller). */
export function checkAuditEvent(e: AuditEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = e[f];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !SAFE.test(v)) throw new GuardError('ERR_AUDIT_APPEND_FAILED');
    out[f] = v;
  }
  return out;
}

/** The event part of a stored entry (chain fields dropped). */
export function eventOf(fields: Record<string, string>): AuditEvent {
  const e: Record<string, string> = {};
  for (const f of FIELDS) if (fields[f] !== undefined) e[f] = fields[f]!;
  return e as unknown as AuditEvent;
}

/** Canonical text of an entry: every field but `h`, sorted by name, as JSON (no separator can be smuggled in). */
export function canonicalEntry(fields: Record<string, string>): string {
  return JSON.stringify(Object.keys(fields).filter((k) => k !== 'h').sort().map((k) => [k, fields[k]]));
}

/** The entry's chain hash: HMAC over the canonical entry, which includes `prev` (the previous entry's hash). */
export function entryHash(key: Uint8Array, fields: Record<string, string>): string {
  return createHmac('sha256', key).update('tl-audit-v1\u0000').update(canonicalEntry(fields)).digest('base64url');
}

/** Digest over entries written before the chain existed, in order (sealed by the genesis entry). */
export function legacyDigest(key: Uint8Array, entries: readonly Record<string, string>[]): string {
  let d = createHmac('sha256', key).update('tl-audit-genesis').digest();
  for (const e of entries) d = createHmac('sha256', key).update(d).update('\u0000').update(canonicalEntry(e)).digest();
  return d.toString('base64url');
}

export interface StoredEntry { id: string; fields: Record<string, string> }
export interface ChainHead { seq: number; h: string; id?: string }

export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Events in append order (data-subject access summaries, compliance); optional for append-only sinks. */
  read?(opts?: { limit?: number }): Promise<AuditEvent[]>;
}

/** The chained log: what the compliance console, `trustline audit` and the retention sweep use. */
export interface ChainedAuditLog extends AuditLog {
  /** Stored entries (with chain fields) in stream order. */
  entries(opts?: { limit?: number }): Promise<StoredEntry[]>;
  head(): Promise<ChainHead | undefined>;
  /** Removes every entry up to and including `seq` after appending a checkpoint that vouches for them. */
  trimThrough(seq: number, at: string): Promise<{ removed: number }>;
}

export interface ChainOptions {
  /** The audit purpose key (`TRUSTLINE_AUDIT_KEY`). */
  chainKey: Uint8Array;
  /** Instance name written into each entry (sanitised to a word). */
  instance?: string;
}

const instanceWord = (s: string | undefined) => (s ?? 'unknown').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'unknown';

/** The storage a chained log needs; Redis and memory implement it. */
interface ChainBackend {
  head(): Promise<ChainHead | undefined>;
  /** Appends `fields` when the head is still `expected`; else answers the current head. */
  appendIf(expected: ChainHead | undefined, next: { seq: number; h: string }, fields: Record<string, string>): Promise<{ ok: true; id: string } | { ok: false; head: ChainHead | undefined }>;
  range(limit: number): Promise<StoredEntry[]>;
  remove(ids: string[]): Promise<void>;
}

/** The chain logic over any backend: hashing, the compare-and-set loop, the genesis and checkpoints. */
class Chain {
  #head: ChainHead | undefined;
  constructor(private readonly backend: ChainBackend, private readonly key: Uint8Array, private readonly inst: string) {}

  async append(event: Record<string, string>): Promise<StoredEntry> {
    let head = this.#head ?? (await this.backend.head());
    for (let attempt = 0; attempt < 200; attempt++) {
      if (!head) {
        await this.#genesis(event.at ?? new Date().toISOString());
        head = await this.backend.head();
        continue;
      }
      const fields: Record<string, string> = { ...event, seq: String(head.seq + 1), prev: head.h, inst: this.inst };
      const h = entryHash(this.key, fields);
      fields.h = h;
      const r = await this.backend.appendIf(head, { seq: head.seq + 1, h }, fields);
      if (r.ok) {
        this.#head = { seq: head.seq + 1, h, id: r.id };
        return { id: r.id, fields };
      }
      head = r.head;
      // Many writers at once: step aside briefly so one of them gets through.
      if (attempt > 3) await new Promise((res) => setTimeout(res, Math.random() * Math.min(50, attempt * 2)));
    }
    throw new GuardError('ERR_AUDIT_APPEND_FAILED');
  }

  /** Seals every entry written before the chain existed under one digest; entry 0 of the chain. */
  async #genesis(at: string): Promise<void> {
    const legacy = (await this.backend.range(Number.MAX_SAFE_INTEGER)).filter((e) => e.fields.h === undefined);
    const fields: Record<string, string> = {
      type: AuditEvents.auditGenesis, at, count: String(legacy.length), digest: legacyDigest(this.key, legacy.map((e) => e.fields)),
      through: legacy.length ? legacy[legacy.length - 1]!.id : '', seq: '0', prev: '', inst: this.inst,
    };
    fields.h = entryHash(this.key, fields);
    // Lost race: another instance wrote the genesis; either way there is one.
    await this.backend.appendIf(undefined, { seq: 0, h: fields.h }, fields);
  }

  async trimThrough(seq: number, at: string): Promise<{ removed: number }> {
    const all = await this.backend.range(Number.MAX_SAFE_INTEGER);
    const last = all.find((e) => e.fields.h !== undefined && Number(e.fields.seq) === seq);
    if (!last) return { removed: 0 };
    const doomed = all.slice(0, all.indexOf(last) + 1);
    // The checkpoint goes first: if the process dies between the two steps, verify still starts from it.
    await this.append({ type: AuditEvents.auditCheckpoint, at, through: String(seq), lastHash: last.fields.h!, count: String(doomed.length) });
    for (let i = 0; i < doomed.length; i += 500) await this.backend.remove(doomed.slice(i, i + 500).map((e) => e.id));
    return { removed: doomed.length };
  }
}

export class MemoryAuditLog implements ChainedAuditLog {
  /** The events as appended (without chain fields). */
  readonly events: AuditEvent[] = [];
  readonly stored: StoredEntry[] = [];
  #seq = 0;
  readonly #chain: Chain;
  constructor(opts: Partial<ChainOptions> = {}) {
    const self = this;
    const backend: ChainBackend = {
      async head() {
        const last = [...self.stored].reverse().find((e) => e.fields.h !== undefined);
        return last ? { seq: Number(last.fields.seq), h: last.fields.h!, id: last.id } : undefined;
      },
      async appendIf(expected, _next, fields) {
        const cur = await this.head();
        if ((cur?.seq ?? -1) !== (expected?.seq ?? -1) || (cur?.h ?? '') !== (expected?.h ?? '')) return { ok: false, head: cur };
        const id = `${Date.now()}-${self.#seq++}`;
        self.stored.push({ id, fields: { ...fields } });
        return { ok: true, id };
      },
      async range(limit) { return self.stored.slice(0, limit).map((e) => ({ id: e.id, fields: { ...e.fields } })); },
      async remove(ids) {
        const s = new Set(ids);
        for (let i = self.stored.length - 1; i >= 0; i--) if (s.has(self.stored[i]!.id)) self.stored.splice(i, 1);
      },
    };
    this.#chain = new Chain(backend, opts.chainKey ?? randomBytes(32), instanceWord(opts.instance));
  }
  async append(event: AuditEvent): Promise<void> {
    const fields = checkAuditEvent(event);
    await this.#chain.append(fields);
    this.events.push(Object.freeze({ ...event }));
  }
  async read(opts: { limit?: number } = {}): Promise<AuditEvent[]> { return this.events.slice(0, opts.limit ?? 100_000); }
  async entries(opts: { limit?: number } = {}): Promise<StoredEntry[]> { return this.stored.slice(0, opts.limit ?? Number.MAX_SAFE_INTEGER).map((e) => ({ id: e.id, fields: { ...e.fields } })); }
  async head(): Promise<ChainHead | undefined> {
    const last = [...this.stored].reverse().find((e) => e.fields.h !== undefined);
    return last ? { seq: Number(last.fields.seq), h: last.fields.h!, id: last.id } : undefined;
  }
  async trimThrough(seq: number, at: string) { return this.#chain.trimThrough(seq, at); }
}

export const AUDIT_STREAM_KEY = 'tl:audit';
/** The head key of a stream: its hash tag is the stream's name, so both live in one cluster slot. */
export const auditHeadKey = (stream: string) => `tl:{${stream}}:head`;

// KEYS[1] stream, KEYS[2] head. ARGV: expected seq ('' = no chain yet), expected hash, new seq, new hash, fields...
const APPEND_IF = `
local cur = redis.call('HMGET', KEYS[2], 'seq', 'h')
local seq = cur[1] or ''
local h = cur[2] or ''
if seq ~= ARGV[1] or h ~= ARGV[2] then return {0, seq, h} end
local f = {}
for i = 5, #ARGV do f[#f + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[1], '*', unpack(f))
redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'h', ARGV[4], 'id', id)
return {1, id}`;

/** The chained audit log on a Redis stream. No TTL: entries leave only through a checkpoint (retention sweep). */
export class RedisStreamAuditLog implements ChainedAuditLog {
  readonly #client: RedisClientType;
  readonly #key: string;
  readonly #head: string;
  readonly #chain: Chain;
  constructor(client: RedisClientType, key: string, opts: ChainOptions) {
    this.#client = client;
    this.#key = key;
    this.#head = auditHeadKey(key);
    const r = client;
    const stream = key;
    const headKey = this.#head;
    const backend: ChainBackend = {
      head: () => this.head(),
      async appendIf(expected, next, fields) {
        let res: unknown;
        try {
          res = await r.eval(APPEND_IF, { keys: [stream, headKey], arguments: [expected ? String(expected.seq) : '', expected?.h ?? '', String(next.seq), next.h, ...Object.entries(fields).flat()] });
        } catch (cause) {
          throw storageError(cause);
        }
        const a = res as [number, string, string?];
        if (Number(a[0]) === 1) return { ok: true, id: String(a[1]) };
        return { ok: false, head: a[1] ? { seq: Number(a[1]), h: String(a[2] ?? '') } : undefined };
      },
      range: (limit) => this.entries({ limit }),
      async remove(ids) { try { if (ids.length) await r.xDel(stream, ids); } catch (cause) { throw storageError(cause); } },
    };
    this.#chain = new Chain(backend, opts.chainKey, instanceWord(opts.instance));
  }

  get streamKey(): string { return this.#key; }
  get headKey(): string { return this.#head; }

  async append(event: AuditEvent): Promise<void> {
    const fields = checkAuditEvent(event);
    try {
      await this.#chain.append(fields);
    } catch (cause) {
      if (cause instanceof GuardError && cause.code === 'ERR_AUDIT_APPEND_FAILED') throw cause;
      throw new GuardError('ERR_AUDIT_APPEND_FAILED', { cause });
    }
  }

  async head(): Promise<ChainHead | undefined> {
    try {
      const h = await this.#client.hGetAll(this.#head);
      return h.seq !== undefined && h.h !== undefined ? { seq: Number(h.seq), h: h.h, ...(h.id ? { id: h.id } : {}) } : undefined;
    } catch (cause) {
      throw storageError(cause);
    }
  }

  async entries(opts: { limit?: number } = {}): Promise<StoredEntry[]> {
    const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
    const out: StoredEntry[] = [];
    let start = '-';
    try {
      while (out.length < limit) {
        const rows = (await this.#client.xRange(this.#key, start, '+', { COUNT: Math.min(1000, limit - out.length) })) ?? [];
        for (const row of rows) out.push({ id: row.id, fields: { ...(row.message as Record<string, string>) } });
        if (rows.length < 1000) break;
        start = `(${rows[rows.length - 1]!.id}`;
      }
    } catch (cause) {
      throw new GuardError('ERR_STORAGE_UNAVAILABLE', { cause });
    }
    return out;
  }

  async read(opts: { limit?: number } = {}): Promise<AuditEvent[]> {
    return (await this.entries({ limit: opts.limit ?? 100_000 })).map((e) => eventOf(e.fields));
  }

  async trimThrough(seq: number, at: string) { return this.#chain.trimThrough(seq, at); }
}
