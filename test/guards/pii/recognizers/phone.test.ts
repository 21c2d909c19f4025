import { phoneRecognizer } from '../../../../guards/pii/recognizers/phone.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a US number with brackets', locale: 'en-US', text: 'Billing contact (366) 314-9871 thanks', spans: ['(366) 314-9871'] },
  { name: 'a US number with dots and a +1 prefix', locale: 'en-US', text: 'call +1.913.280.5838 today', spans: ['+1.913.280.5838'] },
  { name: 'a number given in pieces', locale: 'en-US', text: 'my number, area code 719, is 402 8816', spans: ['719', '402 8816'] },
  { name: 'a plain ten-digit number after "Tel"', locale: 'en-US', text: 'Tel: 9207104351', spans: ['9207104351'] },
  { name: 'a spaced tracking number after "Package"', locale: 'en-US', text: 'Package 1Z 999 AA1 01 2345 6784 is stuck', spans: [] },
  { name: 'a 3-3-4 number outside the NANP rules', locale: 'en-US', text: 'reach me at 123-456-7890', spans: ['123-456-7890'] },
  { name: 'an invoice number and a price', locale: 'en-US', text: 'invoice 4155550123 shows $46.20', spans: [] },
  { name: 'a date and a time', locale: 'en-US', text: 'valid until 03-20-2026 at 1:50 PM', spans: [] },
  { name: 'a UK mobile in international form with (0)', locale: 'en-GB', text: 'phone +44 (0)7459 834487', spans: ['+44 (0)7459 834487'] },
  { name: 'a UK landline and a mobile', locale: 'en-GB', text: 'Mobile +44 7911 373 746, landline 07723-527977', spans: ['+44 7911 373 746', '07723-527977'] },
  { name: 'a reference with a dash', locale: 'en-GB', text: 'Ref 167414-24, any news?', spans: [] },
  { name: 'a German mobile with a slash', locale: 'de-DE', text: 'erreichbar unter 0160/4536127.', spans: ['0160/4536127'] },
  { name: 'a German number with +49 (0)', locale: 'de-DE', text: 'Tel. +49 (0) 170 6409900', spans: ['+49 (0) 170 6409900'] },
  { name: 'an invoice with a leading zero', locale: 'de-DE', text: 'Rechnung 0123456789 ist falsch', spans: [] },
  { name: 'a French number in pairs with dots', locale: 'fr-FR', text: 'son numéro : 03.64.32.31.01', spans: ['03.64.32.31.01'] },
  { name: 'a French number in +33 form', locale: 'fr-FR', text: 'tél. +33 2 84 34 83 70', spans: ['+33 2 84 34 83 70'] },
  { name: 'an order number', locale: 'fr-FR', text: 'Ma commande 0612345678 est en retard', spans: [] },
  { name: 'a Spanish mobile in 3-2-2-2 groups', locale: 'es-ES', text: 'su número: 668 17 86 37', spans: ['668 17 86 37'] },
  { name: 'a Spanish number with +34', locale: 'es-ES', text: 'estoy localizable en el +34 95 293 99 63.', spans: ['+34 95 293 99 63'] },
  { name: 'a nine-digit order number', locale: 'es-ES', text: 'Número de pedido 908172635', spans: [] },
];

describe('PhoneRecognizer', () => runTable(phoneRecognizer, 'PHONE', rows));
