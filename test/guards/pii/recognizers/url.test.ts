import { urlRecognizer } from '../../../../guards/pii/recognizers/url.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'a reset link with an encoded e-mail', locale: 'en-US', text: 'Reset link: https://shop.example.com/reset?email=jane.doe%40mail.com&token=abc123.', spans: ['https://shop.example.com/reset?email=jane.doe%40mail.com&token=abc123'] },
  { name: 'a help page link', locale: 'en-US', text: 'see https://example.com/help/returns for info', spans: [] },
  { name: 'a profile link', locale: 'en-GB', text: 'my page is www.example.co.uk/profile/skye.bamford', spans: ['www.example.co.uk/profile/skye.bamford'] },
  { name: 'a product link', locale: 'en-GB', text: 'this one: https://example.co.uk/p/12345?colour=red', spans: [] },
  { name: 'a link with a name parameter', locale: 'de-DE', text: 'Link: https://example.de/konto?name=Jana%20Krueger', spans: ['https://example.de/konto?name=Jana%20Krueger'] },
  { name: 'a shop link', locale: 'de-DE', text: 'Siehe https://example.de/sale', spans: [] },
  { name: 'a link with a customer id', locale: 'fr-FR', text: 'https://example.fr/suivi?customer_id=88231 ne marche pas', spans: ['https://example.fr/suivi?customer_id=88231'] },
  { name: 'a FAQ link', locale: 'fr-FR', text: 'https://example.fr/faq ne marche pas', spans: [] },
  { name: 'a link with a phone parameter', locale: 'es-ES', text: 'https://example.es/alta?phone=612345678', spans: ['https://example.es/alta?phone=612345678'] },
  { name: 'a category link', locale: 'es-ES', text: 'https://example.es/rebajas', spans: [] },
];

describe('UrlRecognizer', () => runTable(urlRecognizer, 'URL', rows));
