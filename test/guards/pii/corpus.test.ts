/** Guards the engine against regressions on the labelled dev corpus (skipped when the corpus is absent). */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { parseCorpus, scoreCorpus } from '../../../bench/pii-score.js';
import { createDefaultRedactor } from '../../../guards/pii/index.js';

const path = new URL('../../../../shared/pii-dev/dev.jsonl', import.meta.url);

describe('PII engine on the dev corpus', function () {
  before(function () {
    if (!existsSync(path)) this.skip();
  });

  it('meets the recall, precision, F2 and PII-free targets', () => {
    const messages = parseCorpus(readFileSync(path, 'utf8'));
    const redactor = createDefaultRedactor();
    const score = scoreCorpus(messages, messages.map((m) => redactor.redact(m.text, { locale: m.locale }).text));
    expect(score.overall.recall).to.be.at.least(0.97);
    expect(score.overall.precision).to.be.at.least(0.92);
    expect(score.overall.f2).to.be.at.least(0.95);
    expect(score.piiFreeChanged / score.piiFreeMessages).to.be.at.most(0.05);
    for (const t of ['IBAN', 'EMAIL', 'US_SSN', 'IP_ADDRESS']) expect(score.byType[t]!.recall, t).to.equal(1);
    const cardMisses = score.missed.filter((m) => m.type === 'CREDIT_CARD').map((m) => messages.find((x) => x.id === m.id)!);
    expect(cardMisses.filter((m) => m.entities.some((e) => e.type === 'CREDIT_CARD' && m.text.slice(e.start, e.end).replace(/\D/g, '').length >= 13))).to.deep.equal([]);
  });
});
