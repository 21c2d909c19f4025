import { addressRecognizer } from '../../../../guards/pii/recognizers/address.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a US street line with a unit', locale: 'en-US', text: 'deliver to 46 River Bend Ave #10, Boston', spans: ['46 River Bend Ave #10'] },
  { name: 'a street with an abbreviated type', locale: 'en-US', text: 'Please ship to 1420 Oak Hollow Dr, Austin TX 78701', spans: ['1420 Oak Hollow Dr'] },
  { name: 'a street line with an apartment', locale: 'en-US', text: 'my address is 55 Elm Street, Apt 4B, Springfield', spans: ['55 Elm Street, Apt 4B'] },
  { name: 'quantities and sizes', locale: 'en-US', text: 'I want to swap size 45 for a larger one, 2 days close to the deadline', spans: [] },
  { name: 'a UK street line', locale: 'en-GB', text: 'Please post it to Drew Sinclair, 13 Manor Mews, Glasgow', spans: ['13 Manor Mews'] },
  { name: 'a flat and a street', locale: 'en-GB', text: 'Deliver to Flat 3, 27 Kings Road, London', spans: ['Flat 3, 27 Kings Road'] },
  { name: 'a product with a number', locale: 'en-GB', text: 'model 256.977.67 - does it take a 13a plug?', spans: [] },
  { name: 'a German street with a hyphenated name', locale: 'de-DE', text: 'Bitte an Heinrich-Heine-Straße 34, 60443 Frankfurt am Main.', spans: ['Heinrich-Heine-Straße 34'] },
  { name: 'a German preposition street with a letter', locale: 'de-DE', text: 'Neue Anschrift: Am Stadtpark 49b, 28411 Bremen', spans: ['Am Stadtpark 49b'] },
  { name: 'an abbreviated German street', locale: 'de-DE', text: 'Ich wohne in der Goethestr. 7, 80336 München', spans: ['Goethestr. 7'] },
  { name: 'a weekday and a quantity', locale: 'de-DE', text: 'Am Montag 5 Stück geliefert, Sendung hängt seit 42 Tagen', spans: [] },
  { name: 'a French street with bis', locale: 'fr-FR', text: "J'habite maintenant au 154 bis boulevard Voltaire, Nice", spans: ['154 bis boulevard Voltaire'] },
  { name: 'a French street with a particle', locale: 'fr-FR', text: "Merci d'envoyer le colis au 177 avenue du Moulin, 35093 Rennes.", spans: ['177 avenue du Moulin'] },
  { name: 'a class schedule with "cours"', locale: 'fr-FR', text: "J'ai 2 cours de yoga demain", spans: [] },
  { name: 'a Spanish street with floor and door', locale: 'es-ES', text: 'Mandadlo a c/ de Colón 141, 2º D, 08020 Barcelona, por favor.', spans: ['c/ de Colón 141, 2º D'] },
  { name: 'a Spanish street with "dcha."', locale: 'es-ES', text: 'Dirección: Calle Nueva 118, 5º dcha., 29012 Málaga', spans: ['Calle Nueva 118, 5º dcha.'] },
  { name: 'the English word "called" before a number', locale: 'es-ES', text: 'I called 3 times', spans: [] },
  { name: 'an avenue with a particle and a left door', locale: 'es-ES', text: 'Mandadlo a Avenida de América 37, 4º izq., 28002 Madrid', spans: ['Avenida de América 37, 4º izq.'] },
  { name: 'an order and a size', locale: 'es-ES', text: 'Hola buenas, pedido SO-91008-UC: talla equivocada, quería la 40', spans: [] },
];

describe('AddressRecognizer', () => runTable(addressRecognizer, 'ADDRESS', rows));
