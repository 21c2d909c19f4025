/**
 * Canary values for the privacy sweep (issue 9): unique per run, each in the forms it can take once it leaves the
 * process (raw, typed with spaces or compact, URL-encoded, base64 and base64url at every byte alignment), and a scan
 * that reports where any of them was found.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { luhnValid } from '../../../guards/pii/text.js';

export interface CanaryCustomer {
  /** Random letters inside the name, email and address: any fragment of them found elsewhere is a leak too. */
  tag: string;
  customerNumber: string;
  name: string;
  email: string;
  newEmail: string;
  phone: string;
  phoneTyped: string;
  birthDate: string;
  birthDateTyped: string;
  address: { line1: string; postcode: string; city: string; country: string };
  newAddressLine: string;
  card: string;
  iban: string;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The digit that makes `body` + digit pass the Luhn check (the redactor's own check decides). */
function luhnCheckDigit(body: string): string {
  return '0123456789'.split('').find((d) => luhnValid(body + d))!;
}

/** A German IBAN with a valid mod-97 check over a random bank code and account. */
function iban(): string {
  const bban = `${randomInt(10_000_000, 99_999_999)}${String(randomInt(0, 1e9)).padStart(9, '0')}${randomInt(0, 10)}`;
  const numeric = `${bban}131400`; // D=13, E=14, check digits 00
  let r = 0;
  for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
  return `DE${String(98 - r).padStart(2, '0')}${bban}`;
}

const letters = (n: number) => Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export function newCanaryCustomer(): CanaryCustomer {
  const tag = letters(7);
  const cardBody = `4${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e5)).padStart(5, '0')}`;
  const card = cardBody + luhnCheckDigit(cardBody);
  const phoneTail = String(randomInt(100, 999));
  const year = randomInt(1950, 1990); const month = randomInt(1, 13); const dayOf = randomInt(10, 28);
  return {
    tag,
    customerNumber: `C7${String(randomInt(0, 1e6)).padStart(6, '0')}`,
    // A given name in no gazetteer, with no cue where staff type it: staff free text must still lose it.
    name: `Ysolde ${cap(tag)}wright`,
    email: `margaret.${tag}@example.org`,
    newEmail: `margaret.${tag}.renewed@example.net`,
    phone: `+447700900${phoneTail}`,
    phoneTyped: `+44 7700 900${phoneTail}`,
    birthDate: `${year}-${String(month).padStart(2, '0')}-${dayOf}`,
    birthDateTyped: `${dayOf} ${MONTHS[month - 1]} ${year}`,
    address: { line1: `${randomInt(10, 99)} ${cap(tag)}field Lane`, postcode: 'ZX9 9QQ', city: 'Little Snoring', country: 'GB' },
    newAddressLine: `${randomInt(100, 999)} ${cap(tag)}moor Close`,
    card: card.replace(/(\d{4})(?=\d)/g, '$1 '),
    iban: iban().replace(/(.{4})(?=.)/g, '$1 '),
  };
}

/** The directory record of the canary customer (CustomerSchema), with one open order so an address change runs. */
export function directoryRecord(c: CanaryCustomer): Record<string, unknown> {
  return {
    customerNumber: c.customerNumber, name: c.name, email: c.email, phone: c.phone, address: c.address, birthDate: c.birthDate,
    locale: 'en-GB', region: 'UK',
    orders: [{ orderNumber: 'TL-SWEEP-7001', placedAt: '2026-11-01', status: 'processing', expectedDelivery: '2026-12-01', items: [{ sku: 'SWEEP-SKU', name: 'Lamp', quantity: 1, unitPrice: 10 }], currency: 'GBP' }],
  };
}

/**
 * The characters of base64(prefix of `k` bytes + value + anything) that depend on the value alone: a value embedded
 * in a larger base64 text at any byte offset shows up as one of these three cores.
 */
export function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes, Buffer.alloc(3)]).toString('base64');
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length)) / 6); // exclusive: chars fully inside the value's bits
    out.push(enc.slice(first, last));
  }
  return out;
}

export interface Needle { canary: string; form: string; text: string }

/** Every form of every canary worth looking for. Base64 cores shorter than 10 chars are left out (random matches). */
export function needles(values: Record<string, string>): Needle[] {
  const out: Needle[] = [];
  const add = (canary: string, form: string, text: string) => {
    if (text && !out.some((n) => n.text === text)) out.push({ canary, form, text });
  };
  for (const [name, v] of Object.entries(values)) {
    const variants = new Set([v, v.replace(/\s+/g, ''), v.toLowerCase(), v.replace(/\s+/g, '-')]);
    if (/^\+\d+$/.test(v.replace(/\s/g, ''))) variants.add(v.replace(/\D/g, ''));
    for (const x of variants) {
      add(name, 'raw', x);
      add(name, 'url', encodeURIComponent(x));
      add(name, 'url-plus', encodeURIComponent(x).replace(/%20/g, '+'));
      add(name, 'json', JSON.stringify(x).slice(1, -1));
      for (const core of base64Cores(x)) {
        if (core.length < 10) continue;
        add(name, 'base64', core);
        add(name, 'base64url', core.replace(/\+/g, '-').replace(/\//g, '_'));
      }
    }
  }
  return out;
}

export interface Hit { where: string; canary: string; form: string; context: string }

/** Every place in `text` where a needle occurs (case-insensitive for raw and URL forms, exact for base64). */
export function scan(where: string, text: string, list: Needle[]): Hit[] {
  const hits: Hit[] = [];
  const lower = text.toLowerCase();
  for (const n of list) {
    const exact = n.form.startsWith('base64');
    const i = exact ? text.indexOf(n.text) : lower.indexOf(n.text.toLowerCase());
    if (i >= 0) hits.push({ where, canary: n.canary, form: n.form, context: text.slice(Math.max(0, i - 80), i + n.text.length + 80) });
  }
  return hits;
}
