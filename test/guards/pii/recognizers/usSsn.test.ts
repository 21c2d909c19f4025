import { usSsnRecognizer } from '../../../../guards/pii/recognizers/usSsn.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a dashed SSN without context', locale: 'en-US', text: 'it is 523-62-4385 I think', spans: ['523-62-4385'] },
  { name: 'a plain SSN after "social"', locale: 'en-US', text: 'latoya here, social 491146194, about the loan', spans: ['491146194'] },
  { name: 'a spaced SSN after "ssn"', locale: 'en-US', text: 'quick identity check: ssn 514 74 0550', spans: ['514 74 0550'] },
  { name: 'an SSN with area 666', locale: 'en-US', text: 'SSN 666-12-3456', spans: [] },
  { name: 'an SSN with area 9xx', locale: 'en-US', text: 'SSN 912-12-3456', spans: [] },
  { name: 'an SSN with group 00', locale: 'en-US', text: 'SSN 123-00-4567', spans: [] },
  { name: 'a plain nine-digit number without SSN words', locale: 'en-US', text: 'Passport no 189919922', spans: [] },
  { name: 'an SSN in a British message', locale: 'en-GB', text: 'My US social security number is 078-05-1120', spans: ['078-05-1120'] },
  { name: 'a UK reference number', locale: 'en-GB', text: 'Ref 167414249, any news?', spans: [] },
  { name: 'a dashed SSN in German text', locale: 'de-DE', text: 'Meine SSN ist 219-09-9998', spans: ['219-09-9998'] },
  { name: 'an invoice number', locale: 'de-DE', text: 'Rechnung 219099998', spans: [] },
  { name: 'an SSN in French text', locale: 'fr-FR', text: 'mon numéro SSN : 212 45 6789', spans: ['212 45 6789'] },
  { name: 'a phone number', locale: 'fr-FR', text: 'au 01 23 45 67 89', spans: [] },
  { name: 'an SSN in Spanish text', locale: 'es-ES', text: 'mi social security es 212-45-6789', spans: ['212-45-6789'] },
  { name: 'an order number', locale: 'es-ES', text: 'Número de pedido 212456789', spans: [] },
];

describe('UsSsnRecognizer', () => runTable(usSsnRecognizer, 'US_SSN', rows));
