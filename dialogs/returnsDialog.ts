/**
 * Return eligibility check: general, needs no account, so it runs before verification. Exercises every prompt
 * type: yes/no, a choice, a date and a number, in the four languages.
 */
import { ComponentDialog, ConfirmPrompt, ChoicePrompt, TextPrompt, WaterfallDialog, ListStyle, type WaterfallStepContext, type DialogTurnResult, type PromptValidatorContext } from 'botbuilder-dialogs';
import { MessageFactory } from 'botbuilder';
import { DialogIds } from './dialogIds.js';
import { RETURN_REASONS, t } from './messages.js';
import { langOf } from './language.js';
import { parseDate, parseNumber } from './parsing.js';
import type { Clock } from './clock.js';

export const RETURN_WINDOW_DAYS = 30;

interface ReturnsValues { delivered?: string; count?: number }


export class ReturnsDialog extends ComponentDialog {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    super(DialogIds.returns);
    this.#clock = clock;
    this.addDialog(new ConfirmPrompt(DialogIds.confirm, undefined, 'en-us'));
    this.addDialog(new ChoicePrompt(DialogIds.choice, undefined, 'en-us'));
    this.addDialog(new TextPrompt(DialogIds.date, async (pc) => this.#validDate(pc)));
    this.addDialog(new TextPrompt(DialogIds.number, async (pc) => this.#validCount(pc)));
    this.addDialog(new WaterfallDialog(DialogIds.returnsWaterfall, [
      (s) => this.#askStart(s), (s) => this.#askReason(s), (s) => this.#askDate(s), (s) => this.#askCount(s), (s) => this.#askUnused(s), (s) => this.#finish(s),
    ]));
    this.initialDialogId = DialogIds.returnsWaterfall;
  }

  #validDate(pc: PromptValidatorContext<string>): boolean {
    const lang = langOf(pc.context);
    const today = new Date(this.#clock.now());
    const d = pc.recognized.value ? parseDate(pc.recognized.value, lang, today) : undefined;
    if (!d || d > today.toISOString().slice(0, 10)) return false;
    return true;
  }

  #validCount(pc: PromptValidatorContext<string>): boolean {
    const n = pc.recognized.value ? parseNumber(pc.recognized.value, langOf(pc.context)) : undefined;
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > 20) return false;
    return true;
  }

  async #askStart(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    return step.prompt(DialogIds.confirm, { prompt: t('returnsIntro', lang), retryPrompt: t('yesNoRetry', lang), style: ListStyle.suggestedAction });
  }

  async #askReason(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    if (step.result !== true) {
      await step.context.sendActivity(t('returnsDeclined', lang));
      return step.endDialog();
    }
    return step.prompt(DialogIds.choice, { prompt: t('returnsReason', lang), choices: RETURN_REASONS[lang], style: ListStyle.suggestedAction });
  }

  async #askDate(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    return step.prompt(DialogIds.date, { prompt: t('returnsWhen', lang), retryPrompt: t('returnsWhenRetry', lang) });
  }

  async #askCount(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const values = step.values as ReturnsValues;
    values.delivered = parseDate(String(step.result), lang, new Date(this.#clock.now()));
    return step.prompt(DialogIds.number, { prompt: t('returnsHowMany', lang), retryPrompt: t('returnsHowManyRetry', lang) });
  }

  async #askUnused(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    (step.values as ReturnsValues).count = parseNumber(String(step.result), lang);
    return step.prompt(DialogIds.confirm, { prompt: t('returnsUnused', lang), retryPrompt: t('yesNoRetry', lang), style: ListStyle.suggestedAction });
  }

  async #finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = langOf(step.context);
    const v = step.values as ReturnsValues;
    if (step.result !== true) {
      await step.context.sendActivity(t('returnsUsed', lang));
      return step.endDialog();
    }
    const delivered = Date.parse(`${v.delivered}T00:00:00Z`);
    const today = Date.parse(`${new Date(this.#clock.now()).toISOString().slice(0, 10)}T00:00:00Z`);
    const left = RETURN_WINDOW_DAYS - Math.round((today - delivered) / 86_400_000);
    const text = left >= 0
      ? t('returnsEligible', lang, { count: v.count ?? 1, days: left })
      : t('returnsLate', lang, { date: v.delivered ?? '' });
    await step.context.sendActivity(MessageFactory.text(text));
    return step.endDialog({ eligible: left >= 0 });
  }
}
