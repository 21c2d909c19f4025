/**
 * The consent conversation: the privacy notice with its two choices, and the words that answer it or withdraw it,
 * in the four languages. The ConsentGuard (guards/consent) runs it before any dialog, so a withdrawal works in one
 * turn from anywhere, even in the middle of a prompt. Patterns match folded text; they deliberately miss
 * paraphrases without a key word (the buttons and "privacy" are always there).
 */
import { ActionTypes, MessageFactory, type Activity } from 'botbuilder';
import { fold } from './intents.js';
import type { Lang } from './language.js';
import { t } from './messages.js';

export type ConsentChoice = 'keep' | 'dont_keep';

const w = (s: string) => new RegExp(`(?:^|[^\\p{L}])(?:${s})(?:$|[^\\p{L}])`, 'u');

// "Don't keep" is checked before "keep": every language's refusal contains its acceptance word.
const DONT_KEEP = [
  w("don.?t keep|do not keep|no,? (?:don.?t|do not)|don.?t store|do not store"),
  w('nicht (?:aufbewahren|speichern|behalten)|nein,? nicht'),
  w('ne (?:pas )?(?:la )?(?:conserver|garder)|ne la conservez pas|ne pas conserver'),
  w('no (?:la )?(?:guardarla|guardar|guarden?|conserven?|conservarla)'),
];
const KEEP = [
  w('keep (?:it|my conversation|the conversation)|yes,? keep|you may keep'),
  w('aufbewahren|ja,? (?:aufbewahren|speichern)'),
  w('conserver|(?:oui,? )?(?:la )?garder|vous pouvez (?:la )?conserver'),
  w('guardar(?:la)?|si,? guardar|pueden guardarla'),
];
const WITHDRAW = [
  w('withdraw (?:my |the )?consent|revoke (?:my |the )?consent|stop keeping (?:my )?(?:conversation|chat)'),
  w('(?:einwilligung|zustimmung) (?:widerrufen|zuruckziehen)|widerrufe (?:meine )?(?:einwilligung|zustimmung)'),
  w('retirer (?:mon |le )?consentement|retire (?:mon )?consentement|revoquer (?:mon )?consentement'),
  w('retirar (?:mi |el )?consentimiento|revocar (?:mi |el )?consentimiento|retiro (?:mi )?consentimiento'),
];
const PRIVACY = [w('privacy(?: notice)?|datenschutz(?:hinweis)?|confidentialite|vie privee|privacidad|aviso de privacidad')];

export function parseConsentChoice(text: string): ConsentChoice | undefined {
  const f = fold(text.slice(0, 300));
  if (DONT_KEEP.some((p) => p.test(f))) return 'dont_keep';
  if (KEEP.some((p) => p.test(f))) return 'keep';
  return undefined;
}

export function isWithdrawal(text: string): boolean {
  const f = fold(text.slice(0, 300));
  return WITHDRAW.some((p) => p.test(f));
}

export function isPrivacyRequest(text: string): boolean {
  return PRIVACY.some((p) => p.test(fold(text.slice(0, 300))));
}

/** The notice and the choice as one message with two buttons (their titles are the words `parseConsentChoice` reads). */
export function noticeActivity(noticeText: string, lang: Lang): Partial<Activity> {
  const keep = t('consentKeepButton', lang);
  const dont = t('consentDontKeepButton', lang);
  const m = MessageFactory.text(`${noticeText}\n\n${t('consentQuestion', lang)}`);
  m.suggestedActions = { to: [], actions: [{ type: ActionTypes.ImBack, title: keep, value: keep }, { type: ActionTypes.ImBack, title: dont, value: dont }] };
  return m;
}
