import { isIPv6 } from 'node:net';
import type { Finding, Recognizer } from '../types.js';
import { finding } from '../text.js';

/**
 * Dotted-quad IPv4 with each octet 0-255 and no leading zeros beyond one digit. Deliberately misses: addresses
 * with a port glued on are found without the port; CIDR suffixes are left; version strings with four parts that
 * happen to be valid octets (1.2.3.4) ARE taken (we prefer over-redacting a version to leaking an address), unless
 * a "version/v" word is right before.
 */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\p{L}\\p{N}.])${OCTET}(?:\\.${OCTET}){3}(?![\\p{L}\\p{N}]|\\.\\d)`, 'gu');
/** "v1.2.3.4", "version 10.0.0.1": versions, not addresses. Misses: versions named otherwise ("release 1.2.3.4"). */
const VERSION_BEFORE = /(?:\bv|version|versión|build|firmware)\s*$/;

/**
 * IPv6 candidates: hex groups and colons with at least two colons, checked by node:net. Deliberately misses:
 * zone ids (%eth0) and bracketed forms with ports are found without them; IPv4-mapped tails (::ffff:1.2.3.4) are
 * found as a v6 prefix plus the v4 recognizer's quad.
 */
const IPV6 = /(?<![\p{L}\p{N}:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\p{L}\p{N}:])/gu;

export const ipAddressRecognizer: Recognizer = {
  name: 'IpAddressRecognizer',
  entity: 'IP_ADDRESS',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (ctx.hasDigit && text.includes('.')) {
      IPV4.lastIndex = 0;
      for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) {
        if (VERSION_BEFORE.test(ctx.lower.slice(Math.max(0, m.index - 12), m.index))) continue;
        out.push(finding('IP_ADDRESS', m.index, m.index + m[0].length, 0.9, 'IpAddressRecognizer'));
      }
    }
    if (text.includes(':')) {
      IPV6.lastIndex = 0;
      for (let m = IPV6.exec(text); m; m = IPV6.exec(text)) {
        const s = m[0];
        // Times like 12:30:45 are valid-looking hex but not v6 (no "::" and fewer than 8 groups): isIPv6 rejects them.
        if (s.length < 3 || !isIPv6(s)) continue;
        if (!/[0-9a-fA-F]/.test(s)) continue; // "::" alone
        out.push(finding('IP_ADDRESS', m.index, m.index + s.length, 0.9, 'IpAddressRecognizer'));
      }
    }
    return out;
  },
};
