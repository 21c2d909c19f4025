import type { Finding, Recognizer } from '../types.js';
import { finding } from '../text.js';

/**
 * Plain addresses. Deliberately misses: quoted local parts ("a b"@x.com), IP-literal domains (user@[1.2.3.4]),
 * dotless domains (user@localhost) and addresses split across lines. The left look-behind makes every word start
 * the only place a match can begin, so the scan stays linear on long runs of letters.
 */
const PLAIN =
  /(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}_%+\-](?:[\p{L}\p{N}._%+\-]{0,63})@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}(?![\p{L}\p{N}\-]|\.[\p{L}\p{N}])/gu;

const AT_WORDS = 'at|arroba|arobase|ät|chez';
const DOT_WORDS = 'dot|punkt|point|punto|pto';
/** "(at)", "[at]", "{at}", "<at>" or a bare " at " / " arroba " between spaces, or a literal "@". */
const AT = String.raw`(?:\s*[(\[{<]\s*(?:${AT_WORDS}|@)\s*[)\]}>]\s*|\s+(?:${AT_WORDS})\s+|\s*@\s*)`;
const DOT = String.raw`(?:\s*[(\[{<]\s*(?:${DOT_WORDS}|\.)\s*[)\]}>]\s*|\s+(?:${DOT_WORDS})\s+)`;
const LABEL = String.raw`[\p{L}\p{N}_%+\-]+`;
/**
 * Top-level domains accepted after a spelled "dot" (a bare "at ... dot ..." sentence needs a real TLD at the end).
 * Misses: rare TLDs (.museum, new gTLDs), which then need the bracketed form to be found.
 */
const TLD =
  'com|net|org|edu|gov|mil|int|info|biz|io|co|me|us|uk|de|fr|es|eu|at|ch|be|nl|it|pt|ie|lu|dk|se|no|fi|pl|cz|mx|ar|cl|br|ca|au|nz|cat|online|email|mail|app|dev|ai|tv|xyz|site|shop|store|web';

/**
 * Spelled-out addresses: "tilly dot quinn2 at ntlworld dot com", "s [dot] henderson [at] verizon [dot] net",
 * "b (punto) torres (arroba) outlook (punto) es", "lea (point) bonnet (at) live (point) fr". Needs a spelled "at"
 * or "dot" somewhere (plain ones are PLAIN's) and a known TLD. Deliberately misses: addresses spelled letter by
 * letter, "at" written as "bei"/"en" (too common as ordinary words), and a missing dot word ("name at gmail com").
 */
const SPELLED = new RegExp(
  String.raw`(?<![\p{L}\p{N}_%+\-.])${LABEL}(?:(?:${DOT}|\.)${LABEL})*${AT}(?:${LABEL}(?:${DOT}|\.)){1,4}(?:${TLD})(?![\p{L}\p{N}])`,
  'giu',
);
/** Cheap gate before SPELLED; misses nothing SPELLED could find. */
const SPELLED_HINT = /(?:^|[\s(\[{<])(?:at|arroba|arobase|ät|chez|dot|punkt|point|punto|pto)(?:$|[\s)\]}>])/;

export const emailRecognizer: Recognizer = {
  name: 'EmailRecognizer',
  entity: 'EMAIL',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (text.includes('@')) {
      PLAIN.lastIndex = 0;
      for (let m = PLAIN.exec(text); m; m = PLAIN.exec(text)) {
        out.push(finding('EMAIL', m.index, m.index + m[0].length, 0.95, 'EmailRecognizer'));
      }
    }
    if (SPELLED_HINT.test(ctx.lower)) {
      SPELLED.lastIndex = 0;
      for (let m = SPELLED.exec(text); m; m = SPELLED.exec(text)) {
        const s = m[0];
        // A plain address is PLAIN's; here we want only the spelled ones.
        if (/^[^\s()[\]{}<>]+$/.test(s)) continue;
        out.push(finding('EMAIL', m.index, m.index + s.length, 0.9, 'EmailRecognizer'));
      }
    }
    return out;
  },
};
