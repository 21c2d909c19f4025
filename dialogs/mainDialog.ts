/**
 * Routes each message: interruptions first ("cancel", "agent"), then the active dialog, then the intent. Protected
 * intents go through the IdentityService (policy per intent: freshness, accepted methods) before anything about an
 * account is touched; unverified or stale, they start the verification dialog and resume once it succeeds.
 */
import { ActivityTypes, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogContext, type DialogState } from 'botbuilder-dialogs';
import { ReturnsDialog } from './returnsDialog.js';
import { DialogIds } from './dialogIds.js';
import { isFrustrated, matchIntent, type Intent } from './intents.js';
import { escalate } from './escalateDialog.js';
import { detectLang, langFromLocale, type Lang } from './language.js';
import { t } from './messages.js';
import type { Clock } from './clock.js';
import { decide, isProtected, type VerificationState } from '../guards/identity/policy.js';
import type { IdentityService } from '../guards/identity/identityGuard.js';
import type { OtpService } from '../guards/identity/otpService.js';
import type { AuditLog } from '../guards/audit/auditLog.js';
import type { CustomerDirectory } from '../directory/customerDirectory.js';
import { CONSENT_REPLAY } from '../guards/consent/consentGuard.js';
import { VerifyIdentityDialog, VerifyIds, type VerifyOptions, type VerifyResult } from './verifyIdentityDialog.js';
import { AccountIds, AddressChangeDialog, PaymentProblemDialog, orderStatusText } from './accountDialogs.js';
import { DataRequestDialog, DataRequestIds, optOutTurn, type DataRequestKind, type DataRequestOptions } from './dataRequestDialog.js';
import type { DsrService } from '../guards/dsr/service.js';

/** Data-subject requests (issue 5): intent -> request kind. They interrupt any dialog (opt-out without cancelling it). */
const DATA_REQUESTS: Partial<Record<Intent, DataRequestKind>> = { dataAccess: 'access', dataExport: 'export', dataCorrect: 'rectify', dataErase: 'erase' };

/** What the account intents need; without it every protected intent is refused (fail closed). */
export interface AccountServices {
  identity: IdentityService;
  directory: CustomerDirectory;
  audit: AuditLog;
  otp?: OtpService;
  teamsConnection?: string;
  /** Data-subject requests; without it those intents answer that a person can help (fail closed). */
  dsr?: DsrService;
  /** After an erasure: forget this conversation's state and keep no transcript of the turn. */
  afterErasure?: (context: TurnContext) => Promise<void>;
}

/** Per-conversation facts the router keeps (sealed with the rest of the conversation state). */
export interface ConversationData {
  lang?: Lang;
  /** Not-understood turns in a row. */
  misses?: number;
  welcomed?: boolean;
  lastIntent?: Intent;
  /** Unused since the identity issue (the IdentityGuard keeps the session in its own state slice). */
  verification?: VerificationState;
}

