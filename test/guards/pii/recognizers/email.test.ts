import { emailRecognizer } from '../../../../guards/pii/recognizers/email.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a plain address with plus tag', locale: 'en-US', text: 'registered to veronica92+shop@me.com', spans: ['veronica92+shop@me.com'] },
  { name: 'an address spelled with AT and DOT', locale: 'en-US', text: 'please email Holly at jasonhenderson AT att DOT net', spans: ['jasonhenderson AT att DOT net'] },
  { name: 'an address spelled with [at] and [dot]', locale: 'en-US', text: 'contact: s [dot] henderson [at] verizon [dot] net', spans: ['s [dot] henderson [at] verizon [dot] net'] },
  { name: 'an "at" sentence without a domain', locale: 'en-US', text: 'I was at home at 5 and nobody came', spans: [] },
  { name: 'a multi-label domain', locale: 'en-GB', text: 'Can you email archie.pritchard@users.ridgeview.org the confirmation?', spans: ['archie.pritchard@users.ridgeview.org'] },
  { name: 'a spelled address with lower-case dot words', locale: 'en-GB', text: 'Email is tilly dot quinn2 at ntlworld dot com, all lower case', spans: ['tilly dot quinn2 at ntlworld dot com'] },
  { name: 'a handle that is not an address', locale: 'en-GB', text: 'follow us @shopname for deals', spans: [] },
  { name: 'a plain address', locale: 'de-DE', text: 'Schreiben Sie mir an sabine.lang5@gmx.net, die alte gibt es nicht mehr.', spans: ['sabine.lang5@gmx.net'] },
  { name: 'an address spelled with [punkt]', locale: 'de-DE', text: 'E-Mail walter [punkt] torsten [at] freenet [punkt] de, alles klein', spans: ['walter [punkt] torsten [at] freenet [punkt] de'] },
  { name: 'the word Punkt in a sentence', locale: 'de-DE', text: 'Am Punkt 3 der Rechnung steht ein Fehler', spans: [] },
  { name: 'an address before a full stop', locale: 'fr-FR', text: 'Écrivez-moi plutôt à olive79+orders@wanadoo.fr.', spans: ['olive79+orders@wanadoo.fr'] },
  { name: 'an address spelled with (at) and (point)', locale: 'fr-FR', text: 'mail : lea (point) bonnet (at) live (point) fr', spans: ['lea (point) bonnet (at) live (point) fr'] },
  { name: 'a sentence with "point"', locale: 'fr-FR', text: 'Le point de retrait est fermé', spans: [] },
  { name: 'an address spelled with arroba and punto', locale: 'es-ES', text: 'mi correo es javier punto ruiz arroba gmail punto com', spans: ['javier punto ruiz arroba gmail punto com'] },
  { name: 'an address spelled with (arroba)', locale: 'es-ES', text: 'correo: b (punto) torres (arroba) outlook (punto) es', spans: ['b (punto) torres (arroba) outlook (punto) es'] },
  { name: 'a sentence with "punto"', locale: 'es-ES', text: 'Hasta cierto punto tiene razón', spans: [] },
];

describe('EmailRecognizer', () => runTable(emailRecognizer, 'EMAIL', rows));
