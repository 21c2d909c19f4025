import { accountNumberRecognizer } from '../../../../guards/pii/recognizers/accountNumber.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'an account id with letters', locale: 'en-US', text: 'The account is MBR2562188, registered to me', spans: ['MBR2562188'] },
  { name: 'a member number with a dash', locale: 'en-US', text: 'member number 61-3309222, name connor tran', spans: ['61-3309222'] },
  { name: 'an ACH account number', locale: 'en-US', text: 'Send the refund by ACH to account 4147567469 please', spans: ['4147567469'] },
  { name: 'an order number', locale: 'en-US', text: 'order W301828308 - wrong size', spans: [] },
  { name: 'a customer reference with letters around', locale: 'en-GB', text: "customer ref kx-281472-u. i'd like to cancel.", spans: ['kx-281472-u'] },
  { name: 'a bank account and a sort code', locale: 'en-GB', text: 'sort code 20-00-00, bank acc 13623272', spans: ['20-00-00', '13623272'] },
  { name: 'an account mention without a number', locale: 'en-GB', text: "The account's in my name, 3 cards", spans: [] },
  { name: 'a contract number', locale: 'de-DE', text: 'Vertragsnummer K18821800, ich möchte kündigen.', spans: ['K18821800'] },
  { name: 'a Kontonummer', locale: 'de-DE', text: 'Kontonummer 5585902376, bitte dorthin überweisen.', spans: ['5585902376'] },
  { name: 'an invoice number', locale: 'de-DE', text: 'Rechnung R26519595 ist falsch', spans: [] },
  { name: 'a customer reference in groups', locale: 'fr-FR', text: 'Référence client 102 864 884 05, je souhaite résilier.', spans: ['102 864 884 05'] },
  { name: 'a bank account number', locale: 'fr-FR', text: 'Numéro de compte 71702996076, agence du centre-ville', spans: ['71702996076'] },
  { name: 'an invoice reference', locale: 'fr-FR', text: 'La facture FAC23-62137 dit autre chose', spans: [] },
  { name: 'a contract id', locale: 'es-ES', text: 'Contrato P965138898, quiero cancelarlo.', spans: ['P965138898'] },
  { name: 'an account number', locale: 'es-ES', text: 'Número de cuenta 9419554235, ingresadlo ahí', spans: ['9419554235'] },
  { name: 'an incident reference', locale: 'es-ES', text: 'Incidencia REQ965343, ¿alguna novedad?', spans: [] },
];

describe('AccountNumberRecognizer', () => runTable(accountNumberRecognizer, 'ACCOUNT_NUMBER', rows));
