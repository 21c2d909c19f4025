import { expect } from 'chai';
import { addMonths, deadlinesFor, flagFor, isoDate } from '../../../guards/dsr/deadlines.js';

const d = (s: string) => new Date(`${s}T10:30:00Z`);

describe('data-request deadlines', () => {
  const months: [string, string][] = [
    ['2026-01-31', '2026-02-28'], ['2028-01-31', '2028-02-29'], ['2026-03-31', '2026-04-30'], ['2026-05-15', '2026-06-15'], ['2026-12-31', '2027-01-31'],
  ];
  for (const [from, to] of months) it(`counts one month from ${from} as ${to}`, () => expect(isoDate(addMonths(d(from), 1))).to.equal(to));

  it('GDPR: 31 January + one month is 28 February, moved to Monday 2 March because it is a Saturday', () => {
    const r = deadlinesFor('EU', d('2026-01-31'));
    expect(r.regime).to.equal('GDPR');
    expect(isoDate(r.due)).to.equal('2026-03-02');
    expect(isoDate(r.extendedDue)).to.equal('2026-04-30');
  });

  it('GDPR: 31 January 2028 (leap year) + one month is 29 February (a Tuesday)', () => {
    expect(isoDate(deadlinesFor('UK', d('2028-01-31')).due)).to.equal('2028-02-29');
  });

  it('CCPA: 15 December + 45 days is 29 January, extendable to 90 days', () => {
    const r = deadlinesFor('US-CA', d('2026-12-15'));
    expect(r.regime).to.equal('CCPA');
    expect(isoDate(r.due)).to.equal('2027-01-29');
    expect(isoDate(r.extendedDue)).to.equal('2027-03-15');
  });

  it('acknowledgement within 10 business days, skipping weekends', () => {
    expect(isoDate(deadlinesFor('US-CA', d('2026-12-15')).acknowledgeBy)).to.equal('2026-12-29');
    expect(isoDate(deadlinesFor('EU', d('2026-11-27')).acknowledgeBy)).to.equal('2026-12-11');
  });

  it('an unknown region gets the stricter of both deadlines', () => {
    // 1 February: GDPR 1 March (Monday 1 March 2027), CCPA 18 March: GDPR is stricter.
    expect(isoDate(deadlinesFor(undefined, d('2027-02-01')).due)).to.equal('2027-03-01');
    expect(deadlinesFor('OTHER', d('2027-02-01')).regime).to.equal('STRICTEST');
    // 15 December: GDPR 15 January, CCPA 29 January: GDPR again; 1 July: GDPR 1 August (Sunday -> 2 August) vs CCPA 15 August.
    expect(isoDate(deadlinesFor('US', d('2027-07-01')).due)).to.equal('2027-08-02');
  });

  it('flags overdue and due-this-week requests', () => {
    const due = new Date('2026-12-10T00:00:00Z');
    expect(flagFor(due, d('2026-12-11'))).to.equal('overdue');
    expect(flagFor(due, d('2026-12-10'))).to.equal('due_this_week');
    expect(flagFor(due, d('2026-12-03'))).to.equal('due_this_week');
    expect(flagFor(due, d('2026-12-02'))).to.equal('on_time');
  });
});
