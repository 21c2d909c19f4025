import { postcodeRecognizer } from '../../../../guards/pii/recognizers/postcode.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a ZIP+4 after "zip"', locale: 'en-US', text: 'I typed it and zip 37210-8075', spans: ['37210-8075'] },
  { name: 'a ZIP after a state abbreviation', locale: 'en-US', text: "Heather Field, 37 River Bend Ct, Nashville TN 37216", spans: ['37216'] },
  { name: 'a five-digit order number', locale: 'en-US', text: 'order #16297: wrong colour, item 12345 too', spans: [] },
  { name: 'a UK postcode in capitals', locale: 'en-GB', text: 'Could you send it to 40 Manor Close, NE1 1DG instead?', spans: ['NE1 1DG'] },
  { name: 'a short UK postcode after "postcode"', locale: 'en-GB', text: 'the billing postcode is w2 6gq', spans: ['w2 6gq'] },
  { name: 'a product code after "ref"', locale: 'en-GB', text: 'Stock ref SW1A 1AA?', spans: [] },
  { name: 'a German PLZ after "PLZ"', locale: 'de-DE', text: 'Karte abgelaufen, PLZ 70205', spans: ['70205'] },
  { name: 'a German postcode before a town', locale: 'de-DE', text: 'Adresse: Zur Alten Mühle 133, 01146 Dresden', spans: ['01146'] },
  { name: 'a quantity before a unit', locale: 'de-DE', text: 'Ich brauche 10000 Stück bis Freitag', spans: [] },
  { name: 'a French postcode before a town', locale: 'fr-FR', text: 'au 177 avenue du Moulin, 35093 Rennes.', spans: ['35093'] },
  { name: 'a French postcode after "code postal"', locale: 'fr-FR', text: 'Carte 4459974923543858, code postal 13009', spans: ['13009'] },
  { name: 'an order number before a word', locale: 'fr-FR', text: 'commande 22336 Merci', spans: [] },
  { name: 'a Spanish postcode after a street line', locale: 'es-ES', text: 'Vivo ahora en Camino Nueva 121, 46022', spans: ['46022'] },
  { name: 'a Spanish postcode after "código postal"', locale: 'es-ES', text: 'código postal 08033', spans: ['08033'] },
  { name: 'a five-digit amount', locale: 'es-ES', text: 'Me cobraron 12000 euros', spans: [] },
];

describe('PostcodeRecognizer', () => runTable(postcodeRecognizer, 'POSTCODE', rows));
