/**
 * ConsentGuard (DESIGN.md section 1, slot 2; CON-1). On first contact it shows the versioned privacy notice in the
 * customer's language with a choice: keep this conversation (redacted) for service quality, or don't. Until a
 * choice is made the turn's consent decision says "keep nothing"; the TranscriptGuard reads it at the end of every
 * turn. "Withdraw my consent" works in one turn from anywhere; a new notice version asks again.
 *
 * Records (the consent ledger) are sealed envelopes in `tl:consent:`, one per channel user (pseudonym = keyed hash
 * of the channel user before verification) and, once verified, a copy under the subject (random pseudonym; the
 * subject's key, so erasure shreds it). The hot path of an established conversation reads only the conversation
 * state the bot reads anyway (cached for the turn): the ledger is read once per conversation, on its first turn.
 */
import type { Middleware, StatePropertyAccessor, Storage, TurnContext, ConversationState } from 'botbuilder';
import { ActivityTypes } from 'botbuilder';
import type { Logger } from '../log/logger.js';
import type { Pseudonymizer } from '../crypto/pseudonym.js';
import type { OwnerResolver } from '../storage/encryptedStorage.js';
import { TurnKeys, type ConsentDecision } from '../turnState.js';
import { AuditEvents, type AuditLog } from '../audit/auditLog.js';
import type { PrivacyNotice } from '../../notices/index.js';
import { isPrivacyRequest, isWithdrawal, noticeActivity, parseConsentChoice, type ConsentChoice } from '../../dialogs/consentDialog.js';
import { detectLang, langFromLocale, type Lang } from '../../dialogs/language.js';
import { t } from '../../dialogs/messages.js';
import { channelWord } from '../identity/identityGuard.js';
import { isGuardError } from '../errors.js';
import { ridField } from '../log/correlation.js';

export const CONSENT_PURPOSES = ['service_quality_transcripts'] as const;

/** The guard's slice of the conversation state. */
export interface ConsentState {
  /** Notice version the decision below answers. */
  version?: string;
  decision?: ConsentChoice | 'withdrawn';
  /** Notice version shown in this conversation (asked, not yet answered). */
  shown?: string;
  /** The ledger was consulted for this conversation's channel user. */
  ledgerChecked?: string;
  /** The customer's first message, answered right after the choice (sealed with the state, kept one turn). */
  held?: string;
  /** Language the notice was shown in (its hash is the one recorded). */
  lang?: Lang;
}

/** One entry of the ledger (CON-1): who (pseudonym), what, which text, where, when. */
export interface ConsentRecord {
  pseudonym: string;
  subject?: string;
  purposes: readonly string[];
  decision: ConsentChoice | 'withdrawn';
  noticeVersion: string;
  noticeHash: string;
  channel: string;
  at: string;
  history: { decision: string; noticeVersion: string; noticeHash: string; channel: string; at: string }[];
}

/** Text the router should handle this turn instead of the activity's own (the held first message). */
export const CONSENT_REPLAY = Symbol.for('trustline.consent.replay');
const HELD_MAX = 2000;
const HISTORY_MAX = 50;

