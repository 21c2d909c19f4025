/**
 * Turns a live activity into a stored transcript entry. An allow-list, not a deny-list: only the fields below are
 * kept, each string through the redactor; everything else (channelData with its tokens, entities, raw ids,
 * serviceUrl, uploaded file URLs and bytes) is never stored. Works on a deep clone (botbuilder's clone is shallow).
 */
import type { Activity } from 'botbuilder';
import type { Finding, ProfileValues, Redactor, TagState, TokenEntry } from '../pii/index.js';

export type Role = 'user' | 'bot' | 'agent';

export interface StoredAttachment {
  contentType: string;
  /** Redacted file name; the file itself is never stored. */
  name?: string;
  /** Redacted card content (Adaptive/Hero cards); absent for uploads. */
  content?: unknown;
  upload?: true;
}

export interface TranscriptEntry {
  /** Stable id of the entry within its conversation (keyed hash of the activity id). */
  id: string;
  seq: number;
  type: string;
  role: Role;
  timestamp: string;
  locale?: string;
  text?: string;
  speak?: string;
  attachments?: StoredAttachment[];
  suggestedActions?: string[];
  value?: unknown;
  name?: string;
  /** Where personal data was taken out: field path, type, offsets in the stored text, recognizer, operator. */
  findings: (Omit<Finding, 'score'> & { field: string })[];
  edited?: true;
}

export interface RedactContext {
  redactor: Redactor;
  locale?: string;
  profile?: ProfileValues;
  tagState?: TagState;
  /** Replace the incoming text with this fixed text instead of redacting it (e.g. a typed one-time code). */
  replaceText?: string;
  /**
   * Strings known to hold nothing to redact (the bot's own fixed replies recur every turn). Only for outgoing
   * activities without a profile: the cache never decides for customer text. In memory only, bounded.
   */
  cleanCache?: CleanTextCache;
}

export class CleanTextCache {
  readonly #set = new Set<string>();
  constructor(private readonly max = 2000, private readonly maxLength = 2000) {}
  has(s: string): boolean { return this.#set.has(s); }
  add(s: string): void {
    if (s.length > this.maxLength) return;
    if (this.#set.size >= this.max) this.#set.delete(this.#set.values().next().value!);
    this.#set.add(s);
  }
}

const MAX_STRING = 20_000;
const MAX_DEPTH = 12;

class EntryBuilder {
  readonly findings: TranscriptEntry['findings'] = [];
  readonly tokens: TokenEntry[] = [];
  constructor(private readonly ctx: RedactContext) {}

  text(field: string, s: string): string {
    // Oversized strings are cut before redaction: the tail is dropped, never stored unredacted.
    const input = s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s;
    const cache = this.ctx.profile ? undefined : this.ctx.cleanCache;
    if (cache?.has(input)) return input;
    const r = this.ctx.redactor.redact(input, {
      ...(this.ctx.locale ? { locale: this.ctx.locale } : {}),
      ...(this.ctx.profile ? { profile: this.ctx.profile } : {}),
      ...(this.ctx.tagState ? { tagState: this.ctx.tagState } : {}),
    });
    if (r.findings.length === 0) cache?.add(input);
    for (const f of r.findings) this.findings.push({ field, type: f.type, start: f.start, end: f.end, recognizer: f.recognizer, ...(f.operator ? { operator: f.operator } : {}) });
    this.tokens.push(...r.tokens);
    return r.text;
  }

  /** Every string inside a JSON value is redacted; keys are kept only when they are plain identifiers. */
  json(field: string, v: unknown, depth = 0): unknown {
    if (depth > MAX_DEPTH) return undefined;
    if (typeof v === 'string') return this.text(field, v);
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
    if (Array.isArray(v)) return v.slice(0, 200).map((x, i) => this.json(`${field}[${i}]`, x, depth + 1));
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 200)) {
        if (!/^[A-Za-z_$][\w$.-]{0,63}$/.test(k) || k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
        // URLs of images, files and actions can hold signed tokens or personal data: never stored.
        if (/^(url|contentUrl|thumbnailUrl|image|src|href|token)$/i.test(k)) continue;
        out[k] = this.json(`${field}.${k}`, x, depth + 1);
      }
      return out;
    }
    return undefined;
  }
}

export function roleOf(activity: Partial<Activity>, direction: 'in' | 'out'): Role {
  if (direction === 'in') return 'user';
  const role = (activity.from as { role?: string } | undefined)?.role;
  return role === 'agent' ? 'agent' : 'bot';
}

