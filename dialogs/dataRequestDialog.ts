/**
 * Data-subject requests in the conversation (issue 5): access summary, export link, correction of email, phone or
 * postal address, erasure; opt-out of sale/sharing needs no verification (DSR-1) and is answered in one turn by
 * `optOutTurn`. MainDialog verifies the customer (per-intent freshness and methods) before this dialog starts; every
 * step that touches the account asks the IdentityService again, so the freshness holds at the moment of use.
 * Cancelling ("cancel", or "no" at the confirmation) closes the request as cancelled and changes nothing.
 */
import { ChoicePrompt, ComponentDialog, ConfirmPrompt, DialogReason, ListStyle, TextPrompt, WaterfallDialog, type DialogInstance, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import { TurnKeys } from '../guards/turnState.js';
import type { IdentityService } from '../guards/identity/identityGuard.js';
import { channelWord } from '../guards/identity/identityGuard.js';
import type { OtpService, Challenge } from '../guards/identity/otpService.js';
import { normalizeCode, parseIdentifier } from '../guards/identity/otpService.js';
import type { DsrService } from '../guards/dsr/service.js';
import { AuditEvents } from '../guards/audit/auditLog.js';
import type { AuditLog } from '../guards/audit/auditLog.js';
import type { Customer } from '../directory/customerDirectory.js';
import { t } from './messages.js';
import { type Lang, langOf } from './language.js';
import { OTP_TAG } from './verifyIdentityDialog.js';

export const DataRequestIds = {
  dialog: 'dataRequest',
  steps: 'dataRequest.steps',
  field: 'dataRequest.field',
  value: 'dataRequest.value',
  code: 'dataRequest.code',
  confirm: 'dataRequest.confirm',
} as const;

export type DataRequestKind = 'access' | 'export' | 'rectify' | 'erase';
export interface DataRequestOptions { kind: DataRequestKind }

/** The policy intent (guards/identity/policy.ts) each kind needs. */
export const POLICY_INTENT: Record<DataRequestKind, string> = { access: 'dataAccess', export: 'dataExport', rectify: 'dataCorrect', erase: 'dataErase' };

export interface DataRequestDeps {
  identity: IdentityService;
  dsr: DsrService;
  audit: AuditLog;
  otp?: OtpService;
  /** After an erasure: forget this conversation's state and keep no transcript of this turn. */
  afterErasure?: (context: TurnContext) => Promise<void>;
}

const FIELDS: Record<Lang, string[]> = {
  en: ['Email address', 'Phone number', 'Postal address'],
  de: ['E-Mail-Adresse', 'Telefonnummer', 'Postanschrift'],
  fr: ['Adresse e-mail', 'Numéro de téléphone', 'Adresse postale'],
  es: ['Correo electrónico', 'Número de teléfono', 'Dirección postal'],
};
const FIELD_CODES = ['email', 'phone', 'address'] as const;
type Field = (typeof FIELD_CODES)[number];

const PROFILE_WORDS: Record<Lang, Record<string, string>> = {
  en: { name: 'name', email: 'email address', phone: 'phone number', address: 'postal address', birthDate: 'date of birth', locale: 'language', region: 'region', teams: 'Teams identity' },
  de: { name: 'Name', email: 'E-Mail-Adresse', phone: 'Telefonnummer', address: 'Anschrift', birthDate: 'Geburtsdatum', locale: 'Sprache', region: 'Region', teams: 'Teams-Identität' },
  fr: { name: 'nom', email: 'adresse e-mail', phone: 'téléphone', address: 'adresse postale', birthDate: 'date de naissance', locale: 'langue', region: 'région', teams: 'identité Teams' },
  es: { name: 'nombre', email: 'correo electrónico', phone: 'teléfono', address: 'dirección postal', birthDate: 'fecha de nacimiento', locale: 'idioma', region: 'región', teams: 'identidad de Teams' },
};
const YES_NO: Record<Lang, [string, string]> = { en: ['yes', 'no'], de: ['ja', 'nein'], fr: ['oui', 'non'], es: ['sí', 'no'] };
const ACTION_WORDS: Record<Lang, Record<string, string>> = {
  en: { took_over_conversation: 'took over your conversation', viewed_conversation: 'viewed your conversation', revealed_masked_value: 'revealed a masked value' },
  de: { took_over_conversation: 'hat Ihr Gespräch übernommen', viewed_conversation: 'hat Ihr Gespräch angesehen', revealed_masked_value: 'hat einen geschwärzten Wert aufgedeckt' },
  fr: { took_over_conversation: 'a pris en charge votre conversation', viewed_conversation: 'a consulté votre conversation', revealed_masked_value: 'a révélé une valeur masquée' },
  es: { took_over_conversation: 'se hizo cargo de su conversación', viewed_conversation: 'consultó su conversación', revealed_masked_value: 'reveló un valor oculto' },
};
const RETAINED_WORDS: Record<string, Record<Lang, string>> = {
  invoices: { en: 'invoices', de: 'Rechnungen', fr: 'factures', es: 'facturas' },
  payment_records: { en: 'payment records', de: 'Zahlungsbelege', fr: 'justificatifs de paiement', es: 'registros de pago' },
};

// Loose on purpose: these only filter junk; the directory validates the value against its schema.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const ADDRESS = /^\s*(?<line1>[^,\n]{3,200}),\s*(?<postcode>[A-Za-z0-9][A-Za-z0-9 -]{1,14}[A-Za-z0-9]?)\s+(?<city>[^,\n\d][^,\n]{1,99})\s*$/u;

const vals = (step: WaterfallStepContext) => step.values as Record<string, unknown>;

/** Parses "street and number, postcode city"; the country stays the one on file. */
export function parseAddress(text: string, country: string): Customer['address'] | undefined {
  const m = ADDRESS.exec(text);
  if (!m?.groups) return undefined;
  const { line1, postcode, city } = m.groups as { line1: string; postcode: string; city: string };
  if (!/\p{L}{2,}/u.test(line1)) return undefined;
  return { line1: line1.trim(), postcode: postcode.trim(), city: city.trim(), country };
}

export class DataRequestDialog extends ComponentDialog {
  readonly #d: DataRequestDeps;

  constructor(deps: DataRequestDeps) {
    super(DataRequestIds.dialog);
    this.#d = deps;
    this.addDialog(new ChoicePrompt(DataRequestIds.field, undefined, 'en-us'));
    this.addDialog(new TextPrompt(DataRequestIds.value, async (pc: PromptValidatorContext<string>) => this.#validValue(pc)));
    this.addDialog(new TextPrompt(DataRequestIds.code));
    this.addDialog(new ConfirmPrompt(DataRequestIds.confirm, undefined, 'en-us'));
    this.addDialog(new WaterfallDialog(DataRequestIds.steps, [(s) => this.#start(s), (s) => this.#second(s), (s) => this.#third(s), (s) => this.#fourth(s)]));
    this.initialDialogId = DataRequestIds.steps;
  }

  /** Cancelled from outside ("cancel", "agent"): an unconfirmed request is closed as cancelled, nothing else. */
  protected override async onEndDialog(context: TurnContext, instance: DialogInstance, reason: DialogReason): Promise<void> {
    if (reason === DialogReason.cancelCalled) {
      const pending = (instance.state as { pendingRequest?: string }).pendingRequest;
      if (pending) await this.#d.dsr.cancel(pending, this.#d.identity.conversationOwner(context));
    }
    await super.onEndDialog(context, instance, reason);
  }

  #setPending(step: WaterfallStepContext, id: string | undefined): void {
    // The component's own instance sits on the outer stack; its state is what onEndDialog receives.
    const comp = step.parent?.activeDialog;
    if (!comp || comp.id !== DataRequestIds.dialog) return;
    const st = comp.state as { pendingRequest?: string };
    if (id) st.pendingRequest = id;
    else delete st.pendingRequest;
  }

  async #validValue(pc: PromptValidatorContext<string>): Promise<boolean> {
    const field = (pc.options as { validations?: { field?: Field; country?: string } }).validations?.field;
    const v = (pc.recognized.value ?? '').trim();
    if (field === 'email') return EMAIL.test(v) && v.length <= 254;
    if (field === 'phone') return parseIdentifier(v)?.kind === 'phone';
    if (field === 'address') return parseAddress(v, 'XX') !== undefined;
    return false;
  }

  async #allowed(step: WaterfallStepContext, kind: DataRequestKind): Promise<Customer | undefined> {
    const access = await this.#d.identity.accountFor(step.context, POLICY_INTENT[kind]);
    if (access.kind === 'allow') return access.customer;
    await step.context.sendActivity(t('needsFreshVerification', langOf(step.context)));
    return undefined;
  }

  #subject(context: TurnContext): { pseudonym: string; owner: string } | undefined {
    const s = this.#d.identity.session(context);
    return s?.subject && s.subjectOwner ? { pseudonym: s.subject, owner: s.subjectOwner } : undefined;
  }

  async #start(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const o = step.options as DataRequestOptions;
    const lang = langOf(step.context);
    vals(step).kind = o.kind;
    const customer = await this.#allowed(step, o.kind);
    const subject = this.#subject(step.context);
    if (!customer || !subject) return step.endDialog();
    const conversation = this.#d.identity.conversationOwner(step.context);
    const channel = channelWord(step.context);
    const type = o.kind === 'rectify' ? 'rectify' : o.kind;
    const { record } = await this.#d.dsr.open(type, subject.pseudonym, { region: customer.region, channel, conversation });
    vals(step).ref = record.id;
    vals(step).due = record.due;

    if (o.kind === 'access') {
      const s = await this.#d.dsr.accessSummary(customer);
      const staff = s.staffAccess.length === 0 ? t('dsrStaffNone', lang)
        : [t('dsrStaffIntro', lang), ...s.staffAccess.map((a) => `- ${a.at.slice(0, 16).replace('T', ' ')} UTC: ${a.actor} ${ACTION_WORDS[lang][a.action] ?? a.action}`)].join('\n');
      await step.context.sendActivity(t('dsrAccessSummary', lang, {
        ref: record.id, fields: s.profileFields.map((f) => PROFILE_WORDS[lang][f] ?? f).join(', '), orders: s.orders, consent: s.consentRecords,
        conversations: s.conversations, entries: s.transcriptEntries, handoffs: s.handoffs, requests: s.requests, optout: YES_NO[lang][s.optedOut ? 0 : 1], staff,
      }));
      await this.#d.dsr.complete(record, 'summary_given');
      await this.#d.audit.append({ type: AuditEvents.dsrAccessGiven, at: new Date(this.#d.identity.now()).toISOString(), subject: subject.pseudonym, purpose: 'access', object: record.id, conversation, outcome: 'summary_given' });
      return step.endDialog();
    }
    if (o.kind === 'export') {
      const url = await this.#d.dsr.issueExportLink(customer.customerNumber, subject, conversation, record.id);
      await step.context.sendActivity(t('dsrExportLink', lang, { url, minutes: this.#d.dsr.linkMinutes, ref: record.id }));
      return step.endDialog();
    }
    if (o.kind === 'erase') {
      if (record.status === 'in_progress') return this.#runErasure(step, record.id, customer);
      this.#setPending(step, record.id);
      // Anything but yes or no ("delete me" again) shows the same explanation and receipt again: one request.
      return step.prompt(DataRequestIds.confirm, { prompt: t('dsrEraseExplain', lang, { ref: record.id }), retryPrompt: t('dsrEraseExplain', lang, { ref: record.id }), style: ListStyle.suggestedAction });
    }
    this.#setPending(step, record.id);
    return step.prompt(DataRequestIds.field, { prompt: t('dsrCorrectAsk', lang), choices: FIELDS[lang], style: ListStyle.suggestedAction });
  }

  async #second(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const ref = String(vals(step).ref);
    if (vals(step).kind === 'erase') {
      if (step.result !== true) {
        this.#setPending(step, undefined);
        await this.#d.dsr.cancel(ref, this.#d.identity.conversationOwner(step.context));
        await step.context.sendActivity(t('dsrEraseDeclined', lang, { ref }));
        return step.endDialog();
      }
      // The deletion itself needs a fresh and strong verification at this moment, not only at the start.
      const customer = await this.#allowed(step, 'erase');
      if (!customer) return step.endDialog();
      this.#setPending(step, undefined);
      return this.#runErasure(step, ref, customer);
    }
    const index = (step.result as { index?: number } | undefined)?.index ?? 0;
    const field = FIELD_CODES[index] ?? 'email';
    vals(step).field = field;
    const prompt = field === 'email' ? 'dsrCorrectAskEmail' : field === 'phone' ? 'dsrCorrectAskPhone' : 'dsrCorrectAskAddress';
    return step.prompt(DataRequestIds.value, { prompt: t(prompt, lang), retryPrompt: t('dsrCorrectInvalid', lang), validations: { field } });
  }

  async #third(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const field = vals(step).field as Field;
    const value = String(step.result ?? '').trim();
    const customer = await this.#allowed(step, 'rectify');
    if (!customer) return step.endDialog();
    if (field === 'address') {
      const address = parseAddress(value, customer.address.country);
      if (!address) return step.endDialog();
      vals(step).address = address;
      return step.prompt(DataRequestIds.confirm, { prompt: t('dsrCorrectConfirmAddress', lang), retryPrompt: t('yesNoRetry', lang), style: ListStyle.suggestedAction });
    }
    const otp = this.#d.otp;
    const to = field === 'email' ? value.toLowerCase() : parseIdentifier(value)!.value;
    const r = otp ? await otp.startPossession({ customerNumber: customer.customerNumber, channel: field === 'email' ? 'email' : 'sms', to, purpose: 'dataCorrect', conversation: this.#d.identity.conversationOwner(step.context), lang, now: this.#d.identity.now() }) : { outcome: 'no_channel' as const };
    if (r.outcome !== 'sent' || !r.challenge) {
      await step.context.sendActivity(t(r.outcome === 'limited' ? 'verifyLimited' : r.outcome === 'locked' ? 'verifyLocked' : 'dsrCorrectNoChannel', lang));
      await this.#d.dsr.cancel(String(vals(step).ref), this.#d.identity.conversationOwner(step.context));
      this.#setPending(step, undefined);
      return step.endDialog();
    }
    vals(step).challenge = r.challenge;
    vals(step).newValue = to;
    return step.prompt(DataRequestIds.code, { prompt: t('dsrCorrectCodeSent', lang, { minutes: otp!.ttlMinutes }) });
  }

  async #fourth(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const field = vals(step).field as Field;
    const ref = String(vals(step).ref);
    const conversation = this.#d.identity.conversationOwner(step.context);
    let change: { email?: string; phone?: string; address?: Customer['address'] };
    if (field === 'address') {
      if (step.result !== true) {
        this.#setPending(step, undefined);
        await this.#d.dsr.cancel(ref, conversation);
        await step.context.sendActivity(t('dsrCorrectDeclined', lang, { ref }));
        return step.endDialog();
      }
      change = { address: vals(step).address as Customer['address'] };
    } else {
      // Whatever was typed at the code prompt is stored as a fixed tag, never as typed.
      step.context.turnState.set(TurnKeys.incomingReplacement, OTP_TAG);
      const challenge = vals(step).challenge as Challenge;
      const r = await this.#d.otp!.check({ challenge, code: normalizeCode(String(step.result ?? '')) ?? '', conversation, purpose: 'dataCorrect', now: this.#d.identity.now() });
      if (r.outcome !== 'ok') {
        this.#setPending(step, undefined);
        await this.#d.dsr.cancel(ref, conversation);
        await step.context.sendActivity(t('dsrCorrectCodeWrong', lang));
        return step.endDialog();
      }
      change = field === 'email' ? { email: String(vals(step).newValue) } : { phone: String(vals(step).newValue) };
    }
    const customer = await this.#allowed(step, 'rectify');
    const record = await this.#d.dsr.ledger.get(ref);
    if (!customer || !record) return step.endDialog();
    this.#setPending(step, undefined);
    try {
      const recipients = await this.#d.dsr.correct(record, customer.customerNumber, field, change, conversation);
      const updated = { ...customer, ...change };
      await this.#d.identity.refreshProfile(step.context, updated);
      await step.context.sendActivity(t('dsrCorrectDone', lang, { ref, recipients: recipients.join(', ') }));
    } catch {
      await step.context.sendActivity(t('dsrFailed', lang, { ref, due: record.due }));
    }
    return step.endDialog();
  }

  async #runErasure(step: WaterfallStepContext, ref: string, customer: Customer): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const record = await this.#d.dsr.ledger.get(ref);
    if (!record) return step.endDialog();
    let out;
    try {
      out = await this.#d.dsr.confirmErasure(record, customer.customerNumber, { channel: channelWord(step.context), conversation: this.#d.identity.conversationOwner(step.context) });
    } catch {
      await step.context.sendActivity(t('dsrEraseInProgress', lang, { ref }));
      return step.endDialog();
    }
    if (out?.status === 'completed') {
      const words = out.retained.map((w) => RETAINED_WORDS[w]?.[lang] ?? w.replace(/_/g, ' '));
      const retained = words.length ? t('dsrEraseRetained', lang, { list: words.join(', ') }) : t('dsrEraseRetainedNone', lang);
      await step.context.sendActivity(t('dsrEraseDone', lang, { ref, retained }));
      await this.#d.afterErasure?.(step.context);
    } else {
      await step.context.sendActivity(t('dsrEraseInProgress', lang, { ref }));
    }
    return step.endDialog();
  }
}

/** Opt-out of sale/sharing (DSR-1): no verification, applies at once, in one turn. */
export async function optOutTurn(context: TurnContext, d: { identity: IdentityService; dsr: DsrService }, lang: Lang): Promise<void> {
  const session = d.identity.session(context);
  const userOwner = d.identity.userKey(context);
  const owners = [userOwner, ...(session?.subjectOwner ? [session.subjectOwner] : [])];
  const subject = session?.subject ?? userOwner;
  const record = await d.dsr.optOut(owners, subject, { channel: channelWord(context), conversation: d.identity.conversationOwner(context) });
  await context.sendActivity(t('dsrOptOutDone', lang, { ref: record.id }));
}
