/** Helpers for the data-subject request tests: a writable copy of the directory with canary customers, and turns. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { turn, type RunningApp, type TurnOptions } from '../../support/app.js';
import { lastOutboxCode } from '../identity/support.js';

/** Canary values of two customers: every one must show up only where it belongs. */
export const CANARY_A = {
  customerNumber: 'C700001', name: 'Quillon Vantablack', email: 'quillon.canary@example.com', phone: '+447700900111',
  address: { line1: '77 Canaryfield Lane', postcode: 'ZX9 9QQ', city: 'Canarytown', country: 'GB' }, birthDate: '1979-07-07',
  locale: 'en-GB', region: 'UK', orders: [{ orderNumber: 'TL-CANA-7001', placedAt: '2026-11-01', status: 'processing', expectedDelivery: '2026-12-01', items: [{ sku: 'CANARY-SKU-A', name: 'Canary lamp', quantity: 1, unitPrice: 10 }], currency: 'GBP' }],
} as const;
export const CANARY_B = {
  customerNumber: 'C700002', name: 'Brisbane Orrery', email: 'brisbane.canary@example.org', phone: '+447700900222',
  address: { line1: '88 Sentinel Row', postcode: 'QY8 8WW', city: 'Sentinelford', country: 'GB' }, birthDate: '1981-08-08',
  locale: 'en-GB', region: 'EU', orders: [{ orderNumber: 'TL-CANB-8002', placedAt: '2026-11-02', status: 'shipped', carrier: 'DHL', expectedDelivery: '2026-12-02', items: [{ sku: 'CANARY-SKU-B', name: 'Sentinel clock', quantity: 1, unitPrice: 20 }], currency: 'EUR' }],
} as const;

export const canaryValues = (c: typeof CANARY_A | typeof CANARY_B): string[] => [c.name, c.email, c.phone, c.address.line1, c.address.postcode, c.address.city, c.birthDate, c.orders[0].orderNumber, c.orders[0].items[0].sku];

/** A writable copy of data/customers.json with the two canary customers added. */
export function directoryCopy(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tl-dir-')), 'customers.json');
  const d = JSON.parse(readFileSync('data/customers.json', 'utf8')) as { version: 1; customers: unknown[] };
  d.customers.push(structuredClone(CANARY_A), structuredClone(CANARY_B));
  writeFileSync(file, JSON.stringify(d, null, 2));
  return file;
}

export function say(a: RunningApp, o: TurnOptions) {
  return async (text: string): Promise<string> => {
    const r = await turn(a.url, text, o);
    expect(r.status, text).to.equal(200);
    return r.texts.join('\n');
  };
}

/** Answers the verification the bot just asked for: the identifier, then the code from the outbox. */
export async function verifyWith(a: RunningApp, talk: (t: string) => Promise<string>, identifier: string): Promise<string> {
  const asked = await talk(identifier);
  expect(asked).to.match(/If that matches an account/);
  const code = await lastOutboxCode(a);
  expect(code?.code).to.match(/^[0-9]{6}$/);
  return talk(code!.code);
}

export const RECEIPT = /R-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}/;
export const receiptOf = (text: string): string => {
  const m = RECEIPT.exec(text);
  expect(m, text).to.not.equal(null);
  return m![0];
};
