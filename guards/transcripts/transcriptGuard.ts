/**
 * TranscriptGuard: first in the pipeline (guards/index.ts), so it sees every activity of the turn. It keeps a copy of
 * what the transcript uses of the incoming activity (later steps may change the live one), redacts each activity into an entry, and
 * writes the entries at the end of the turn only when this turn's consent decision allows it. Nothing reaches a
 * store before redaction (botbuilder's TranscriptLoggerMiddleware would log the raw incoming activity first).
 *
 * The incoming activity is redacted once the later guards have run (at the first reply, or at the end of the
 * turn), so the verified customer's own profile values are known and removed too. Redaction that throws drops that
 * entry (fail closed): a counter and a PII-free log event record it; the turn itself goes on.
 */
import type { Activity, Middleware, TurnContext, StatePropertyAccessor } from 'botbuilder';
import type { Logger } from '../log/logger.js';
import { errorFields } from '../log/logger.js';
import { createTagState, isTagState, type Redactor, type TagState, type TokenEntry } from '../pii/index.js';
import type { Pseudonymizer } from '../crypto/pseudonym.js';
import type { OwnerResolver } from '../storage/encryptedStorage.js';
import { TurnKeys, type ConsentDecision, type VerifiedSubject } from '../turnState.js';
import { CleanTextCache, redactActivity, transcriptSnapshot, type TranscriptEntry } from './redactActivity.js';
import type { EncryptedTranscriptStore } from './transcriptStore.js';
import { ridField } from '../log/correlation.js';
import { pooledRandomBytes } from '../crypto/random.js';

export interface TranscriptGuardOptions {
  store: EncryptedTranscriptStore;
  redactor: Redactor;
  pseudonyms: Pseudonymizer;
  owners: OwnerResolver;
  log: Logger;
  /** Per-conversation tag numbering ([EMAIL_1] stays EMAIL_1), kept in the sealed conversation state. */
  tagState: StatePropertyAccessor<TagState>;
  /** Whether to keep transcripts when no ConsentGuard decided this turn (no consent flow installed). */
  defaultKeep: boolean;
  now?: () => Date;
}

const KEPT_TYPES = new Set(['message', 'event', 'endOfConversation']);

