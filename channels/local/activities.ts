import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';

/**
 * Activity building for the local channel. The page's activity is input, never a template: the server builds the
 * real activity from a whitelist of fields, and everything that names a party (from, recipient, conversation,
 * serviceUrl, channelId, id, timestamp) comes from the session and the server.
 */

export const LIMITS = {
  /** Characters of `text` a page message may carry; longer is refused (413), not truncated behind the user's back. */
  textChars: 4000,
  /** Serialized size of `value` (card submits, events). */
  valueBytes: 16384,
  /** Nesting depth of `value`. */
  valueDepth: 16,
  /** Event names. */
  nameChars: 128,
  /** Nesting depth of a bot activity (Adaptive Cards nest deeply, but not this deep). */
  botActivityDepth: 64,
} as const;

export const PAGE_ACTIVITY_TYPES = ['message', 'event', 'conversationUpdate'] as const;
export type PageActivityType = (typeof PAGE_ACTIVITY_TYPES)[number];

/** Why a page activity was refused; a log field, never a message to the caller. */
export type PageActivityFault = 'not_object' | 'type' | 'text' | 'text_too_long' | 'value' | 'name' | 'empty';

export class PageActivityError extends Error {
  constructor(readonly fault: PageActivityFault) {
    super(fault);
    this.name = 'PageActivityError';
  }
}

export interface Party {
  id: string;
  name?: string;
  role: 'user' | 'bot';
}

export interface SessionParties {
  user: Party;
  bot: Party;
  conversationId: string;
  serviceUrl: string;
  locale: string | undefined;
}

/** The whitelisted part of a page activity, already validated. */
export interface PageActivity {
  type: PageActivityType;
  text?: string;
  value?: unknown;
  name?: string;
  locale?: string;
  /** Web Chat's correlation id; returned on the echo only, never given to the bot. */
  clientActivityId?: string;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// BCP 47 in the shapes browsers produce (en, en-GB, zh-Hant-TW, de-DE-1996); misses private-use and grandfathered tags.
const LOCALE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;
// Web Chat's clientActivityID is a short random token; anything else is dropped, not echoed.
const CLIENT_ACTIVITY_ID = /^[A-Za-z0-9._-]{1,64}$/;
// Event names are identifiers ("webchat/join", "tl.locale"); no spaces, no markup.
const EVENT_NAME = /^[A-Za-z0-9._:/-]+$/;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** JSON-only data, bounded depth, no prototype-shaped keys; returns a fresh copy. */
export function cleanJsonValue(v: unknown, depth = 0, maxDepth: number = LIMITS.valueDepth): unknown {
  if (depth > maxDepth) throw new PageActivityError('value');
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new PageActivityError('value');
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => cleanJsonValue(x, depth + 1, maxDepth));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (FORBIDDEN_KEYS.has(k)) throw new PageActivityError('value');
      out[k] = cleanJsonValue(x, depth + 1, maxDepth);
    }
    return out;
  }
  throw new PageActivityError('value');
}

export function validLocale(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 35 && LOCALE.test(v) ? v : undefined;
}

/** Validates a page activity and keeps only the whitelisted fields. Attachments and channelData are dropped. */
export function parsePageActivity(body: unknown): PageActivity {
  if (!isPlainObject(body)) throw new PageActivityError('not_object');
  const type = body['type'];
  if (typeof type !== 'string' || !(PAGE_ACTIVITY_TYPES as readonly string[]).includes(type)) {
    throw new PageActivityError('type');
  }
  const out: PageActivity = { type: type as PageActivityType };

  const text = body['text'];
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') throw new PageActivityError('text');
    if (text.length > LIMITS.textChars) throw new PageActivityError('text_too_long');
    if (type === 'message') out.text = text;
  }

  const value = body['value'];
  if (value !== undefined && type !== 'conversationUpdate') {
    const clean = cleanJsonValue(value);
    if (Buffer.byteLength(JSON.stringify(clean)) > LIMITS.valueBytes) throw new PageActivityError('value');
    out.value = clean;
  }

  if (type === 'event') {
    const name = body['name'];
    if (typeof name !== 'string' || name.length === 0 || name.length > LIMITS.nameChars || !EVENT_NAME.test(name)) {
      throw new PageActivityError('name');
    }
    out.name = name;
  }

  if (type === 'message' && (out.text === undefined || out.text.trim() === '') && out.value === undefined) {
    throw new PageActivityError('empty');
  }

  const locale = validLocale(body['locale']);
  if (locale) out.locale = locale;

  const channelData = body['channelData'];
  if (isPlainObject(channelData)) {
    const cid = channelData['clientActivityID'];
    if (typeof cid === 'string' && CLIENT_ACTIVITY_ID.test(cid)) out.clientActivityId = cid;
  }
  return out;
}

