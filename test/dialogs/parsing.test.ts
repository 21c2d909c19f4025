import { expect } from 'chai';
import { parseDate, parseNumber, parseYesNo } from '../../dialogs/parsing.js';
import { detectLang } from '../../dialogs/language.js';
import { matchIntent } from '../../dialogs/intents.js';

const today = new Date('2026-11-29T12:00:00Z');

describe('prompt parsing', () => {
  const numbers: [string, 'en' | 'de' | 'fr' | 'es', number | undefined][] = [
    ['two', 'en', 2], ['12', 'en', 12], ['zwei', 'de', 2], ['dreiundzwanzig', 'de', 23], ['2,5', 'de', 2.5], ['drei Stück', 'de', 3],
    ['trois', 'fr', 3], ['dos', 'es', 2], ['none at all', 'en', undefined], ['keine Ahnung', 'de', undefined],
  ];
  for (const [text, lang, want] of numbers) it(`reads the number in "${text}" (${lang}) as ${want}`, () => expect(parseNumber(text, lang)).to.equal(want));

  const dates: [string, 'en' | 'de' | 'fr' | 'es', string | undefined][] = [
    ['yesterday', 'en', '2026-11-28'], ['gestern', 'de', '2026-11-28'], ['vorgestern', 'de', '2026-11-27'], ['vor 2 Wochen', 'de', '2026-11-15'],
    ['3.5.2024', 'de', '2024-05-03'], ['3. Mai 2024', 'de', '2024-05-03'], ['31.2.2024', 'de', undefined], ['hier', 'fr', '2026-11-28'],
    ['ayer', 'es', '2026-11-28'], ['12 March 2025', 'en', '2025-03-12'], ['nothing', 'en', undefined],
  ];
  for (const [text, lang, want] of dates) it(`reads the date in "${text}" (${lang}) as ${want}`, () => expect(parseDate(text, lang, today)).to.equal(want));

  const yesNo: [string, 'en' | 'de' | 'fr' | 'es', boolean | undefined][] = [
    ['yes', 'en', true], ['nope', 'en', false], ['ja', 'de', true], ['nein', 'de', false], ['oui', 'fr', true], ['non', 'fr', false], ['sí', 'es', true], ['no', 'es', false],
  ];
  for (const [text, lang, want] of yesNo) it(`reads "${text}" (${lang}) as ${want}`, () => expect(parseYesNo(text, lang)).to.equal(want));
});

describe('language and intent detection', () => {
  const langs: [string, string | undefined][] = [
    ['Wo ist meine Bestellung bitte', 'de'], ['où est ma commande', 'fr'], ['dónde está mi pedido', 'es'], ['where is my order', 'en'], ['12345', undefined],
  ];
  for (const [text, want] of langs) it(`detects ${want} in "${text}"`, () => expect(detectLang(text)).to.equal(want));

  const intents: [string, string][] = [
    ['I want to return my order', 'returns'], ['change the delivery address of my order', 'addressChange'], ['I was charged twice for my order', 'paymentProblem'],
    ['Wo bleibt meine Sendung?', 'orderStatus'], ['la pizza estaba rica', 'none'], ['Agentur für Arbeit', 'none'],
  ];
  for (const [text, want] of intents) it(`matches "${text}" to ${want}`, () => expect(matchIntent(text, 'en')).to.equal(want));
});
