/**
 * Verification in the conversation (DESIGN.md invariant 5). Which methods count is the policy's per intent; this
 * dialog offers what the channel and the configuration can do:
 *   - Teams (channel msteams, SSO connection configured): the OAuth prompt; the token's tenant + object id must be
 *     the activity's own (authenticated by the channel) and map to a customer in the directory;
 *   - one-time code: the customer names the account (email, phone or customer number), a code goes to the contact
 *     point on file, the customer types it. The typed code never reaches the transcript (TurnKeys.incomingReplacement).
 * The signed host-page identity needs no dialog: the IdentityGuard takes it from the page's event.
 * Ends with `{ verified: boolean, intent }`.
 */
import { escalateOnLockout } from './escalateDialog.js';
import { HANDOFF_SERVICE } from '../handoff/handoffGuard.js';
import { ComponentDialog, OAuthPrompt, TextPrompt, WaterfallDialog, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { TokenResponse, TurnContext } from 'botbuilder';
import { decodeJwt } from 'jose';
import { TurnKeys } from '../guards/turnState.js';
import { t } from './messages.js';
import { type Lang, langOf } from './language.js';
import { fold } from './intents.js';
import type { IdentityService } from '../guards/identity/identityGuard.js';
import { channelWord } from '../guards/identity/identityGuard.js';
import type { OtpService, Challenge } from '../guards/identity/otpService.js';
import { parseIdentifier } from '../guards/identity/otpService.js';
import type { VerificationMethod } from '../guards/identity/policy.js';
import { AuditEvents, type AuditLog } from '../guards/audit/auditLog.js';
import type { CustomerDirectory } from '../directory/customerDirectory.js';

export const VerifyIds = {
  dialog: 'verifyIdentity',
  main: 'verifyIdentity.main',
  codeLoop: 'verifyIdentity.codeLoop',
  identifier: 'verifyIdentity.identifier',
  code: 'verifyIdentity.code',
  teams: 'verifyIdentity.teams',
} as const;

/** What the typed code is stored as in the transcript. */
export const OTP_TAG = '[OTP_CODE]';

export interface VerifyOptions {
  intent: string;
  methods: readonly VerificationMethod[];
  reason: 'unverified' | 'stale' | 'method';
}

export interface VerifyResult { verified: boolean; intent: string }

interface CodeLoopOptions { challenge: Challenge; intent: string; prompt: 'verifyCodeSent' | 'verifyCodeWrong' }

export interface VerifyDeps {
  identity: IdentityService;
  otp?: OtpService;
  audit: AuditLog;
  directory: CustomerDirectory;
  /** Teams SSO OAuth connection, when configured. */
  teamsConnection?: string;
}

const NEW_CODE = /(?:^|[^a-z])(?:new code|another code|resend|send (?:it )?again|neuer code|neuen code|nouveau code|renvoyer|nuevo codigo|otro codigo|reenviar)(?:$|[^a-z])/;

const vals = (step: WaterfallStepContext) => step.values as Record<string, unknown>;


export class VerifyIdentityDialog extends ComponentDialog {
  readonly #d: VerifyDeps;

  constructor(deps: VerifyDeps) {
    super(VerifyIds.dialog);
    this.#d = deps;
    this.addDialog(new TextPrompt(VerifyIds.identifier, async (pc) => this.#validIdentifier(pc)));
    this.addDialog(new TextPrompt(VerifyIds.code));
    if (deps.teamsConnection) {
      this.addDialog(new OAuthPrompt(VerifyIds.teams, { connectionName: deps.teamsConnection, title: 'Sign in', text: 'Sign in', timeout: 5 * 60_000, endOnInvalidMessage: true }));
    }
    this.addDialog(new WaterfallDialog(VerifyIds.main, [(s) => this.#start(s), (s) => this.#afterFirst(s)]));
    this.addDialog(new WaterfallDialog(VerifyIds.codeLoop, [(s) => this.#askCode(s), (s) => this.#checkCode(s)]));
    this.initialDialogId = VerifyIds.main;
  }

  async #validIdentifier(pc: PromptValidatorContext<string>): Promise<boolean> {
    return typeof pc.recognized.value === 'string' && parseIdentifier(pc.recognized.value) !== undefined;
  }

  #audit(context: TurnContext, type: (typeof AuditEvents)[keyof typeof AuditEvents], extra: { method?: string; purpose?: string; outcome?: string }): Promise<void> {
    return this.#d.audit.append({ type, at: new Date(this.#d.identity.now()).toISOString(), conversation: this.#d.identity.conversationOwner(context), channel: channelWord(context), ...extra });
  }

  async #start(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const o = step.options as VerifyOptions;
    const lang = langOf(step.context);
    vals(step).intent = o.intent;
    await step.context.sendActivity(t(o.reason === 'unverified' ? 'needsVerification' : 'needsFreshVerification', lang));
    if (this.#d.teamsConnection && step.context.activity.channelId === 'msteams' && o.methods.includes('teams_sso')) {
      vals(step).path = 'teams';
      return step.beginDialog(VerifyIds.teams, { text: t('verifyTeamsSignIn', lang), title: t('verifyTeamsSignIn', lang) });
    }
    const channels = this.#d.otp?.channelsFor(o.methods) ?? [];
    if (channels.length === 0) {
      await step.context.sendActivity(t('verifyNoMethod', lang));
      return step.endDialog({ verified: false, intent: o.intent } satisfies VerifyResult);
    }
    vals(step).path = 'otp';
    return step.prompt(VerifyIds.identifier, { prompt: t('verifyAskIdentifier', lang), retryPrompt: t('verifyIdentifierRetry', lang) });
  }

  async #afterFirst(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const o = step.options as VerifyOptions;
    const lang = langOf(step.context);
    if (vals(step).path === 'teams') return this.#teamsDone(step, step.result as TokenResponse | undefined, o, lang);
    const id = parseIdentifier(String(step.result ?? ''));
    if (!id || !this.#d.otp) return step.endDialog({ verified: false, intent: o.intent } satisfies VerifyResult);
    const r = await this.#d.otp.start({ identifier: id, purpose: o.intent, conversation: this.#d.identity.conversationOwner(step.context), lang, methods: o.methods, now: this.#d.identity.now() });
    return this.#afterIssue(step, r, o.intent, lang);
  }

  async #afterIssue(step: WaterfallStepContext, r: { outcome: string; challenge?: Challenge }, intent: string, lang: Lang): Promise<DialogTurnResult> {
    if (r.outcome === 'sent' && r.challenge) {
      const method = r.challenge.channel === 'email' ? 'email_otp' : 'sms_otp';
      await this.#audit(step.context, AuditEvents.verificationSent, { method, purpose: intent, outcome: r.challenge.customerNumber ? 'sent' : 'no_account' });
      return step.replaceDialog(VerifyIds.codeLoop, { challenge: r.challenge, intent, prompt: 'verifyCodeSent' } satisfies CodeLoopOptions);
    }
    if (r.outcome === 'locked') {
      await this.#audit(step.context, AuditEvents.verificationLocked, { purpose: intent, outcome: 'send_refused' });
      await this.#lockedOut(step.context, lang);
    } else if (r.outcome === 'limited') {
      await this.#audit(step.context, AuditEvents.verificationLimited, { purpose: intent });
      await step.context.sendActivity(t('verifyLimited', lang));
    } else {
      await step.context.sendActivity(t('verifyNoMethod', lang));
    }
    return step.endDialog({ verified: false, intent } satisfies VerifyResult);
  }

  /** A lock-out offers a person where a handoff is installed (queued at once), else says how to reach one. */
  async #lockedOut(context: TurnContext, lang: Lang): Promise<void> {
    if (context.turnState.get(HANDOFF_SERVICE) && (await escalateOnLockout(context, lang))) return;
    await context.sendActivity(t('verifyLocked', lang));
  }

  async #askCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const o = step.options as CodeLoopOptions;
    const lang = langOf(step.context);
    const otp = this.#d.otp!;
    return step.prompt(VerifyIds.code, { prompt: t(o.prompt, lang, { digits: otp.digits, minutes: otp.ttlMinutes }) });
  }

  async #checkCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // Whatever the customer typed at the code prompt is stored as a fixed tag, never as typed.
    step.context.turnState.set(TurnKeys.incomingReplacement, OTP_TAG);
    const o = step.options as CodeLoopOptions;
    const lang = langOf(step.context);
    const otp = this.#d.otp!;
    const text = String(step.result ?? '');
    const conversation = this.#d.identity.conversationOwner(step.context);
    const now = this.#d.identity.now();
    if (NEW_CODE.test(fold(text))) {
      const r = await otp.resend({ challenge: o.challenge, conversation, lang, now });
      return this.#afterIssue(step, r, o.intent, lang);
    }
    const r = await otp.check({ challenge: o.challenge, code: text, conversation, purpose: o.challenge.purpose, now });
    const method = o.challenge.channel === 'email' ? 'email_otp' : 'sms_otp';
    if (r.outcome === 'ok') {
      await this.#d.identity.markVerified(step.context, r.customer, r.method, o.intent);
      await step.context.sendActivity(t('verifySucceeded', lang));
      return step.endDialog({ verified: true, intent: o.intent } satisfies VerifyResult);
    }
    if (r.outcome === 'locked') {
      await this.#audit(step.context, AuditEvents.verificationLocked, { method, purpose: o.intent, outcome: 'locked' });
      await this.#lockedOut(step.context, lang);
      return step.endDialog({ verified: false, intent: o.intent } satisfies VerifyResult);
    }
    await this.#audit(step.context, AuditEvents.verificationFailed, { method, purpose: o.intent, outcome: 'wrong_code' });
    return step.replaceDialog(VerifyIds.codeLoop, { ...o, prompt: 'verifyCodeWrong' } satisfies CodeLoopOptions);
  }

  /**
   * Teams: the token came from the Bot Framework token service over the bot's authenticated channel. Its tenant and
   * object id must be those of the activity (which the channel authenticated), and the pair must map to a customer;
   * the display name and UPN are never used (IMP-3).
   */
  async #teamsDone(step: WaterfallStepContext, token: TokenResponse | undefined, o: VerifyOptions, lang: Lang): Promise<DialogTurnResult> {
    const fail = async (outcome: string) => {
      await this.#audit(step.context, AuditEvents.verificationFailed, { method: 'teams_sso', purpose: o.intent, outcome });
      await step.context.sendActivity(t('verifyTeamsFailed', lang));
      return step.endDialog({ verified: false, intent: o.intent } satisfies VerifyResult);
    };
    if (!token?.token) return fail('no_token');
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(token.token);
    } catch {
      return fail('bad_token');
    }
    const a = step.context.activity;
    const tenant = String((a.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id ?? a.conversation?.tenantId ?? '').toLowerCase();
    const object = String(a.from?.aadObjectId ?? '').toLowerCase();
    const tid = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : '';
    const oid = typeof claims.oid === 'string' ? claims.oid.toLowerCase() : '';
    if (!tid || !oid || tid !== tenant || oid !== object) return fail('identity_mismatch');
    if (typeof claims.exp === 'number' && claims.exp * 1000 < this.#d.identity.now()) return fail('expired');
    const customer = await this.#d.directory.findByTeamsIdentity(tid, oid);
    if (!customer) return fail('unknown_subject');
    await this.#d.identity.markVerified(step.context, customer, 'teams_sso', o.intent);
    await step.context.sendActivity(t('verifySucceeded', lang));
    return step.endDialog({ verified: true, intent: o.intent } satisfies VerifyResult);
  }
}
