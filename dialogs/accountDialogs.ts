/**
 * What a verified customer can do with their account: order status (read from the directory), an address change
 * for an order that has not shipped, and a payment or card problem. Every step that touches the account asks the
 * IdentityService again, so the per-intent freshness holds at the moment of use, not only at the start.
 * Card numbers are never kept (DESIGN.md invariant 9): the customer is asked for the last four digits only; a full
 * number typed anyway is replaced by a fixed tag in the transcript and only its last four digits are used.
 */
import { ChoicePrompt, ComponentDialog, ConfirmPrompt, ListStyle, TextPrompt, WaterfallDialog, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { TurnKeys } from '../guards/turnState.js';
import type { IdentityService } from '../guards/identity/identityGuard.js';
import type { Customer, CustomerDirectory, Order } from '../directory/customerDirectory.js';
import { t } from './messages.js';
import { type Lang, langOf } from './language.js';
import { luhnValid } from '../guards/pii/text.js';

const LOCALE: Record<Lang, string> = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

const STATUS: Record<Order['status'], Record<Lang, string>> = {
  processing: { en: 'being prepared', de: 'in Vorbereitung', fr: 'en préparation', es: 'en preparación' },
  shipped: { en: 'shipped', de: 'versandt', fr: 'expédiée', es: 'enviado' },
  out_for_delivery: { en: 'out for delivery', de: 'in Zustellung', fr: 'en cours de livraison', es: 'en reparto' },
  delivered: { en: 'delivered', de: 'geliefert', fr: 'livrée', es: 'entregado' },
  cancelled: { en: 'cancelled', de: 'storniert', fr: 'annulée', es: 'cancelado' },
  returned: { en: 'returned', de: 'zurückgesendet', fr: 'retournée', es: 'devuelto' },
};
const WORDS: Record<'placed' | 'expected' | 'deliveredOn' | 'with', Record<Lang, string>> = {
  placed: { en: 'placed', de: 'bestellt am', fr: 'passée le', es: 'realizado el' },
  expected: { en: 'expected', de: 'erwartet am', fr: 'prévue le', es: 'previsto el' },
  deliveredOn: { en: 'on', de: 'am', fr: 'le', es: 'el' },
  with: { en: 'with', de: 'mit', fr: 'avec', es: 'con' },
};

function day(iso: string, lang: Lang): string {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString(LOCALE[lang], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The three most recent orders, one line each. */
export function orderStatusText(c: Customer, lang: Lang): string {
  if (c.orders.length === 0) return t('orderStatusNone', lang);
  const recent = [...c.orders].sort((a, b) => b.placedAt.localeCompare(a.placedAt)).slice(0, 3);
  const lines = recent.map((o) => {
    let line = `${o.orderNumber}: ${WORDS.placed[lang]} ${day(o.placedAt, lang)}, ${STATUS[o.status][lang]}`;
    if (o.carrier && (o.status === 'shipped' || o.status === 'out_for_delivery')) line += ` (${WORDS.with[lang]} ${o.carrier})`;
    if (o.status === 'delivered' && o.deliveredAt) line += ` ${WORDS.deliveredOn[lang]} ${day(o.deliveredAt, lang)}`;
    else if (o.expectedDelivery && o.status !== 'cancelled' && o.status !== 'returned') line += `, ${WORDS.expected[lang]} ${day(o.expectedDelivery, lang)}`;
    return `- ${line}`;
  });
  return `${t('orderStatusIntro', lang)}\n${lines.join('\n')}`;
}

export const AccountIds = {
  address: 'account.address',
  addressSteps: 'account.address.steps',
  addressText: 'account.address.text',
  payment: 'account.payment',
  paymentSteps: 'account.payment.steps',
  paymentKind: 'account.payment.kind',
  last4: 'account.payment.last4',
  confirm: 'account.confirm',
} as const;

const vals = (step: WaterfallStepContext) => step.values as Record<string, string | undefined>;

// A street line with a number and a postcode-like group; deliberately loose (addresses vary), it only filters junk.
const ADDRESS = /^(?=.*\p{L}{2,})(?=.*\d).{8,200}$/su;

export class AddressChangeDialog extends ComponentDialog {
  readonly #identity: IdentityService;
  readonly #directory: CustomerDirectory;
  constructor(identity: IdentityService, directory: CustomerDirectory) {
    super(AccountIds.address);
    this.#identity = identity;
    this.#directory = directory;
    this.addDialog(new TextPrompt(AccountIds.addressText, async (pc: PromptValidatorContext<string>) => ADDRESS.test(pc.recognized.value ?? '')));
    this.addDialog(new ConfirmPrompt(AccountIds.confirm, undefined, 'en-us'));
    this.addDialog(new WaterfallDialog(AccountIds.addressSteps, [(s) => this.#ask(s), (s) => this.#confirm(s), (s) => this.#submit(s)]));
    this.initialDialogId = AccountIds.addressSteps;
  }

  async #ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const access = await this.#identity.accountFor(step.context, 'addressChange');
    if (access.kind !== 'allow') {
      await step.context.sendActivity(t('needsFreshVerification', lang));
      return step.endDialog();
    }
    const open = access.customer.orders.filter((o) => o.status === 'processing').sort((a, b) => b.placedAt.localeCompare(a.placedAt))[0];
    if (!open) {
      await step.context.sendActivity(t('addressNoOpenOrder', lang));
      return step.endDialog();
    }
    vals(step).order = open.orderNumber;
    return step.prompt(AccountIds.addressText, { prompt: t('addressAsk', lang, { order: open.orderNumber }), retryPrompt: t('addressRetry', lang) });
  }

  async #confirm(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    vals(step).address = String(step.result ?? '');
    return step.prompt(AccountIds.confirm, { prompt: t('addressConfirm', lang, { order: vals(step).order ?? '' }), retryPrompt: t('yesNoRetry', lang), style: ListStyle.suggestedAction });
  }

  async #submit(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    if (step.result !== true) {
      await step.context.sendActivity(t('addressDeclined', lang));
      return step.endDialog();
    }
    // The change itself needs a fresh verification at this moment (5 minutes by default), not only at the start.
    const access = await this.#identity.accountFor(step.context, 'addressChange');
    if (access.kind !== 'allow') {
      await step.context.sendActivity(t('needsFreshVerification', lang));
      return step.endDialog();
    }
    const order = vals(step).order ?? '';
    const ref = await this.#directory.openCase({ customerNumber: access.customer.customerNumber, kind: 'address_change', orderNumber: order, details: { address: vals(step).address ?? '' } });
    await step.context.sendActivity(t('addressDone', lang, { order, ref }));
    return step.endDialog();
  }
}

const PAYMENT_KINDS: Record<Lang, string[]> = {
  en: ['Card declined', 'Charged twice', 'Refund missing'],
  de: ['Karte abgelehnt', 'Doppelt abgebucht', 'Erstattung fehlt'],
  fr: ['Carte refusée', 'Débité deux fois', 'Remboursement manquant'],
  es: ['Tarjeta rechazada', 'Cobrado dos veces', 'Falta el reembolso'],
};
const KIND_CODES = ['card_declined', 'charged_twice', 'refund_missing'];

/** A card number (13-19 digits with spaces or dashes) passing Luhn: only its last four digits are ever used. */
export function last4Of(text: string): { last4: string; fullNumber: boolean } | undefined {
  const compact = text.replace(/[\s-]/g, '');
  const full = /\d{13,19}/.exec(compact)?.[0];
  if (full && luhnValid(full)) return { last4: full.slice(-4), fullNumber: true };
  const four = /(?:^|\D)(\d{4})(?:\D|$)/.exec(text.trim());
  return four ? { last4: four[1]!, fullNumber: false } : undefined;
}


export class PaymentProblemDialog extends ComponentDialog {
  readonly #identity: IdentityService;
  readonly #directory: CustomerDirectory;
  constructor(identity: IdentityService, directory: CustomerDirectory) {
    super(AccountIds.payment);
    this.#identity = identity;
    this.#directory = directory;
    this.addDialog(new ChoicePrompt(AccountIds.paymentKind, undefined, 'en-us'));
    this.addDialog(new TextPrompt(AccountIds.last4, async (pc: PromptValidatorContext<string>) => {
      const r = last4Of(pc.recognized.value ?? '');
      // Whatever was typed at this prompt is stored as a fixed tag when it held a full number.
      if (r?.fullNumber) pc.context.turnState.set(TurnKeys.incomingReplacement, '[CREDIT_CARD]');
      return r !== undefined;
    }));
    this.addDialog(new WaterfallDialog(AccountIds.paymentSteps, [(s) => this.#askKind(s), (s) => this.#askCard(s), (s) => this.#submit(s)]));
    this.initialDialogId = AccountIds.paymentSteps;
  }

  async #askKind(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    return step.prompt(AccountIds.paymentKind, { prompt: t('paymentAskKind', lang), choices: PAYMENT_KINDS[lang], style: ListStyle.suggestedAction });
  }

  async #askCard(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const index = (step.result as { index?: number } | undefined)?.index ?? 0;
    vals(step).kind = KIND_CODES[index] ?? KIND_CODES[0];
    vals(step).kindText = PAYMENT_KINDS[lang][index] ?? PAYMENT_KINDS[lang][0];
    return step.prompt(AccountIds.last4, { prompt: t('paymentAskLast4', lang), retryPrompt: t('paymentLast4Retry', lang) });
  }

  async #submit(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const r = last4Of(String(step.result ?? ''));
    if (!r) return step.endDialog();
    if (r.fullNumber) {
      step.context.turnState.set(TurnKeys.incomingReplacement, '[CREDIT_CARD]');
      await step.context.sendActivity(t('paymentFullNumber', lang));
    }
    const access = await this.#identity.accountFor(step.context, 'paymentProblem');
    if (access.kind !== 'allow') {
      await step.context.sendActivity(t('needsFreshVerification', lang));
      return step.endDialog();
    }
    const ref = await this.#directory.openCase({ customerNumber: access.customer.customerNumber, kind: 'payment', details: { problem: vals(step).kind ?? '', cardLast4: r.last4 } });
    await step.context.sendActivity(t('paymentDone', lang, { ref, last4: r.last4, kind: vals(step).kindText ?? '' }));
    return step.endDialog();
  }
}