/** Storage keys of the ledger and the owner whose data key seals each (channel user or subject). */
export class ConsentOwnerResolver implements OwnerResolver {
  readonly #p: Pseudonymizer;
  constructor(p: Pseudonymizer) { this.#p = p; }
  ownerOf(storageKey: string): string {
    if (storageKey.startsWith('subject/')) return storageKey.slice('subject/'.length);
    if (storageKey.startsWith('user/')) {
      const rest = storageKey.slice('user/'.length);
      const i = rest.indexOf('/');
      if (i > 0) return this.#p.userOwner(rest.slice(0, i), rest.slice(i + 1));
    }
    return `k_${this.#p.hash('consent-key', storageKey)}`;
  }
}

export class ConsentLedger {
  readonly #storage: Storage;
  constructor(storage: Storage) { this.#storage = storage; }

  static userKey(channel: string, userId: string): string { return `user/${channel}/${userId}`; }
  static subjectKey(subjectOwner: string): string { return `subject/${subjectOwner}`; }

  /**
   * The record, or undefined. A record that does not open (tampered, moved, oversized, key destroyed) was already
   * reported by the encrypted storage (CR-3) and counts as no record: the customer is asked again (fail closed:
   * nothing is assumed), and the next choice replaces it. Storage outages propagate (fixed unavailable reply).
   */
  async get(key: string): Promise<ConsentRecord | undefined> {
    try {
      const r = await this.#storage.read([key]);
      return r[key] as ConsentRecord | undefined;
    } catch (err) {
      if (isGuardError(err) && err.code.startsWith('ERR_CRYPTO_')) return undefined;
      throw err;
    }
  }

  async record(key: string, entry: Omit<ConsentRecord, 'history'>): Promise<void> {
    const prev = await this.get(key);
    const history = [...(prev?.history ?? []), { decision: entry.decision, noticeVersion: entry.noticeVersion, noticeHash: entry.noticeHash, channel: entry.channel, at: entry.at }].slice(-HISTORY_MAX);
    const { eTag: _drop, ...rest } = { ...entry, history } as ConsentRecord & { eTag?: string };
    void _drop;
    await this.#storage.write({ [key]: { ...rest, eTag: '*' } });
  }
}

export interface ConsentGuardOptions {
  accessor: StatePropertyAccessor<ConsentState>;
  state: ConversationState;
  ledger: ConsentLedger;
  notice: PrivacyNotice;
  pseudonyms: Pseudonymizer;
  audit: AuditLog;
  log: Logger;
  now: () => number;
  /** Development and tests only (config refuses it in production): every conversation counts as answered. */
  preset?: ConsentChoice;
  /** The verified subject of this turn, if any (random pseudonym + key owner), for linking records. */
  subjectOf?: (context: TurnContext) => Promise<{ pseudonym: string; owner: string } | undefined>;
}

export const CONSENT_EVENTS = {
  given: 'guards.consent.given',
  withdrawn: 'guards.consent.withdrawn',
  noticeShown: 'guards.consent.notice_shown',
} as const;

export class ConsentGuard implements Middleware {
  readonly #o: ConsentGuardOptions;
  constructor(o: ConsentGuardOptions) { this.#o = o; }

  get noticeVersion(): string { return this.#o.notice.version; }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const o = this.#o;
    const version = o.notice.version;
    if (o.preset) {
      this.#decide(context, o.preset === 'keep');
      return next();
    }
    const a = context.activity;
    const isMessage = a.type === ActivityTypes.Message;
    const text = isMessage && typeof a.text === 'string' ? a.text : '';
    const s = await o.accessor.get(context, {});
    const lang = this.#lang(context, text, s);

    if (isMessage && isWithdrawal(text)) {
      await this.#record(context, s, 'withdrawn', lang);
      this.#decide(context, false);
      await context.sendActivity(t('consentWithdrawn', lang));
      return this.#endTurn(context);
    }

    if (s.version === version && s.decision) {
      this.#decide(context, s.decision === 'keep');
      if (isMessage && isPrivacyRequest(text) && !parseConsentChoice(text)) {
        await this.#show(context, s, lang);
        return this.#endTurn(context);
      }
      if (isMessage && s.shown === version) {
        // The customer may still press a button of the notice shown earlier: a change of mind is a new record.
        const again = parseConsentChoice(text);
        if (again) return this.#answer(context, s, again, lang, next);
      }
      return next();
    }

    // No decision for the current notice in this conversation: the channel user may have answered it before.
    if (s.ledgerChecked !== version) {
      s.ledgerChecked = version;
      const channel = String(a.channelId ?? '');
      const prior = await o.ledger.get(ConsentLedger.userKey(channel, String(a.from?.id ?? '')));
      if (prior && prior.noticeVersion === version && prior.decision !== 'withdrawn') {
        s.version = version;
        s.decision = prior.decision;
        this.#decide(context, prior.decision === 'keep');
        return next();
      }
    }
    this.#decide(context, false);

    if (isMessage && s.shown === version) {
      const choice = parseConsentChoice(text);
      if (choice) return this.#answer(context, s, choice, lang, next);
      // Not an answer: the bot helps anyway and keeps nothing; the notice is not pushed again ("privacy" shows it).
      delete s.held;
      if (isPrivacyRequest(text)) {
        await this.#show(context, s, lang);
        return this.#endTurn(context);
      }
      return next();
    }

    if (a.type === ActivityTypes.ConversationUpdate && (a.membersAdded ?? []).some((m) => m.id !== a.recipient?.id)) {
      // Marked before the bot runs (it saves the state at its end); the notice follows the bot's welcome.
      s.shown = o.notice.version;
      s.lang = lang;
      await next();
      await this.#show(context, s, lang);
      return;
    }

    if (isMessage) {
      if (text.trim() && !parseConsentChoice(text)) s.held = text.slice(0, HELD_MAX);
      await this.#show(context, s, lang);
      return this.#endTurn(context);
    }
    return next();
  }

  #lang(context: TurnContext, text: string, s: ConsentState): Lang {
    return detectLang(text) ?? s.lang ?? langFromLocale(context.activity.locale) ?? 'en';
  }