const LOCALE_TAG: Record<Lang, string> = { en: 'en-US', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

/**
 * botbuilder-dialogs rebuilds the dialog state manager's configuration (its memory scopes and path resolvers, through
 * a service collection with zod checks) for the first dialog context of every turn, then caches it in turn state
 * under this key. The scopes and resolvers hold no per-turn data (they read the turn from the dialog context), so
 * the first turn's configuration is kept and handed to every later turn: about 4 % of a turn's CPU (issue 2).
 */
const DSM_CONFIGURATION = 'DialogStateManagerConfiguration';

export class MainDialog {
  readonly #dialogs: DialogSet;
  readonly #dialogState: StatePropertyAccessor<DialogState>;
  readonly #data: StatePropertyAccessor<ConversationData>;
  readonly #clock: Clock;
  readonly #account: AccountServices | undefined;
  #stateManagerConfiguration: unknown;

  constructor(dialogState: StatePropertyAccessor<DialogState>, data: StatePropertyAccessor<ConversationData>, clock: Clock, account?: AccountServices) {
    this.#dialogs = new DialogSet(dialogState);
    this.#dialogState = dialogState;
    this.#dialogs.add(new ReturnsDialog(clock));
    if (account) {
      this.#dialogs.add(new VerifyIdentityDialog({ identity: account.identity, audit: account.audit, directory: account.directory, ...(account.otp ? { otp: account.otp } : {}), ...(account.teamsConnection ? { teamsConnection: account.teamsConnection } : {}) }));
      this.#dialogs.add(new AddressChangeDialog(account.identity, account.directory));
      this.#dialogs.add(new PaymentProblemDialog(account.identity, account.directory));
      if (account.dsr) {
        this.#dialogs.add(new DataRequestDialog({ identity: account.identity, dsr: account.dsr, audit: account.audit, ...(account.otp ? { otp: account.otp } : {}), ...(account.afterErasure ? { afterErasure: account.afterErasure } : {}) }));
      }
    }
    this.#data = data;
    this.#clock = clock;
    this.#account = account;
  }

  /** The conversation's language; also normalises `activity.locale` so botbuilder prompts recognise in it. */
  async #language(context: TurnContext, data: ConversationData, override?: string): Promise<Lang> {
    const fromLocale = langFromLocale(context.activity.locale);
    const text = override ?? (typeof context.activity.text === 'string' ? context.activity.text : '');
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
    const type = context.activity.type;
    // Teams SSO answers the OAuth prompt with invokes (signin/verifyState, signin/tokenExchange).
    if (type !== ActivityTypes.Message && type !== ActivityTypes.Invoke) return;
    const data = await this.#data.get(context, {});
    // The consent notice may have held the first message; it is answered now, right after the choice.
    const replay = context.turnState.get(CONSENT_REPLAY) as string | undefined;
    const lang = await this.#language(context, data, replay);
    const text = replay ?? (typeof context.activity.text === 'string' ? context.activity.text : '');
    const dcOf = this.#dialogContext(context);
    const intent = matchIntent(text, lang);

    // The dialog context (and botbuilder's state manager behind it) is made only when a dialog runs or starts: a
    // main-menu answer needs neither. The stack is read the way DialogSet.createContext reads it.
    const stack = (await this.#dialogState.get(context, { dialogStack: [] }))?.dialogStack;
    if (Array.isArray(stack) && stack.length > 0) {
      const dc = await dcOf();
      if (intent === 'cancel') {
        await dc.cancelAllDialogs();
        await context.sendActivity(t('cancelled', lang));
        return;
      }
      if (intent === 'agent') {
        await dc.cancelAllDialogs();
        await this.#route(context, 'agent', lang, data, dcOf);
        return;
      }
      // Opt-out applies at once and leaves the running dialog where it was (DSR-1).
      if (intent === 'optOut' && this.#account?.dsr) {
        await optOutTurn(context, { identity: this.#account.identity, dsr: this.#account.dsr }, lang);
        return;
      }
      // Another data request interrupts whatever runs; repeating the one in progress just continues it.
      if (DATA_REQUESTS[intent] && intent !== data.lastIntent) {
        await dc.cancelAllDialogs();
        await this.#route(context, intent, lang, data, dcOf);
        return;
      }
      if (!replay) {
        const r = await dc.continueDialog();
        if (r.status === DialogTurnStatus.complete && isVerifyResult(r.result)) {
          if (r.result.verified) await this.#route(context, r.result.intent as Intent, lang, data, dcOf);
          return;
        }
        if (r.status !== DialogTurnStatus.empty) return;
      }
    }
    if (type !== ActivityTypes.Message) return;

    // Handoff hook: a clearly frustrated customer gets a person rather than another bot answer.
    if (isFrustrated(text)) {
      data.misses = 0;
      await escalate(context, 'frustration', lang, data.lastIntent ?? 'none');
      return;
    }
    if (intent === 'returns') {
      data.misses = 0;
      data.lastIntent = intent;
      await (await dcOf()).beginDialog(DialogIds.returns);
      return;
    }
    await this.#route(context, intent, lang, data, dcOf);
  }

  /**
   * The turn's dialog context, made on first use. botbuilder-dialogs rebuilds its state manager's configuration for
   * the first dialog context of every turn; the first turn's is kept and handed to later turns (DSM_CONFIGURATION).
   */
  #dialogContext(context: TurnContext): () => Promise<DialogContext> {
    let made: Promise<DialogContext> | undefined;
    return () => {
      if (!made) {
        if (this.#stateManagerConfiguration && !context.turnState.has(DSM_CONFIGURATION)) context.turnState.set(DSM_CONFIGURATION, this.#stateManagerConfiguration);
        made = this.#dialogs.createContext(context).then((dc) => {
          this.#stateManagerConfiguration ??= context.turnState.get(DSM_CONFIGURATION);
          return dc;
        });
      }
      return made;
    };
  }

  async #route(context: TurnContext, intent: Intent, lang: Lang, data: ConversationData, dcOf: () => Promise<DialogContext>): Promise<void> {
    const previous = data.lastIntent;
    data.lastIntent = intent;
    if (intent === 'none') {
      data.misses = (data.misses ?? 0) + 1;
      // Handoff hook: two not-understood turns in a row put the customer through to a person.
      if (data.misses >= 2) {
        if (await escalate(context, 'misses', lang, previous ?? 'none')) data.misses = 0;
        return;
      }
      await context.sendActivity(t('notUnderstood', lang));
      return;
    }
    data.misses = 0;
    if (isProtected(intent)) {
      await this.#protected(context, intent, lang, dcOf);
      return;
    }
    switch (intent) {
      case 'greeting': await context.sendActivity(t('greeting', lang)); return;
      case 'help': await context.sendActivity(t('help', lang)); return;
      case 'goodbye': await context.sendActivity(t('goodbye', lang)); return;
      case 'cancel': await context.sendActivity(t('cancelled', lang)); return;
      case 'agent': await escalate(context, 'request', lang, previous && previous !== 'agent' ? previous : 'none'); return;
      case 'optOut':
        if (this.#account?.dsr) await optOutTurn(context, { identity: this.#account.identity, dsr: this.#account.dsr }, lang);
        else await context.sendActivity(t('notUnderstood', lang));
        return;
      default:
        await context.sendActivity(t('notUnderstood', lang));
    }
  }

  /** Account intents: verify first (or again, when stale or too weak for this intent), then act. */
  async #protected(context: TurnContext, intent: Intent, lang: Lang, dcOf: () => Promise<DialogContext>): Promise<void> {
    const acc = this.#account;
    if (!acc) {
      // No identity services wired: nothing about an account is ever disclosed (fail closed).
      const verdict = decide(intent, undefined, this.#clock.now());
      if (verdict.kind === 'redirect') await context.sendActivity(`${t('needsVerification', lang)} ${t('verifyNoMethod', lang)}`);
      return;
    }
    const verdict = acc.identity.verdict(context, intent);
    if (verdict.kind === 'redirect') {
      await (await dcOf()).beginDialog(VerifyIds.dialog, { intent, methods: verdict.methods, reason: verdict.reason } satisfies VerifyOptions);
      return;
    }
    if (intent === 'orderStatus') {
      const access = await acc.identity.accountFor(context, intent);
      if (access.kind === 'allow') await context.sendActivity(orderStatusText(access.customer, lang));
      return;
    }
    if (intent === 'addressChange') {
      await (await dcOf()).beginDialog(AccountIds.address);
      return;
    }
    if (intent === 'paymentProblem') await (await dcOf()).beginDialog(AccountIds.payment);
    const kind = DATA_REQUESTS[intent];
    if (kind) {
      if (acc.dsr) await (await dcOf()).beginDialog(DataRequestIds.dialog, { kind } satisfies DataRequestOptions);
      else await context.sendActivity(t('notUnderstood', lang));
    }
  }
}

function isVerifyResult(v: unknown): v is VerifyResult {
  return typeof v === 'object' && v !== null && typeof (v as VerifyResult).verified === 'boolean' && typeof (v as VerifyResult).intent === 'string';
}
