/** Table runner for recognizer tests: each row names the exact substrings the recognizer must find, in order. */
import { expect } from 'chai';
import { resolveOverlaps } from '../../../guards/pii/redactor.js';
import { makeContext } from '../../../guards/pii/text.js';
import type { EntityType, Recognizer, SupportedLocale } from '../../../guards/pii/types.js';

export interface Row {
  /** What the row shows, e.g. "a Luhn-valid card with dashes". */
  name: string;
  locale: SupportedLocale;
  text: string;
  /** Exact values expected, left to right; empty for a negative row. */
  spans: string[];
}

/** Start/end of each expected value, searching left to right so repeated values map to successive occurrences. */
export function locate(text: string, values: readonly string[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = 0;
  for (const v of values) {
    const i = text.indexOf(v, from);
    if (i < 0) throw new Error(`test row is wrong: "${v}" is not in "${text}"`);
    out.push([i, i + v.length]);
    from = i + v.length;
  }
  return out;
}

export function found(rec: Recognizer, entity: EntityType, text: string, locale: SupportedLocale): Array<[number, number]> {
  const findings = rec.analyze(text, locale, makeContext(text, locale)).filter((f) => f.type === entity);
  return resolveOverlaps(findings).map((f): [number, number] => [f.start, f.end]);
}

export function runTable(rec: Recognizer, entity: EntityType, rows: readonly Row[]): void {
  for (const row of rows) {
    const verb = row.spans.length > 0 ? 'finds' : 'ignores';
    it(`${verb} ${row.name} (${row.locale})`, () => {
      const got = found(rec, entity, row.text, row.locale).map(([s, e]) => row.text.slice(s, e));
      expect(got, row.text).to.deep.equal(row.spans);
      expect(found(rec, entity, row.text, row.locale)).to.deep.equal(locate(row.text, row.spans));
    });
  }
}