export function newActivityId(): string {
  return randomBytes(12).toString('base64url');
}

/** The activity the bot receives for a page activity. */
/** The fields every activity of this channel carries; ids and addresses come from the server's session only. */
function channelActivity(type: string, parties: SessionParties, id: string, timestamp: string): Record<string, unknown> {
  return {
    type,
    id,
    timestamp,
    channelId: 'webchat',
    serviceUrl: parties.serviceUrl,
    from: { ...parties.user },
    recipient: { ...parties.bot },
    conversation: { id: parties.conversationId },
  };
}

export function buildUserActivity(page: PageActivity, parties: SessionParties, id: string, timestamp: string): Partial<Activity> {
  const activity = channelActivity(page.type, parties, id, timestamp);
  const locale = page.locale ?? parties.locale;
  if (locale) activity['locale'] = locale;
  if (page.text !== undefined) {
    activity['text'] = page.text;
    activity['textFormat'] = 'plain';
  }
  if (page.value !== undefined) activity['value'] = structuredClone(page.value);
  if (page.name !== undefined) activity['name'] = page.name;
  return activity as Partial<Activity>;
}

/** The `conversationUpdate` sent to the bot when the page first connects, so it can greet. */
export function buildJoinActivity(parties: SessionParties, id: string, timestamp: string): Partial<Activity> {
  const activity = channelActivity('conversationUpdate', parties, id, timestamp);
  activity['membersAdded'] = [{ id: parties.user.id, name: parties.user.name ?? 'User', role: 'user' }];
  if (parties.locale) activity['locale'] = parties.locale;
  return activity as Partial<Activity>;
}

/** What the page sees of its own activity: the real activity plus Web Chat's correlation id. */
export function buildEcho(delivered: Partial<Activity>, clientActivityId: string | undefined): Record<string, unknown> {
  const echo = structuredClone(delivered) as Record<string, unknown>;
  delete echo['serviceUrl'];
  if (clientActivityId) echo['channelData'] = { clientActivityID: clientActivityId };
  return echo;
}

/**
 * What the page sees of a bot activity posted to the connector. The connector is authoritative for the id, the
 * timestamp, the conversation and the parties' roles, so the bot can never make its words look like the user's.
 */
export function buildBotActivityForPage(
  body: Record<string, unknown>,
  parties: SessionParties,
  id: string,
  timestamp: string,
): Record<string, unknown> {
  const copy = structuredClone(body);
  delete copy['serviceUrl'];
  const from = isPlainObject(copy['from']) ? copy['from'] : {};
  return {
    ...copy,
    id,
    timestamp,
    channelId: 'webchat',
    conversation: { id: parties.conversationId },
    from: {
      id: typeof from['id'] === 'string' ? from['id'] : parties.bot.id,
      name: typeof from['name'] === 'string' ? from['name'] : parties.bot.name,
      role: 'bot',
    },
    recipient: { id: parties.user.id, role: 'user' },
  };
}

/** Minimal shape check of what the bot posts: a JSON object with a short string `type`. */
export function isBotActivityBody(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const type = v['type'];
  if (typeof type !== 'string' || type.length === 0 || type.length > 64) return false;
  try {
    cleanJsonValue(v, 0, LIMITS.botActivityDepth);
  } catch {
    return false;
  }
  return true;
}
