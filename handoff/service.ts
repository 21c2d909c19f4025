/**
 * The handoff: escalation into the shared queue, claim, live relay both ways, reveal, hand back and close, and the
 * callback/email offer when nobody takes a waiting customer in time. Shared by every instance through Redis (store +
 * pub/sub); any instance can serve any agent, and any instance can speak to any customer through the bot's
 * proactive messaging with the stored (sealed) conversation reference.
 *
 * What agents see is redacted by the PII engine: revealable types become reversible tokens `[TOKEN:...]` (their
 * values sealed under the conversation owner's key), everything else its configured operator; card numbers are never
 * tokenised (the token operator refuses them) and one-time codes never revealable.
 */
import { randomBytes } from 'node:crypto';
import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { TrustlineAdapter } from '../bots/adapter.js';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import type { Pseudonymizer } from '../guards/crypto/pseudonym.js';
import type { OwnerResolver } from '../guards/storage/encryptedStorage.js';
import type { EntityType, OperatorName, ProfileValues, Redactor } from '../guards/pii/index.js';
import type { EncryptedTranscriptStore } from '../guards/transcripts/transcriptStore.js';
import { AuditEvents, type AuditEvent, type AuditLog } from '../guards/audit/auditLog.js';
import { GuardError } from '../guards/errors.js';
import { TurnKeys, type ConsentDecision, type VerifiedSubject } from '../guards/turnState.js';
import { t, type MessageId } from '../dialogs/messages.js';
import { langFromLocale, type Lang } from '../dialogs/language.js';
import { redactStaffText } from '../guards/pii/staffText.js';
import { HandoffStore, isConversationId, type EscalationReason, type HandoffMeta, type RelayedMessage, type RevealRecord } from './store.js';
import type { RelayBus } from './relay.js';
import { ridField } from '../guards/log/correlation.js';

export const HANDOFF_EVENTS = {
  queued: 'handoff.queued',
  claimed: 'handoff.claimed',
  ended: 'handoff.ended',
  offered: 'handoff.offered',
  revealed: 'handoff.revealed',
  deliveryFailed: 'handoff.delivery_failed',
  sweepFailed: 'handoff.sweep_failed',
} as const;

export const REVEAL_PURPOSES = ['customer_request', 'verify_details', 'correct_record', 'fraud_check', 'other'] as const;
export type RevealPurpose = (typeof REVEAL_PURPOSES)[number];
const TOKEN = /^\[TOKEN:[0-9a-f]{10}\]$/;
const MAX_AGENT_TEXT = 4000;

export interface HandoffServiceOptions {
  store: HandoffStore;
  bus: RelayBus;
  adapter: TrustlineAdapter;
  /** Bot app id for proactive messaging ('' in development: the local connector needs no credentials). */
  botAppId: string;
  redactor: Redactor;
  pseudonyms: Pseudonymizer;
  owners: OwnerResolver;
  transcripts: EncryptedTranscriptStore;
  audit: AuditLog;
  log: Logger;
  now: () => number;
  offerAfterSeconds: number;
  minutesPerCustomer: number;
  revealableTypes: readonly string[];
  /** Keep relayed messages after the handoff ends when no consent decision was made this turn. */
  defaultKeep: boolean;
}

export interface QueueItem {
  id: string;
  state: 'queued' | 'offered' | 'followup';
  waitingSeconds: number;
  reason: EscalationReason;
  intent: string;
  verified: boolean;
  lang: string;
  channel: string;
  followup?: 'callback' | 'email';
  /** Redacted; revealable values shown only by their type (`[EMAIL]`), never as tokens before a claim. */
  preview: string;
}

export interface ConversationView {
  id: string;
  state: string;
  reason: EscalationReason;
  intent: string;
  verified: boolean;
  lang: string;
  channel: string;
  queuedAt: string;
  claimedAt?: string;
  /** The redacted transcript before the escalation (empty when the customer chose not to keep transcripts). */
  transcript: { role: string; text: string; at: string }[];
  messages: RelayedMessage[];
}

const FOLLOWUP_WORDS: Record<'callback' | 'email', Record<Lang, string>> = {
  callback: { en: 'by phone', de: 'per Rückruf', fr: 'par téléphone', es: 'por teléfono' },
  email: { en: 'by email', de: 'per E-Mail', fr: 'par e-mail', es: 'por correo' },
};

