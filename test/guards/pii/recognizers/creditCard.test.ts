import { creditCardRecognizer } from '../../../../guards/pii/recognizers/creditCard.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a Luhn-valid Visa with spaces', locale: 'en-US', text: 'card number is 4526 0181 5908 3012 exp 09/27', spans: ['4526 0181 5908 3012'] },
  { name: 'a Luhn-valid card with dashes', locale: 'en-US', text: "card 5166-1318-6091-3906, cvv on the phone", spans: ['5166-1318-6091-3906'] },
  { name: 'an Amex in 4-6-5 groups', locale: 'en-US', text: 'Use my Amex 3781 948219 93511 please', spans: ['3781 948219 93511'] },
  { name: 'a card typed in two halves', locale: 'en-US', text: 'first part 4895 5597, the rest 9711 4712', spans: ['4895 5597', '9711 4712'] },
  { name: 'a 16-digit order number that fails Luhn', locale: 'en-US', text: 'The order number is 4526018159083013', spans: [] },
  { name: 'two unrelated short numbers', locale: 'en-US', text: 'first half 1234 5678, second half 9999 0000', spans: [] },
  { name: 'a Mastercard 2-series with mixed separators', locale: 'en-GB', text: 'my card 2221.9960-3082 4625 was declined', spans: ['2221.9960-3082 4625'] },
  { name: 'a tracking number', locale: 'en-GB', text: 'Delivery DPD 35409726522560 missed again', spans: [] },
  { name: 'a contiguous Discover number', locale: 'de-DE', text: 'Meine Kreditkarte 6011819093786579 wurde belastet', spans: ['6011819093786579'] },
  { name: 'a parcel number', locale: 'de-DE', text: 'Sendung H5534668233611000406 hängt fest', spans: [] },
  { name: 'a Visa with dots', locale: 'fr-FR', text: 'Ma carte 4975.4323.1948.7573 a été débitée deux fois', spans: ['4975.4323.1948.7573'] },
  { name: 'a parcel number with 14 digits', locale: 'fr-FR', text: 'Colis 77103694120557 bloqué depuis 6 jours', spans: [] },
  { name: 'a card after the word tarjeta', locale: 'es-ES', text: 'Tarjeta 5549 1186 2527 6016, código postal 08033', spans: ['5549 1186 2527 6016'] },
  { name: 'a 17-digit shipment number', locale: 'es-ES', text: 'El envío 72935101954335362 lleva 13 días parado', spans: [] },
  { name: 'a Luhn-valid number after "serial number ... is"', locale: 'en-US', text: 'The serial number on the unit is 4111111111111111', spans: [] },
  { name: 'a Luhn-valid number after "Seriennummer"', locale: 'de-DE', text: 'Seriennummer 4539 1488 0343 6467 auf dem Gerät', spans: [] },
  { name: 'a card after a serial number and a card word', locale: 'en-US', text: 'serial 88213, card 4111 1111 1111 1111', spans: ['4111 1111 1111 1111'] },
  { name: 'a card in two halves with counts before each half', locale: 'en-US', text: 'the first 8 are 4111 1111 and the last 8 1111 1111', spans: ['4111 1111', '1111 1111'] },
];

describe('CreditCardRecognizer', () => runTable(creditCardRecognizer, 'CREDIT_CARD', rows));
