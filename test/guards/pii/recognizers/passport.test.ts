import { passportRecognizer } from '../../../../guards/pii/recognizers/passport.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a US passport number after "passport #"', locale: 'en-US', text: 'my passport # is a48560915 for the claim', spans: ['a48560915'] },
  { name: 'a year after "passport"', locale: 'en-US', text: 'my passport expires 2031', spans: [] },
  { name: 'a UK passport number', locale: 'en-GB', text: 'Passport: 556436554. Expiry 2031.', spans: ['556436554'] },
  { name: 'a nine-digit number without a passport word', locale: 'en-GB', text: 'Ref 556436554 please', spans: [] },
  { name: 'a German passport number', locale: 'de-DE', text: 'Ausweis? Ich habe nur den Reisepass: HKYN0N39W', spans: ['HKYN0N39W'] },
  { name: 'a number after Passnummer', locale: 'de-DE', text: 'Passnummer F21MW8LFW, gültig bis 2030.', spans: ['F21MW8LFW'] },
  { name: 'a "Pass" without a number', locale: 'de-DE', text: 'Der Pass ist abgelaufen', spans: [] },
  { name: 'a French passport number after "n°"', locale: 'fr-FR', text: "Passeport n° 08XR07540, valable jusqu'en 2029.", spans: ['08XR07540'] },
  { name: 'a French ID card number', locale: 'fr-FR', text: "carte d'identité 880692310285", spans: [] },
  { name: 'a Spanish passport number', locale: 'es-ES', text: 'Pasaporte número PAA630948, titular Rubén Torres', spans: ['PAA630948'] },
  { name: 'a DNI', locale: 'es-ES', text: 'Mi DNI es 12345678Z', spans: ['12345678Z'] },
  { name: 'an order number', locale: 'es-ES', text: 'El pedido PAA630948 llegó', spans: [] },
];

describe('PassportRecognizer', () => runTable(passportRecognizer, 'PASSPORT', rows));
