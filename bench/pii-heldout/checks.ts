/**
 * Checksums for the held-out corpus: used by build.ts to generate valid values and by validate.ts to check every
 * labelled card, IBAN and SSN. Written for this corpus (no dependency on the engine's own validators, so a bug in
 * the engine cannot hide a bad label).
 */

export function luhnOk(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Appends the Luhn check digit. */
export function luhnComplete(body: string): string {
  for (let c = 0; c <= 9; c++) if (luhnOk(body + c)) return body + c;
  throw new Error('unreachable');
}

/** Remainder of a decimal string (letters as 10..35) modulo 97. */
export function mod97(s: string): number {
  let r = 0;
  for (const ch of s.toUpperCase()) {
    const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) r = (r * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return r;
}

export const IBAN_LENGTH: Record<string, number> = {
  DE: 22, AT: 20, CH: 21, FR: 27, BE: 16, ES: 24, GB: 22, IE: 22, NL: 18, LU: 20, PT: 25, IT: 27, PL: 28,
};

export function ibanChecksumOk(compact: string): boolean {
  const c = compact.toUpperCase();
  const len = IBAN_LENGTH[c.slice(0, 2)];
  if (!len || c.length !== len || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(c)) return false;
  return mod97(c.slice(4) + c.slice(0, 4)) === 1;
}

/** IBAN check digits for a country and BBAN. */
export function ibanFrom(country: string, bban: string): string {
  const r = mod97(bban + country + '00');
  return country + String(98 - r).padStart(2, '0') + bban;
}

/** French RIB key: 97 - ((89*bank + 15*branch + 3*account) mod 97), account letters mapped to digits. */
export function ribKey(bank: string, branch: string, account: string): string {
  const map = (s: string): string =>
    s.toUpperCase().replace(/[A-Z]/g, (ch) => String('12345678912345678923456789'.charAt(ch.charCodeAt(0) - 65)));
  const n = (BigInt(map(bank)) * 89n + BigInt(map(branch)) * 15n + BigInt(map(account)) * 3n) % 97n;
  return String(97n - n).padStart(2, '0');
}

/** Spanish DC: two digits, one over "00"+bank+branch, one over the account. */
export function esDc(bank: string, branch: string, account: string): string {
  const w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
  const digit = (s: string): string => {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += Number(s[i]) * w[i]!;
    const d = 11 - (sum % 11);
    return String(d === 11 ? 0 : d === 10 ? 1 : d);
  };
  return digit('00' + bank + branch) + digit(account);
}

/** Dutch eleven-test on the 10-digit account number. */
export function nlElevenOk(account: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(account[i]) * (10 - i);
  return sum % 11 === 0;
}

/** Belgian national check: the last two digits are the first ten mod 97 (97 for 0). */
export function beCheckOk(bban12: string): boolean {
  const r = Number(BigInt(bban12.slice(0, 10)) % 97n);
  return Number(bban12.slice(10)) === (r === 0 ? 97 : r);
}

/** Portuguese NIB check digits: 98 - (first 19 digits * 100 mod 97). */
export function ptNibCheck(first19: string): string {
  return String(98 - Number((BigInt(first19) * 100n) % 97n)).padStart(2, '0');
}

/** National checks where the conventions name them (FR, ES, NL, BE) plus PT. */
export function ibanNationalOk(compact: string): boolean {
  const c = compact.toUpperCase();
  const cc = c.slice(0, 2);
  const b = c.slice(4);
  if (cc === 'FR') return ribKey(b.slice(0, 5), b.slice(5, 10), b.slice(10, 21)) === b.slice(21, 23);
  if (cc === 'ES') return esDc(b.slice(0, 4), b.slice(4, 8), b.slice(10, 20)) === b.slice(8, 10);
  if (cc === 'NL') return nlElevenOk(b.slice(4));
  if (cc === 'BE') return beCheckOk(b);
  if (cc === 'PT') return ptNibCheck(b.slice(0, 19)) === b.slice(19, 21);
  return true;
}

/** SSA-valid: area not 000/666/9xx, group not 00, serial not 0000. */
export function ssnOk(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const a = Number(digits.slice(0, 3));
  return a !== 0 && a !== 666 && a < 900 && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}
