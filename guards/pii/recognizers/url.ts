import type { Finding, Recognizer } from '../types.js';
import { finding } from '../text.js';

/**
 * URLs (http, https, www.) are personal data only when they carry personal data: an e-mail (also %40-encoded),
 * a query parameter named like a person's attribute (email, name, phone, user, customer, account, token, ...), or a
 * path segment after /user/, /profile/, /customer/, /account/, /member/. Plain product or help links survive.
 * Deliberately misses: personal data in a fragment without a key, and bare domains ("example.com/u/anna").
 */
const URL_RE = /(?<![\p{L}\p{N}@])(?:https?:\/\/|www\.)[^\s<>"'`{}|\\^]+/giu;
/** Query keys that carry personal data. Misses: opaque keys ("?u=...", "?q=..."). */
const PERSONAL_QUERY =
  /[?&#](?:e?-?mail|email_?address|name|first_?name|last_?name|full_?name|surname|user(?:name)?|uid|user_?id|login|phone|tel|mobile|customer(?:_?id)?|client(?:_?id)?|account(?:_?id)?|member(?:_?id)?|token|session|sid|auth|key|dob|birth_?date|address|street|zip|postcode|ssn|iban|card|ip)=[^&#]{2,}/i;
/** Path segments after user/profile/customer/account words. Misses: ids in the first path segment ("/anna.b"). */
const PERSONAL_PATH = /\/(?:users?|profiles?|customers?|accounts?|members?|people|person|u|unsubscribe|reset|verify)\/[^/?#]{2,}/i;

export const urlRecognizer: Recognizer = {
  name: 'UrlRecognizer',
  entity: 'URL',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.lower.includes('http') && !ctx.lower.includes('www.')) return out;
    URL_RE.lastIndex = 0;
    for (let m = URL_RE.exec(text); m; m = URL_RE.exec(text)) {
      const url = m[0].replace(/[.,;:!?)\]]+$/, '');
      if (url.includes('@') || /%40/i.test(url) || PERSONAL_QUERY.test(url) || PERSONAL_PATH.test(url)) {
        out.push(finding('URL', m.index, m.index + url.length, 0.97, 'UrlRecognizer'));
      }
    }
    return out;
  },
};
