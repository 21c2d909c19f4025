/**
 * HandoffGuard (DESIGN.md section 1, slot 3). While a handoff is live for the conversation, the customer's messages
 * go to the agent and the bot does not answer: the guard ends the turn without calling `next()`. Queued customers get
 * a short "still queued" reply and can leave with "cancel"; after the offer they can answer "callback" or "email".
 * Every other turn passes through with the HandoffService in turn state, so the dialogs can escalate.
 *
 * It sits after consent (the transcript decision is made) and before identity: an agent-owned conversation must not
 * reach the bot's dialogs, whatever their state. Proactive turns (ContinueConversation events) always pass.
 */
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { ProfileValues } from '../guards/pii/index.js';
import { detectLang, langFromLocale, type Lang } from '../dialogs/language.js';
import { matchIntent } from '../dialogs/intents.js';
import { fold } from '../dialogs/intents.js';
import { t } from '../dialogs/messages.js';
import type { HandoffService } from './service.js';

const PREFETCHED_STATE = Symbol('trustline.handoff.prefetched');

export const HANDOFF_SERVICE = Symbol.for('trustline.handoff.service');

export interface HandoffGuardOptions {
  service: HandoffService;
  /** The verified customer's profile values, if the identity code can tell them before its own guard runs. */
  profileOf?: (context: TurnContext) => Promise<ProfileValues | undefined>;
}

const FOLLOWUP: { method: 'callback' | 'email'; re: RegExp }[] = [
  { method: 'callback', re: /\b(?:call ?back|callback|call me|phone|ruckruf|anruf|rappel|rappelez|llamada|llamenme|llamadme)\b/ },
  { method: 'email', re: /\b(?:e-?mail|mail|courriel|correo)\b/ },
];

/** "callback" / "email" in the four languages; deliberately misses anything longer than a short answer. */
export function parseFollowupChoice(text: string): 'callback' | 'email' | undefined {
  const f = fold(text).trim();
  if (f.length > 60) return undefined;
  return FOLLOWUP.find((x) => x.re.test(f))?.method;
}

export class HandoffGuard implements Middleware {
  readonly #o: HandoffGuardOptions;
  constructor(o: HandoffGuardOptions) { this.#o = o; }

  /**
   * Starts this turn's handoff-state read at the very start of the turn (guards/index.ts), so it travels to Redis
   * together with the conversation-state read instead of one round trip later.
   */
  prefetch(context: TurnContext): void {
    if (context.activity.type !== ActivityTypes.Message) return;
    const svc = this.#o.service;
    const p = svc.store.state(svc.conversationOf(context));
    p.catch(() => undefined);
    context.turnState.set(PREFETCHED_STATE, p);
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const svc = this.#o.service;
    context.turnState.set(HANDOFF_SERVICE, svc);
    const a = context.activity;
    if (a.type !== ActivityTypes.Message) return next();
    const c = svc.conversationOf(context);
    const prefetched = context.turnState.get(PREFETCHED_STATE) as ReturnType<typeof svc.store.state> | undefined;
    const state = await (prefetched ?? svc.store.state(c));
    if (state !== 'queued' && state !== 'offered' && state !== 'assigned') return next();

    const text = typeof a.text === 'string' ? a.text : '';
    const meta = await svc.store.meta(c);
    const lang: Lang = (langFromLocale(meta?.lang) ?? detectLang(text) ?? 'en');
    if (state !== 'assigned') {
      if (matchIntent(text, lang) === 'cancel' && (await svc.cancel(c))) {
        await context.sendActivity(t('handoffCancelled', lang));
        return;
      }
      const choice = state === 'offered' ? parseFollowupChoice(text) : undefined;
      if (choice && (await svc.chooseFollowup(c, choice))) {
        await svc.customerMessage(context, c, await this.#o.profileOf?.(context));
        await context.sendActivity(t('handoffFollowupRecorded', lang, { method: svc.followupWord(choice, lang) }));
        return;
      }
    }
    await svc.customerMessage(context, c, await this.#o.profileOf?.(context));
    if (state !== 'assigned') await context.sendActivity(t('handoffStillQueued', lang));
  }
}