  #decide(context: TurnContext, keep: boolean): void {
    const d: ConsentDecision = { transcripts: keep, noticeVersion: this.#o.notice.version };
    context.turnState.set(TurnKeys.consent, d);
  }

  async #show(context: TurnContext, s: ConsentState, lang: Lang): Promise<void> {
    s.shown = this.#o.notice.version;
    s.lang = lang;
    await context.sendActivity(noticeActivity(this.#o.notice.texts[lang], lang));
    this.#o.log.info({ ...ridField(context), version: this.#o.notice.version }, CONSENT_EVENTS.noticeShown);
  }

  async #answer(context: TurnContext, s: ConsentState, choice: ConsentChoice, lang: Lang, next: () => Promise<void>): Promise<void> {
    await this.#record(context, s, choice, s.lang ?? lang);
    this.#decide(context, choice === 'keep');
    await context.sendActivity(t(choice === 'keep' ? 'consentKept' : 'consentNotKept', lang));
    const held = s.held;
    delete s.held;
    if (held) {
      context.turnState.set(CONSENT_REPLAY, held);
      return next();
    }
    return this.#endTurn(context);
  }

  async #record(context: TurnContext, s: ConsentState, decision: ConsentChoice | 'withdrawn', lang: Lang): Promise<void> {
    const o = this.#o;
    const a = context.activity;
    const channel = String(a.channelId ?? '');
    const at = new Date(o.now()).toISOString();
    const noticeHash = o.notice.hashes[lang];
    const pseudonym = o.pseudonyms.userOwner(channel, String(a.from?.id ?? ''));
    const subject = await o.subjectOf?.(context);
    const entry = { pseudonym, ...(subject ? { subject: subject.pseudonym } : {}), purposes: CONSENT_PURPOSES, decision, noticeVersion: o.notice.version, noticeHash, channel: channelWord(context), at };
    await o.ledger.record(ConsentLedger.userKey(channel, String(a.from?.id ?? '')), entry);
    if (subject) await o.ledger.record(ConsentLedger.subjectKey(subject.owner), entry);
    s.version = o.notice.version;
    s.decision = decision;
    await o.audit.append({
      type: decision === 'withdrawn' ? AuditEvents.consentWithdrawn : AuditEvents.consentGiven, at,
      subject: subject?.pseudonym ?? pseudonym, conversation: o.pseudonyms.conversationOwner(channel, String(a.conversation?.id ?? '')),
      channel: channelWord(context), outcome: decision, noticeVersion: o.notice.version, noticeHash, purposes: CONSENT_PURPOSES.join('|'),
    });
    o.log.info({ ...ridField(context), decision }, decision === 'withdrawn' ? CONSENT_EVENTS.withdrawn : CONSENT_EVENTS.given);
  }

  /** Links the channel user's current record to the subject once verified (called by the identity service). */
  async linkSubject(context: TurnContext, subject: { pseudonym: string; owner: string }): Promise<void> {
    const a = context.activity;
    const rec = await this.#o.ledger.get(ConsentLedger.userKey(String(a.channelId ?? ''), String(a.from?.id ?? '')));
    if (!rec) return;
    const { history: _h, eTag: _e, ...entry } = rec as ConsentRecord & { eTag?: string };
    void _h; void _e;
    await this.#o.ledger.record(ConsentLedger.subjectKey(subject.owner), { ...entry, subject: subject.pseudonym });
  }

  /** The turn ends here (the bot does not run), so the guard saves the state it changed. */
  async #endTurn(context: TurnContext): Promise<void> {
    await this.#o.state.saveChanges(context, false);
  }
}