export class TranscriptGuard implements Middleware {
  #dropped = 0;
  readonly #o: TranscriptGuardOptions;
  readonly #clean = new CleanTextCache();
  constructor(opts: TranscriptGuardOptions) { this.#o = opts; }

  /** Entries dropped because redaction failed, since start. */
  get droppedEntries(): number { return this.#dropped; }

  /**
   * A keyed hash of the activity id, so an edit or delete of that activity finds its entry. An activity without an id
   * (expectReplies answers, some events) can never be edited or deleted later: it gets 128 random bits in the same
   * format, without an HMAC.
   */
  entryId(conversation: string, activityId: string | undefined): string {
    if (activityId === undefined || activityId === '') return pooledRandomBytes(16).toString('base64url');
    return this.#o.pseudonyms.hash('tx-entry', `${conversation}\u0000${activityId}`, true);
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const o = this.#o;
    const now = o.now ?? (() => new Date());
    const incoming = transcriptSnapshot(context.activity);
    const channelId = String(incoming.channelId ?? 'unknown');
    const conversation = o.pseudonyms.conversationOwner(channelId, String(incoming.conversation?.id ?? ''));
    const base = now().getTime() * 100;
    let n = 0;
    const pending: TranscriptEntry[] = [];
    const tokens: TokenEntry[] = [];
    const updates: TranscriptEntry[] = [];
    const deletes: string[] = [];
    let incomingDone = false;
    // Loaded from conversation state (one read per turn, cached for the bot); a corrupt value restarts numbering.
    let tags: TagState | undefined;

    const redactOne = (a: Partial<Activity>, direction: 'in' | 'out', id: string): TranscriptEntry | undefined => {
      const subject = context.turnState.get(TurnKeys.subject) as VerifiedSubject | undefined;
      const replaceText = direction === 'in' ? (context.turnState.get(TurnKeys.incomingReplacement) as string | undefined) : undefined;
      try {
        const r = redactActivity(a, { id, seq: base + n++, direction, now: now() }, {
          redactor: o.redactor,
          ...(typeof incoming.locale === 'string' ? { locale: incoming.locale } : {}),
          ...(subject ? { profile: subject.profile } : {}),
          ...(tags ? { tagState: tags } : {}),
          ...(replaceText !== undefined ? { replaceText } : {}),
          ...(direction === 'out' ? { cleanCache: this.#clean } : {}),
        });
        tokens.push(...r.tokens);
        return r.entry;
      } catch (err) {
        this.#dropped++;
        o.log.error({ ...ridField(context), code: 'ERR_REDACTION_FAILED', err: errorFields(err), direction }, 'guards.transcript.redaction_failed');
        return undefined;
      }
    };
    const takeIncoming = () => {
      if (incomingDone) return;
      incomingDone = true;
      const id = this.entryId(conversation, incoming.id);
      if (incoming.type === 'messageDelete') { deletes.push(id); return; }
      if (incoming.type !== 'message' && incoming.type !== 'event' && incoming.type !== 'messageUpdate') return;
      // A proactive turn (agent relay, notices) starts from a synthetic ContinueConversation event that nobody sent:
      // only what the bot sends in it belongs to the transcript.
      if (incoming.type === 'event' && incoming.name === 'ContinueConversation') return;
      const e = redactOne(incoming, 'in', id);
      if (e) (incoming.type === 'messageUpdate' ? updates : pending).push(e);
    };

    tags = await this.#loadTags(context);

    context.onSendActivities(async (_ctx, activities, nextSend) => {
      takeIncoming();
      // Redacted before the send; the entry id comes from the id the channel gives the sent activity, so a later
      // update or delete of that activity finds its entry.
      const entries = activities.map((a) => (KEPT_TYPES.has(String(a.type)) ? redactOne(a, 'out', '') : undefined));
      const responses = await nextSend();
      entries.forEach((e, i) => {
        if (!e) return;
        e.id = this.entryId(conversation, responses?.[i]?.id ?? activities[i]?.id ?? undefined);
        pending.push(e);
      });
      return responses;
    });
    context.onUpdateActivity(async (_ctx, activity, nextUpdate) => {
      const e = redactOne(activity, 'out', this.entryId(conversation, activity.id));
      if (e) updates.push(e);
      await nextUpdate();
    });
    context.onDeleteActivity(async (_ctx, reference, nextDelete) => {
      deletes.push(this.entryId(conversation, reference.activityId));
      await nextDelete();
    });

    try {
      await next();
    } finally {
      takeIncoming();
      await this.#flush(context, { conversation, channelId, stateKey: `${channelId}/conversations/${String(incoming.conversation?.id ?? '')}/` }, pending, updates, deletes, tokens);
    }
  }

  async #loadTags(context: TurnContext): Promise<TagState> {
    const stored = await this.#o.tagState.get(context);
    if (isTagState(stored)) return stored;
    const fresh = createTagState();
    await this.#o.tagState.set(context, fresh);
    return fresh;
  }

  async #flush(context: TurnContext, where: { conversation: string; channelId: string; stateKey: string }, pending: TranscriptEntry[], updates: TranscriptEntry[], deletes: string[], tokens: TokenEntry[]): Promise<void> {
    const o = this.#o;
    const decision = context.turnState.get(TurnKeys.consent) as ConsentDecision | undefined;
    if (!(decision ? decision.transcripts : o.defaultKeep)) return;
    if (pending.length === 0 && updates.length === 0 && deletes.length === 0) return;
    try {
      const ref = { conversation: where.conversation, channelId: where.channelId, keyOwner: await o.owners.ownerOf(where.stateKey) };
      await o.store.append(ref, pending, tokens);
      for (const u of updates) await o.store.replace(ref, u);
      for (const d of deletes) await o.store.remove(ref, d);
    } catch (err) {
      o.log.error({ ...ridField(context), code: (err as { code?: string }).code ?? 'ERR_STORAGE_UNAVAILABLE', err: errorFields(err) }, 'guards.transcript.write_failed');
    }
  }
}
