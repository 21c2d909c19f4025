import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { startApp, type RunningApp } from '../support/app.js';
import { sharedRedis } from '../support/redis.js';
import { openPage, sendChatMessage, waitForTranscriptText, type OpenedPage } from '../support/browser.js';
import { createStaff, totpCode, type StaffUser } from '../handoff/support.js';

const CANARY = 'canary.e2e.compliance@example.net';

describe('compliance console end to end in Chromium', function () {
  this.timeout(120000);
  let app: RunningApp;
  let customer: OpenedPage;
  let console_: OpenedPage;
  let redis: RedisClientType;
  let officer: StaffUser;

  before(async () => {
    const r = await sharedRedis();
    redis = await r.client();
    app = await startApp({ REDIS_URL: r.url, CONSENT_PRESET: 'keep', RETENTION_SWEEP_MINUTES: '0' });
    officer = await createStaff(app, ['compliance']);
  });
  after(async () => {
    await customer?.close();
    await console_?.close();
    await app?.stop();
  });

  it('a compliance officer logs in with TOTP, finds the conversation that held canary PII, reads it redacted, and the view is audited', async () => {
    customer = await openPage();
    const cp = customer.page;
    await cp.goto(`${app.url}/`);
    await waitForTranscriptText(cp, /Trustline assistant/);
    await sendChatMessage(cp, `Where is my order? You can reach me at ${CANARY}`);
    await waitForTranscriptText(cp, /order/i);

    console_ = await openPage();
    const p = console_.page;
    const login = await p.goto(`${app.url}/staff/compliance`);
    expect(p.url()).to.match(/\/staff\/login$/);
    expect(login?.headers()['content-security-policy']).to.contain("script-src 'self'");
    await p.fill('#email', officer.email);
    await p.fill('#password', officer.password);
    await p.click('#password-submit');
    await p.locator('#code').waitFor({ state: 'visible' });
    await p.fill('#code', await totpCode(officer.secret, Date.now()));
    await p.click('#totp-submit');
    await p.waitForURL(/\/staff\/compliance$/);
    const page = await p.request.get(`${app.url}/staff/compliance`);
    expect(page.headers()['content-security-policy']).to.contain("default-src 'none'");

    // Search the last hour of web chat conversations and open the one with a finding.
    await p.locator('#conversations').waitFor({ state: 'visible' });
    await p.selectOption('#s-channel', 'webchat');
    await p.click('#search');
    const rows = p.locator('#conversation-list tbody tr');
    await rows.first().waitFor({ state: 'visible' });
    let opened = false;
    for (let i = 0; i < (await rows.count()) && !opened; i++) {
      await rows.nth(i).locator('button.open').click();
      await p.locator('#transcript').waitFor({ state: 'visible' });
      opened = (await p.locator('#t-entries .findings', { hasText: 'EMAIL' }).count()) > 0;
    }
    expect(opened, 'a conversation with an EMAIL finding').to.equal(true);
    await p.locator('#t-entries .text', { hasText: '[EMAIL_1]' }).first().waitFor({ state: 'visible' });
    expect(await p.content()).to.not.contain(CANARY);
    const id = (await p.locator('#t-id').textContent())!;
    expect(id).to.match(/^c_/);

    // The view is in the audit log, with who and what; and it shows on the console's audit tab.
    const audit = ((await redis.xRange('tl:audit', '-', '+')) ?? []).map((e) => e.message);
    expect(audit.some((e) => e.type === 'compliance.transcript_viewed' && e.actor === officer.id && e.object === id)).to.equal(true);
    expect(JSON.stringify(audit)).to.not.contain(CANARY);
    await p.click('#tab-audit');
    await p.fill('#a-type', 'compliance');
    await p.click('#audit-search');
    await p.locator('#audit-list tbody tr', { hasText: 'compliance.transcript_viewed' }).first().waitFor({ state: 'visible' });
    await p.locator('#audit-badge').waitFor({ state: 'visible' });

    expect(await console_.cspViolations()).to.deep.equal([]);
    expect(console_.pageErrors).to.deep.equal([]);
  });
});
