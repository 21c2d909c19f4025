import { expect } from 'chai';
import { ibanMod97, ibanRecognizer } from '../../../../guards/pii/recognizers/iban.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a grouped British IBAN', locale: 'en-GB', text: 'Refund to GB29 NWBK 6016 1331 9268 19 please', spans: ['GB29 NWBK 6016 1331 9268 19'] },
  { name: 'a lower-case grouped IBAN', locale: 'en-US', text: 'iban: gb29 nwbk 6016 1331 9268 19. ok?', spans: ['gb29 nwbk 6016 1331 9268 19'] },
  { name: 'an Irish IBAN with a wrong check digit', locale: 'en-GB', text: 'IBAN IE28AIBK93115212345678', spans: [] },
  { name: 'a compact German IBAN', locale: 'de-DE', text: 'Neue Bankverbindung: DE14370400441234567890.', spans: ['DE14370400441234567890'] },
  { name: 'an Austrian IBAN in groups', locale: 'de-DE', text: 'Konto AT61 1904 3002 3457 3201 bitte', spans: ['AT61 1904 3002 3457 3201'] },
  { name: 'a German IBAN one digit short', locale: 'de-DE', text: 'IBAN DE1437040044123456789', spans: [] },
  { name: 'a French IBAN with a letter in the BBAN', locale: 'fr-FR', text: 'Mon IBAN : FR14 2004 1010 0505 0001 3M02 606', spans: ['FR14 2004 1010 0505 0001 3M02 606'] },
  { name: 'a Belgian IBAN', locale: 'fr-FR', text: 'Remboursement sur BE68539007547034 svp.', spans: ['BE68539007547034'] },
  { name: 'a Spanish IBAN in groups', locale: 'es-ES', text: 'Nuevo IBAN: ES91 2100 0418 4502 0005 1332', spans: ['ES91 2100 0418 4502 0005 1332'] },
  { name: 'a Dutch and a Swiss IBAN', locale: 'es-ES', text: 'NL91ABNA0417164300 o CH9300762011623852957', spans: ['NL91ABNA0417164300', 'CH9300762011623852957'] },
  { name: 'an order reference shaped like an IBAN', locale: 'en-US', text: 'order SO12 3456 7890 1234 56', spans: [] },
];

describe('IbanRecognizer', () => {
  runTable(ibanRecognizer, 'IBAN', rows);
  it('checks mod-97 on the compact upper-case form', () => {
    expect(ibanMod97('GB29NWBK60161331926819')).to.equal(true);
    expect(ibanMod97('GB28NWBK60161331926819')).to.equal(false);
  });
});