/** The fields of an activity a transcript entry (and the guard) can use; everything else is never read. */
const SNAPSHOT_FIELDS = ['type', 'id', 'channelId', 'locale', 'text', 'speak', 'name', 'timestamp'] as const;

/**
 * A copy of what the transcript keeps of an incoming activity, taken when the turn starts: later steps may change
 * the live activity (a typed code is replaced, text is normalised). Only those fields are copied, and only the
 * structured ones deep-cloned: cloning the whole activity (channel data, entities, Teams' tenant and user blocks)
 * cost more than redacting it. A value that cannot be cloned is left out of the entry, never kept by reference.
 */
export function transcriptSnapshot(activity: Partial<Activity>): Partial<Activity> {
  const src = activity as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const put = (f: string, v: unknown) => {
    if (v === undefined) return;
    if (typeof v !== 'object' || v === null) { out[f] = v; return; }
    try { out[f] = structuredClone(v); } catch { /* not cloneable: left out */ }
  };
  for (const f of SNAPSHOT_FIELDS) put(f, src[f]);
  const conv = activity.conversation as { id?: unknown } | undefined;
  if (conv && conv.id !== undefined) out['conversation'] = { id: conv.id };
  for (const f of ['value', 'attachments', 'suggestedActions'] as const) put(f, src[f]);
  return out as Partial<Activity>;
}

/**
 * Redacts one activity into an entry. Throws if redaction throws: the caller drops the entry (fail closed).
 */
export function redactActivity(a: Partial<Activity>, meta: { id: string; seq: number; direction: 'in' | 'out'; now: Date }, ctx: RedactContext): { entry: TranscriptEntry; tokens: TokenEntry[] } {
  // Reads the activity and builds the entry from new values only (json() copies): the source is never changed and
  // nothing of it is shared with the entry, so no clone is needed here.
  const b = new EntryBuilder(ctx);
  // Channel fields are whatever JSON the caller sent: only strings and numbers are read as such, so an object like
  // {"toString": 1} (which makes String() and new Date() throw) cannot make the entry fail and be dropped.
  const ts = typeof a.timestamp === 'string' || typeof a.timestamp === 'number' ? new Date(a.timestamp) : a.timestamp instanceof Date ? a.timestamp : meta.now;
  const entry: TranscriptEntry = {
    id: meta.id,
    seq: meta.seq,
    type: typeof a.type === 'string' ? a.type.slice(0, 64) : 'unknown',
    role: roleOf(a, meta.direction),
    timestamp: (Number.isNaN(ts.getTime()) ? meta.now : ts).toISOString(),
    findings: b.findings,
  };
  if (typeof a.locale === 'string') entry.locale = a.locale.slice(0, 16);
  if (typeof a.text === 'string') entry.text = ctx.replaceText ?? b.text('text', a.text);
  if (typeof a.speak === 'string') entry.speak = ctx.replaceText ?? b.text('speak', a.speak);
  if (typeof a.name === 'string' && a.type === 'event') entry.name = a.name.slice(0, 128).replace(/[^\w.:-]/g, '');
  if (a.value !== undefined && ctx.replaceText === undefined) entry.value = b.json('value', a.value);
  if (Array.isArray(a.attachments) && a.attachments.length) {
    entry.attachments = a.attachments.slice(0, 20).map((raw, i) => {
      const att = (raw && typeof raw === 'object' ? raw : {}) as Partial<NonNullable<Activity['attachments']>[number]>;
      const contentType = typeof att.contentType === 'string' ? att.contentType.slice(0, 128) : 'application/octet-stream';
      const out: StoredAttachment = { contentType };
      if (typeof att.name === 'string') out.name = b.text(`attachments[${i}].name`, att.name.slice(0, 256));
      const isCard = contentType.startsWith('application/vnd.microsoft.card.');
      if (isCard && att.content !== undefined) out.content = b.json(`attachments[${i}].content`, att.content);
      if (!isCard) out.upload = true;
      return out;
    });
  }
  const actions = a.suggestedActions?.actions;
  if (Array.isArray(actions) && actions.length) {
    entry.suggestedActions = actions.slice(0, 50).map((raw, i) => {
      const x = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      const label = [x['title'], x['text'], x['displayText'], x['value']].find((v) => typeof v === 'string' || typeof v === 'number');
      return b.text(`suggestedActions[${i}]`, (label === undefined ? '' : String(label)).slice(0, 500));
    });
  }
  return { entry, tokens: b.tokens };
}
