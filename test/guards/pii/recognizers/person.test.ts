import { personRecognizer } from '../../../../guards/pii/recognizers/person.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a name after "my name is"', locale: 'en-US', text: 'Hi, my name is Marcus Bell and my email is below', spans: ['Marcus Bell'] },
  { name: 'a lower-case name after "name"', locale: 'en-US', text: 'member number 61-3309222, name connor tran, i want to upgrade', spans: ['connor tran'] },
  { name: 'a name before "here"', locale: 'en-US', text: 'latoya Jefferson here, social 491146194', spans: ['latoya Jefferson'] },
  { name: 'a dash sign-off', locale: 'en-US', text: 'Charge on my card is wrong. -dustin', spans: ['dustin'] },
  { name: 'a given name before "will"', locale: 'en-US', text: "We're at 12 Prospect Circle now, and Andre will sign for it", spans: ['Andre'] },
  { name: 'two capitalised words before "called"', locale: 'en-US', text: 'Tyrell Washington called about my order', spans: ['Tyrell Washington'] },
  { name: 'names that are ordinary words', locale: 'en-US', text: 'Penny pincher question: Jack up the volume? Ruby red version?', spans: [] },
  { name: 'a product name after a verb', locale: 'en-US', text: 'Do you still sell Daisy Chain earrings?', spans: [] },
  { name: 'a repeated name', locale: 'en-GB', text: "I'm Holly, Holly Fairbairn, we spoke on Monday", spans: ['Holly', 'Holly Fairbairn'] },
  { name: 'a relation and a sign-off', locale: 'en-GB', text: "my partner Skye Griffiths rang yesterday. Best, Lowri", spans: ['Skye Griffiths', 'Lowri'] },
  { name: 'a lower-case name before "DOB"', locale: 'en-GB', text: "I'm lowri rivers, DOB 12-09-1998, can't log in", spans: ['lowri rivers'] },
  { name: 'a candle brand', locale: 'en-GB', text: 'Is the Holly & Ivy candle back in stock?', spans: [] },
  { name: 'a given name and surname before "aus meinem Haushalt"', locale: 'de-DE', text: 'Jan Huber aus meinem Haushalt hat angerufen', spans: ['Jan Huber'] },
  { name: 'a greeting and a title', locale: 'de-DE', text: 'Guten Abend Mareike, bitte an Herrn Müller weiterleiten', spans: ['Mareike', 'Müller'] },
  { name: 'a lower-case name before "geb."', locale: 'de-DE', text: 'dominik könig, geb. 5.5.1983, komme nicht in mein Konto', spans: ['dominik könig'] },
  { name: 'capitalised nouns', locale: 'de-DE', text: 'Ist der Winter-Sale schon vorbei? Gibt es das Modell auch in Schwarz?', spans: [] },
  { name: 'a name after "au nom de"', locale: 'fr-FR', text: 'Le compte est au nom de Émilie Girard, date de naissance 24 avril 1973.', spans: ['Émilie Girard'] },
  { name: 'a name after "Ici" and a sign-off', locale: 'fr-FR', text: "Ici Olive, on s'est parlé lundi. Cordialement, Pierre Martin", spans: ['Olive', 'Pierre Martin'] },
  { name: 'colour words that are names', locale: 'fr-FR', text: 'Violette ou bleue, laquelle est en stock ?', spans: [] },
  { name: 'a name after "titular"', locale: 'es-ES', text: 'Pasaporte número PAA630948, titular Rubén Torres', spans: ['Rubén Torres'] },
  { name: 'a name before "llamó"', locale: 'es-ES', text: 'Pablo Soto llamó ayer de mi parte', spans: ['Pablo Soto'] },
  { name: 'a model named like a person', locale: 'es-ES', text: '¿El modelo Soledad sigue disponible en talla 40?', spans: [] },
  // Brand stop-list: brands greeted or thanked like people, brand names made of person names.
  { name: 'a retailer greeted like a person', locale: 'en-US', text: 'Hi Amazon, where is my parcel?', spans: [] },
  { name: 'a retailer thanked like a person', locale: 'en-GB', text: 'Thanks, Argos! all good now', spans: [] },
  { name: 'a retailer after "Hallo"', locale: 'de-DE', text: 'Hallo Zalando, wo bleibt mein Paket?', spans: [] },
  { name: 'a fashion brand made of a given name and surname', locale: 'es-ES', text: '¿Queda algo de Michael Kors?', spans: [] },
  { name: 'a brand word that is a given name, with a surname', locale: 'es-ES', text: 'Hola Zara Phillips, gracias por todo', spans: ['Zara Phillips'] },
  // Larger given-name and surname lists, only in pairs after a context word.
  { name: 'an unlisted-origin given name and surname after "send it to"', locale: 'en-US', text: 'please send it to Emeka Balogun instead', spans: ['Emeka Balogun'] },
  { name: 'a given name and surname after "left with"', locale: 'en-GB', text: 'it was left with Magdalena Kowalska at no. 3', spans: ['Magdalena Kowalska'] },
  { name: 'a place after "ship to"', locale: 'en-US', text: 'Do you ship to Puerto Rico?', spans: [] },
  { name: 'a pair of ordinary capitalised words after "send it to"', locale: 'en-US', text: 'Send it to Head Office please', spans: [] },
  // Chat words after a name, all-caps names after a strong cue.
  { name: 'a name before "svp"', locale: 'fr-FR', text: 'au nom de Sacha Girard svp', spans: ['Sacha Girard'] },
  { name: 'an all-caps name after "name on the card"', locale: 'en-US', text: 'Name on the card: MARIA GONZALEZ', spans: ['MARIA GONZALEZ'] },
  { name: 'an acronym without a cue', locale: 'en-US', text: 'The USB cable from SONY LTD is broken', spans: [] },
  // Sign-offs and thanks.
  { name: 'a lower-case name after "thx"', locale: 'en-US', text: 'thx jenny :)', spans: ['jenny'] },
  { name: 'a name after "bonne soirée"', locale: 'fr-FR', text: 'bonne soirée, Mamadou', spans: ['Mamadou'] },
  { name: 'a name after "merci"', locale: 'fr-FR', text: 'merci Inès pour tout', spans: ['Inès'] },
  { name: 'a name line in a signature block', locale: 'en-GB', text: 'Kind regards,\nWiktoria Zielińska\n+44 20 7946 0000', spans: ['Wiktoria Zielińska'] },
  { name: 'a company line after a sign-off', locale: 'en-GB', text: 'Kind regards,\nNorthwind Supplies Ltd\nUnit 4', spans: [] },
];

describe('PersonRecognizer', () => runTable(personRecognizer, 'PERSON', rows));