export class HandoffService {
  readonly #o: HandoffServiceOptions;
  readonly #tokenOps: Partial<Record<EntityType, OperatorName>>;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(o: HandoffServiceOptions) {
    this.#o = o;
    this.#tokenOps = Object.fromEntries(o.revealableTypes.map((ty) => [ty, 'token'])) as Partial<Record<EntityType, OperatorName>>;
  }

  get store(): HandoffStore { return this.#o.store; }

  conversationOf(context: TurnContext): string {
    const a = context.activity;
    return this.#o.pseudonyms.conversationOwner(String(a.channelId ?? 'unknown'), String(a.conversation?.id ?? ''));
  }

  async #ownerOf(context: TurnContext): Promise<string> {
    const a = context.activity;
    return this.#o.owners.ownerOf(`${String(a.channelId ?? 'unknown')}/conversations/${String(a.conversation?.id ?? '')}/`);
  }

  async #audit(e: Omit<AuditEvent, 'at'>): Promise<void> {
    await this.#o.audit.append({ ...e, at: new Date(this.#o.now()).toISOString() });
  }

  /** Redacts for the agent's eyes: revealable types as tokens (returned for sealing), the rest by configuration. */
  redactForAgent(text: string, locale: string | undefined, profile?: ProfileValues): { text: string; tokens: { token: string; type: string; value: string }[] } {
    const r = this.#o.redactor.redact(text.slice(0, MAX_AGENT_TEXT), { ...(locale ? { locale } : {}), ...(profile ? { profile } : {}), operators: this.#tokenOps });
    return { text: r.text, tokens: r.tokens.filter((x) => x.type !== 'CREDIT_CARD' && x.type !== 'OTP_CODE').map((x) => ({ token: x.token, type: x.type, value: x.value })) };
  }

  async #estimateMinutes(): Promise<number> {
    const waiting = await this.#o.store.queueLength();
    return Math.max(1, waiting) * this.#o.minutesPerCustomer;
  }

  /**
   * Queues the conversation of this turn for a person. The current message (the customer's question) becomes the
   * first relayed message. Returns the wait estimate, or `already` when the conversation is queued or assigned.
   */
  async escalate(context: TurnContext, o: { reason: EscalationReason; intent: string; lang: Lang }): Promise<{ status: 'queued' | 'already'; minutes: number }> {
    const c = this.conversationOf(context);
    const owner = await this.#ownerOf(context);
    const subject = context.turnState.get(TurnKeys.subject) as VerifiedSubject | undefined;
    const consent = context.turnState.get(TurnKeys.consent) as ConsentDecision | undefined;
    const ref = TurnContext.getConversationReference(context.activity);
    const now = this.#o.now();
    const opened = await this.#o.store.open({
      c, queuedAt: now, reason: o.reason, intent: /^[A-Za-z]{1,32}$/.test(o.intent) ? o.intent : 'none', verified: Boolean(subject), lang: o.lang,
      channel: channelWord(context.activity.channelId),
    }, owner, ref);
    if (!opened) return { status: 'already', minutes: await this.#estimateMinutes() };
    // `cut`: the transcript shown to the agent ends before the message that escalated (it is relayed itself).
    const ts = Date.parse(String(context.activity.timestamp ?? ''));
    await this.#o.store.transition(c, ['queued'], '', { keep: (consent ? consent.transcripts : this.#o.defaultKeep) ? '1' : '0', cut: String(Number.isFinite(ts) ? ts : now) });
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    if (text.trim()) await this.#relay(c, owner, 'user', text, context.activity.locale, subject?.profile);
    await this.#audit({ type: AuditEvents.handoffQueued, conversation: c, channel: channelWord(context.activity.channelId), outcome: o.reason });
    this.#o.log.info({ ...ridField(context), reason: o.reason }, HANDOFF_EVENTS.queued);
    await this.#o.bus.publish({ kind: 'queued', c });
    return { status: 'queued', minutes: await this.#estimateMinutes() };
  }

  async #relay(c: string, owner: string, role: RelayedMessage['role'], text: string, locale: string | undefined, profile?: ProfileValues): Promise<string> {
    const r = this.redactForAgent(text, locale, profile);
    const id = await this.#o.store.addMessage(c, owner, { role, text: r.text, tokens: r.tokens.map(({ token, type }) => ({ token, type })), at: new Date(this.#o.now()).toISOString() }, r.tokens);
    await this.#o.bus.publish({ kind: 'message', c, id });
    return id;
  }

  /** A customer message while a handoff is live: relayed to the agent (redacted), never answered by the bot. */
  async customerMessage(context: TurnContext, c: string, profile?: ProfileValues): Promise<void> {
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    if (!text.trim()) return;
    const owner = (await this.#o.store.owner(c)) ?? (await this.#ownerOf(context));
    await this.#relay(c, owner, 'user', text, context.activity.locale, profile);
  }

  /** The customer left the queue before anyone took it. */
  async cancel(c: string): Promise<boolean> {
    const meta = await this.#o.store.meta(c);
    if (!meta) return false;
    const ok = await this.#o.store.transition(c, ['queued', 'offered'], '', { state: 'ended', endedAt: String(this.#o.now()), outcome: 'cancelled' });
    if (!ok) return false;
    await this.#finish(meta, 'cancelled');
    return true;
  }

  /** The customer chose a callback or an email after the offer: the conversation stays listed as a follow-up. */
  async chooseFollowup(c: string, method: 'callback' | 'email'): Promise<boolean> {
    const ok = await this.#o.store.transition(c, ['offered', 'queued'], '', { state: 'followup', followup: method });
    if (ok) await this.#o.bus.publish({ kind: 'followup', c });
    return ok;
  }

  followupWord(method: 'callback' | 'email', lang: Lang): string { return FOLLOWUP_WORDS[method][lang]; }

  async #finish(meta: HandoffMeta, outcome: string, actor?: string, rid?: string): Promise<void> {
    await this.#o.store.removeFromQueue(meta.c, meta.entry);
    const keep = (await this.#o.store.field(meta.c, 'keep')) === '1';
    // Without consent to keep transcripts, the relayed messages live only as long as the handoff.
    if (!keep) await this.#o.store.dropMessages(meta.c);
    await this.#audit({ type: AuditEvents.handoffEnded, conversation: meta.c, outcome, ...(actor ? { actor } : {}) });
    this.#o.log.info({ ...ridField(rid), outcome }, HANDOFF_EVENTS.ended);
    await this.#o.bus.publish({ kind: 'ended', c: meta.c });
  }

  // --- agent side -----------------------------------------------------------------------------------------------

  async queue(): Promise<QueueItem[]> {
    const now = this.#o.now();
    const out: QueueItem[] = [];
    for (const e of await this.#o.store.queueEntries()) {
      const meta = await this.#o.store.meta(e.c);
      if (!meta || (meta.state !== 'queued' && meta.state !== 'offered' && meta.state !== 'followup')) continue;
      const msgs = await this.#o.store.messages(e.c);
      const last = [...msgs].reverse().find((m) => m.role === 'user');
      out.push({
        id: e.c, state: meta.state, waitingSeconds: Math.max(0, Math.round((now - meta.queuedAt) / 1000)), reason: meta.reason, intent: meta.intent,
        verified: meta.verified, lang: meta.lang, channel: meta.channel, ...(meta.followup ? { followup: meta.followup } : {}),
        preview: last ? typeTags(last).slice(0, 200) : '',
      });
    }
    return out;
  }

  /** Claims a waiting conversation. False (-> 404) when it is not waiting, whoever has it. */
  async claim(staffId: string, c: string, rid?: string): Promise<boolean> {
    const meta = await this.#o.store.meta(c);
    if (!meta) return false;
    const ok = await this.#o.store.transition(c, ['queued', 'offered', 'followup'], '', { state: 'assigned', agent: staffId, claimedAt: String(this.#o.now()) });
    if (!ok) return false;
    await this.#o.store.removeFromQueue(c, meta.entry);
    await this.#audit({ type: AuditEvents.handoffClaimed, conversation: c, actor: staffId });
    this.#o.log.info({ ...ridField(rid) }, HANDOFF_EVENTS.claimed);
    await this.#o.bus.publish({ kind: 'claimed', c });
    await this.#tellCustomer(c, 'handoffAgentJoined', meta.lang as Lang, rid);
    return true;
  }

  /** The conversation if, and only if, `staffId` holds it now. */
  async #owned(staffId: string, c: string): Promise<HandoffMeta | undefined> {
    if (!isConversationId(c)) return undefined;
    const meta = await this.#o.store.meta(c);
    return meta && meta.state === 'assigned' && meta.agent === staffId ? meta : undefined;
  }

  async owns(staffId: string, c: string): Promise<boolean> {
    return Boolean(await this.#owned(staffId, c));
  }

  /** The whole redacted conversation for its agent (audited as a view). */
  async view(staffId: string, c: string): Promise<ConversationView | undefined> {
    const meta = await this.#owned(staffId, c);
    if (!meta) return undefined;
    const cut = Number(await this.#o.store.field(c, 'cut')) || meta.queuedAt;
    const { entries } = await this.#o.transcripts.list(c);
    const transcript = entries
      .filter((e) => e.type === 'message' && typeof e.text === 'string' && Date.parse(e.timestamp) < cut)
      .map((e) => ({ role: e.role, text: e.text!, at: e.timestamp }));
    const messages = await this.#o.store.messages(c);
    await this.#audit({ type: AuditEvents.handoffViewed, conversation: c, actor: staffId });
    return {
      id: c, state: meta.state, reason: meta.reason, intent: meta.intent, verified: meta.verified, lang: meta.lang, channel: meta.channel,
      queuedAt: new Date(meta.queuedAt).toISOString(), ...(meta.claimedAt ? { claimedAt: new Date(meta.claimedAt).toISOString() } : {}),
      transcript, messages,
    };
  }

  /** One relayed message for its agent (the live stream reads through this, so ownership is checked per message). */
  async messagesFor(staffId: string, c: string, afterId: string): Promise<RelayedMessage[] | undefined> {
    if (!(await this.#owned(staffId, c))) return undefined;
    return this.#o.store.messages(c, afterId);
  }

  /** The agent writes to the customer: recorded redacted, delivered through proactive messaging. */
  async send(staffId: string, c: string, text: string, rid?: string): Promise<boolean> {
    const meta = await this.#owned(staffId, c);
    if (!meta) return false;
    const clean = text.replace(/\r\n?/g, '\n').slice(0, MAX_AGENT_TEXT);
    const owner = (await this.#o.store.owner(c))!;
    await this.#deliver(c, { type: ActivityTypes.Message, text: clean }, true, rid);
    await this.#relay(c, owner, 'agent', clean, undefined);
    return true;
  }

  /** Reveals one token's value to the agent who holds the conversation; audited before the value leaves. */
  async reveal(staffId: string, c: string, token: string, purpose: string, reason: string, rid?: string): Promise<{ type: string; value: string } | undefined> {
    const meta = await this.#owned(staffId, c);
    if (!meta || typeof token !== 'string' || !TOKEN.test(token)) return undefined;
    if (!(REVEAL_PURPOSES as readonly string[]).includes(purpose)) throw new GuardError('ERR_HTTP_BAD_REQUEST');
    const found = await this.#o.store.tokenValue(c, token);
    if (!found || found.type === 'CREDIT_CARD' || found.type === 'OTP_CODE' || !this.#o.revealableTypes.includes(found.type)) return undefined;
    const owner = (await this.#o.store.owner(c))!;
    const at = new Date(this.#o.now()).toISOString();
    const redactedReason = redactStaffText(this.#o.redactor, reason.slice(0, 500));
    const rec = await this.#o.store.addReveal(c, owner, { staff: staffId, token, type: found.type, purpose, reason: redactedReason, at });
    // Fail closed: without its audit entry, no value leaves.
    await this.#audit({ type: AuditEvents.handoffRevealed, conversation: c, actor: staffId, object: token.slice(7, 17), purpose, method: found.type, outcome: rec });
    this.#o.log.info({ ...ridField(rid), type: found.type, purpose }, HANDOFF_EVENTS.revealed);
    return found;
  }

  /** Hand back to the bot or close. */
  async end(staffId: string, c: string, how: 'handback' | 'close', rid?: string): Promise<boolean> {
    const meta = await this.#owned(staffId, c);
    if (!meta) return false;
    const ok = await this.#o.store.transition(c, ['assigned'], staffId, { state: 'ended', endedAt: String(this.#o.now()), outcome: how });
    if (!ok) return false;
    await this.#finish(meta, how, staffId, rid);
    await this.#tellCustomer(c, how === 'handback' ? 'handoffReturned' : 'handoffClosed', meta.lang as Lang, rid);
    return true;
  }

  async recentReveals(): Promise<RevealRecord[]> {
    return this.#o.store.recentReveals();
  }

  // --- proactive messages ---------------------------------------------------------------------------------------

  async #tellCustomer(c: string, id: MessageId, lang: Lang, rid?: string): Promise<void> {
    try {
      await this.#deliver(c, { type: ActivityTypes.Message, text: t(id, langFromLocale(lang) ?? 'en') }, false, rid);
    } catch (err) {
      this.#o.log.warn({ ...ridField(rid), err: errorFields(err) }, HANDOFF_EVENTS.deliveryFailed);
    }
  }

  /**
   * Sends through the adapter's proactive path with the stored reference, so the guards see the outgoing activity
   * (the transcript keeps it redacted) and production uses the app credentials. Agent messages carry role `agent`.
   */
  async #deliver(c: string, activity: Partial<Activity>, asAgent: boolean, rid?: string): Promise<void> {
    const ref = await this.#o.store.reference(c);
    if (!ref?.conversation || !ref.serviceUrl) throw new GuardError('ERR_HANDOFF_DELIVERY_FAILED');
    const reference = { ...ref, bot: { ...(ref.bot ?? { id: 'bot', name: 'bot' }), ...(asAgent ? { role: 'agent', name: 'Agent' } : {}) } } as ConversationReference;
    try {
      await this.#o.adapter.continueConversationAsync(this.#o.botAppId, reference, async (ctx) => {
        await ctx.sendActivity(activity);
      });
    } catch (cause) {
      this.#o.log.warn({ ...ridField(rid), err: errorFields(cause) }, HANDOFF_EVENTS.deliveryFailed);
      throw new GuardError('ERR_HANDOFF_DELIVERY_FAILED', { cause });
    }
  }

  // --- the offer when nobody takes it ---------------------------------------------------------------------------

  /** Offers a callback or an email to every customer waiting past the offer time (once each, over all instances). */
  async sweep(): Promise<number> {
    const deadline = this.#o.now() - this.#o.offerAfterSeconds * 1000;
    let n = 0;
    for (const e of await this.#o.store.queueEntries()) {
      if (e.at > deadline) break;
      if (!(await this.#o.store.transition(e.c, ['queued'], '', { state: 'offered', offeredAt: String(this.#o.now()) }))) continue;
      const meta = await this.#o.store.meta(e.c);
      n++;
      this.#o.log.info({}, HANDOFF_EVENTS.offered);
      await this.#o.bus.publish({ kind: 'offered', c: e.c });
      await this.#tellCustomer(e.c, 'handoffOffer', (meta?.lang ?? 'en') as Lang);
    }
    return n;
  }

  startSweeper(everySeconds: number): void {
    if (this.#sweeper) return;
    // Jitter so instances started together do not sweep in lockstep (the compare-and-set keeps it correct anyway).
    this.#sweeper = setInterval(() => {
      this.sweep().catch((err) => this.#o.log.warn({ err: errorFields(err) }, HANDOFF_EVENTS.sweepFailed));
    }, everySeconds * 1000 + (randomBytes(1)[0]! % 100) * 10);
    this.#sweeper.unref();
  }

  stopSweeper(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}

/** Tokens shown by their type only: `[TOKEN:ab12...]` -> `[EMAIL]` (queue previews, before any claim). */
export function typeTags(m: Pick<RelayedMessage, 'text' | 'tokens'>): string {
  const types = new Map(m.tokens.map((x) => [x.token, x.type]));
  return m.text.replace(/\[TOKEN:[0-9a-f]{10}\]/g, (tok) => `[${types.get(tok) ?? 'REDACTED'}]`);
}

/** Channel ids are free text from the channel: only known words reach records and the audit log. */
export function channelWord(channelId: unknown): string {
  const c = String(channelId ?? '');
  return ['webchat', 'msteams', 'directline', 'emulator', 'test'].includes(c) ? c : 'other';
}

