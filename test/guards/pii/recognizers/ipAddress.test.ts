import { ipAddressRecognizer } from '../../../../guards/pii/recognizers/ipAddress.js';
import { runTable, type Row } from '../table.js';

const rows: Row[] = [
  { name: 'an IPv4 address', locale: 'en-US', text: 'Getting "access denied" from IP 164.165.65.131 every time', spans: ['164.165.65.131'] },
  { name: 'a full IPv6 address', locale: 'en-US', text: 'locked out from 2a01:af8a:79e6:3edb:d7e0:3096:10d9:d6ab - help', spans: ['2a01:af8a:79e6:3edb:d7e0:3096:10d9:d6ab'] },
  { name: 'a version number and a time', locale: 'en-US', text: 'app v10.7.1 crashed at 12:30:45', spans: [] },
  { name: 'an IPv4 at the end of a sentence', locale: 'en-GB', text: 'Someone at 62.53.33.200.', spans: ['62.53.33.200'] },
  { name: 'a compressed IPv6 address', locale: 'en-GB', text: 'my router says 2001:db8:85a3::8a2e:370:7334 now', spans: ['2001:db8:85a3::8a2e:370:7334'] },
  { name: 'a four-part number with an octet over 255', locale: 'en-GB', text: 'model 256.977.67.1 - does it fit?', spans: [] },
  { name: 'an IPv4 address', locale: 'de-DE', text: 'Jemand mit der IP 111.95.233.2 hat mein Passwort geändert!', spans: ['111.95.233.2'] },
  { name: 'a date with dots', locale: 'de-DE', text: 'Liefertermin 07.07.2025 um 18:50', spans: [] },
  { name: 'an IPv4 address', locale: 'fr-FR', text: 'Une connexion depuis 39.249.197.248 a changé mon mot de passe', spans: ['39.249.197.248'] },
  { name: 'a price and a time', locale: 'fr-FR', text: 'Pourquoi 58,44 € à 12h30 ?', spans: [] },
  { name: 'an IPv6 address', locale: 'es-ES', text: 'Alguien desde 2a00:eee0:5aa8:13cd:55cf:d714:54c7:3273 entró', spans: ['2a00:eee0:5aa8:13cd:55cf:d714:54c7:3273'] },
  { name: 'a dotted item code', locale: 'es-ES', text: 'El artículo 776.078.49 no llegó', spans: [] },
];

describe('IpAddressRecognizer', () => runTable(ipAddressRecognizer, 'IP_ADDRESS', rows));
