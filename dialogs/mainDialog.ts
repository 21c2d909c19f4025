/**
 * Routes each message: interruptions first ("cancel", "agent"), then the active dialog, then the intent. Protected
 * intents go through the identity policy (guards/identity/policy.ts) before anything about an account is touched.
 */
import { ActivityTypes, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { ReturnsDialog } from './returnsDialog.js';
import { DialogIds } from './dialogIds.js';
import { matchIntent, type Intent } from './intents.js';
import { detectLang, langFromLocale, type Lang } from './language.js';
import { t } from './messages.js';
import type { Clock } from './clock.js';
import { decide, type VerificationState } from '../guards/identity/policy.js';

/** Per-conversation facts the router keeps (sealed with the rest of the conversation state). */
export interface ConversationData {
  lang?: Lang;
  /** Not-understood turns in a row. */
  misses?: number;
  welcomed?: boolean;
  lastIntent?: Intent;
  verification?: VerificationState;
}

const LOCALE_TAG: Record<Lang, string> = { en: 'en-US', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

export class MainDialog {
  readonly #dialogs: DialogSet;
  readonly #data: StatePropertyAccessor<ConversationData>;
  readonly #clock: Clock;

  constructor(dialogState: StatePropertyAccessor<DialogState>, data: StatePropertyAccessor<ConversationData>, clock: Clock) {
    this.#dialogs = new DialogSet(dialogState);
    this.#dialogs.add(new ReturnsDialog(clock));
    this.#data = data;
    this.#clock = clock;
  }

  /** The conversation's language; also normalises `activity.locale` so botbuilder prompts recognise in it. */
  async #language(context: TurnContext, data: ConversationData): Promise<Lang> {
    const fromLocale = langFromLocale(context.activity.locale);
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    // The words win over the channel's locale (a browser's locale is often not the customer's language); a short
    // answer such as "ja" detects nothing and keeps the conversation's language, so prompts stay in it.
    const lang = detectLang(text) ?? data.lang ?? fromLocale ?? 'en';
    data.lang = lang;
    context.activity.locale = LOCALE_TAG[lang];
    return lang;
  }

  async welcome(context: TurnContext): Promise<void> {
    const data = await this.#data.get(context, {});
    if (data.welcomed) return;
    const lang = await this.#language(context, data);
    data.welcomed = true;
    await context.sendActivity(t('welcome', lang));
  }

  async run(context: TurnContext): Promise<void> {
    if (context.activity.type !== ActivityTypes.Message) return;
    const data = await this.#data.get(context, {});
    const lang = await this.#language(context, data);
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    const dc = await this.#dialogs.createContext(context);
    const intent = matchIntent(text, lang);

    if (dc.activeDialog) {
      if (intent === 'cancel') {
        await dc.cancelAllDialogs();
        await context.sendActivity(t('cancelled', lang));
        return;
      }
      if (intent === 'agent') {
        await dc.cancelAllDialogs();
        await this.#route(context, 'agent', lang, data);
        return;
      }
      const r = await dc.continueDialog();
      if (r.status !== DialogTurnStatus.empty) return;
    }

    if (intent === 'returns') {
      data.misses = 0;
      data.lastIntent = intent;
      await dc.beginDialog(DialogIds.returns);
      return;
    }
    await this.#route(context, intent, lang, data);
  }

  async #route(context: TurnContext, intent: Intent, lang: Lang, data: ConversationData): Promise<void> {
    data.lastIntent = intent;
    if (intent === 'none') {
      data.misses = (data.misses ?? 0) + 1;
      await context.sendActivity(t(data.misses >= 2 ? 'notUnderstoodTwice' : 'notUnderstood', lang));
      return;
    }
    data.misses = 0;
    const verdict = decide(intent, data.verification, this.#clock.now());
    if (verdict.kind === 'redirect') {
      await context.sendActivity(t('needsVerification', lang));
      return;
    }
    switch (intent) {
      case 'greeting': await context.sendActivity(t('greeting', lang)); return;
      case 'help': await context.sendActivity(t('help', lang)); return;
      case 'goodbye': await context.sendActivity(t('goodbye', lang)); return;
      case 'cancel': await context.sendActivity(t('cancelled', lang)); return;
      case 'agent': await context.sendActivity(t('agentUnavailable', lang)); return;
      default:
        // A protected intent that the policy allowed: reached only once verification exists (identity issue).
        await context.sendActivity(t('needsVerification', lang));
    }
  }
}
