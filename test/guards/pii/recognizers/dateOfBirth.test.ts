import { dateOfBirthRecognizer } from '../../../../guards/pii/recognizers/dateOfBirth.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a written date after "born"', locale: 'en-US', text: "It's Penny Okonkwo, born September 9th, 1958", spans: ['September 9th, 1958'] },
  { name: 'an ISO date after "DOB:"', locale: 'en-US', text: 'DOB: 1955-12-09 / Name: Andre Shah', spans: ['1955-12-09'] },
  { name: 'a US numeric date after "I was born"', locale: 'en-US', text: 'SSN is 088218692 and I was born 08-15-1941', spans: ['08-15-1941'] },
  { name: 'a delivery date', locale: 'en-US', text: 'Package was supposed to come May 6, 2024, any update?', spans: [] },
  { name: 'a delivery date after a birth date', locale: 'en-US', text: 'born 1980, the delivery on 12/05/2024 never came', spans: ['1980'] },
  { name: 'an ordinal date with "of"', locale: 'en-GB', text: "The account's in my name, Skye Bamford, born 18th of February 1990", spans: ['18th of February 1990'] },
  { name: 'an appointment date', locale: 'en-GB', text: 'can i change the slot on 14th of april 2024 to 16:15?', spans: [] },
  { name: 'a German written date after Geburtsdatum', locale: 'de-DE', text: 'Das Konto läuft auf Torsten Schwarz, Geburtsdatum 27. Februar 1945.', spans: ['27. Februar 1945'] },
  { name: 'a short numeric date after "geb."', locale: 'de-DE', text: 'till jung, geb. 29.4.1948, komme nicht rein', spans: ['29.4.1948'] },
  { name: 'a date before "geboren"', locale: 'de-DE', text: 'Ich bin am 12.03.1985 geboren', spans: ['12.03.1985'] },
  { name: 'a delivery date', locale: 'de-DE', text: 'Kann ich den Liefertermin 07.07.2025 auf 18:50 ändern?', spans: [] },
  { name: 'a written date after "née le"', locale: 'fr-FR', text: 'née le 3 mars 1961', spans: ['3 mars 1961'] },
  { name: 'a numeric date after "né(e) le"', locale: 'fr-FR', text: 'léa barbier, né(e) le 15.12.1999, impossible de me connecter', spans: ['15.12.1999'] },
  { name: 'a delivery date', locale: 'fr-FR', text: 'Je peux décaler la livraison du 7/3/2024 à 12h30 ?', spans: [] },
  { name: 'a written date after "nací el"', locale: 'es-ES', text: 'nací el 7 de octubre de 1973', spans: ['7 de octubre de 1973'] },
  { name: 'a two-digit year after "f. nacimiento"', locale: 'es-ES', text: 'unai torres, f. nacimiento 23/9/98, no puedo acceder', spans: ['23/9/98'] },
  { name: 'a delivery date', locale: 'es-ES', text: '¿Puedo pasar la entrega del 14 de junio a las 08:50?', spans: [] },
];

describe('DateOfBirthRecognizer', () => runTable(dateOfBirthRecognizer, 'DATE_OF_BIRTH', rows));
