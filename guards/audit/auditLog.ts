/**
 * The audit log (AUD-1): PII-free events, appended, never edited. An event names what happened with pseudonyms
 * only (random subject pseudonyms from the subject index, keyed hashes of channel users and conversations), never
 * a contact point, a code, a name or a raw channel id. The compliance issue adds the hash chain on top of this
 * interface; the Redis implementation is an append-only stream (`XADD` only, no trimming).
 */
import type { RedisClientType } from 'redis';
import { GuardError } from '../errors.js';

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
} as const;
export type AuditEventType = (typeof AuditEvents)[keyof typeof AuditEvents];

/** Every field is a fixed word or a pseudonym. */
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
  /** Id of what a staff member acted on: reveal token, account id, route id. */
  object?: string;
}

const FIELDS: readonly (keyof AuditEvent)[] = ['type', 'at', 'subject', 'conversation', 'channel', 'method', 'purpose', 'outcome', 'noticeVersion', 'noticeHash', 'purposes', 'actor', 'object'];
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

export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Events in append order (data-subject access summaries, compliance); optional for append-only sinks. */
  read?(opts?: { limit?: number }): Promise<AuditEvent[]>;
}

export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  async append(event: AuditEvent): Promise<void> {
    checkAuditEvent(event);
    this.events.push(Object.freeze({ ...event }));
  }
  async read(opts: { limit?: number } = {}): Promise<AuditEvent[]> { return this.events.slice(0, opts.limit ?? 100_000); }
}

export const AUDIT_STREAM_KEY = 'tl:audit';

/** Append-only Redis stream `tl:audit`. No TTL and no trimming: retention of audit entries is compliance's call. */
export class RedisStreamAuditLog implements AuditLog {
  readonly #client: RedisClientType;
  readonly #key: string;
  constructor(client: RedisClientType, key = AUDIT_STREAM_KEY) {
    this.#client = client;
    this.#key = key;
  }

  async append(event: AuditEvent): Promise<void> {
    const fields = checkAuditEvent(event);
    try {
      await this.#client.xAdd(this.#key, '*', fields);
    } catch (cause) {
      throw new GuardError('ERR_AUDIT_APPEND_FAILED', { cause });
    }
  }

  async read(opts: { limit?: number } = {}): Promise<AuditEvent[]> {
    const limit = opts.limit ?? 100_000;
    const out: AuditEvent[] = [];
    let start = '-';
    try {
      while (out.length < limit) {
        const rows = (await this.#client.xRange(this.#key, start, '+', { COUNT: Math.min(1000, limit - out.length) })) ?? [];
        for (const r of rows) out.push(r.message as unknown as AuditEvent);
        if (rows.length === 0 || rows.length < 1000) break;
        start = `(${rows[rows.length - 1]!.id}`;
      }
    } catch (cause) {
      throw new GuardError('ERR_STORAGE_UNAVAILABLE', { cause });
    }
    return out;
  }
}
