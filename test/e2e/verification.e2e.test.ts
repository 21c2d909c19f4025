import { expect } from 'chai';
import type { RunningApp } from '../support/app.js';
import { openPage, sendChatMessage, waitForAllSent, waitForTranscriptText, type OpenedPage } from '../support/browser.js';
import { startAppWithSmtp } from '../guards/identity/support.js';

/** A customer in the local web chat: privacy notice, order status, a code by email (test SMTP server), the answer. */
describe('verification in the local web chat (Chromium)', function () {
  this.timeout(90000);
  let a: RunningApp;
  let env: Awaited<ReturnType<typeof startAppWithSmtp>>;
  let smtp: typeof env.smtp;
  let opened: OpenedPage;
  before(async () => {
    env = await startAppWithSmtp();
    a = env.app;
    smtp = env.smtp;
  });
  after(async () => { await opened?.close(); await env?.stop(); });

  it('asks for consent, verifies with an emailed code and answers the order status', async () => {
    opened = await openPage();
    const { page } = opened;
    await page.goto(`${a.url}/`);
    await waitForTranscriptText(page, /Trustline assistant/);
    await waitForTranscriptText(page, /Privacy notice \(version 2026-11\)/);
    await page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name: 'Keep my conversation' }).click();
    await waitForTranscriptText(page, /we will keep a copy/);
    await sendChatMessage(page, 'where is my order?');
    await waitForTranscriptText(page, /confirm who you are/);
    await sendChatMessage(page, 'avery@example.com');
    await waitForTranscriptText(page, /If that matches an account/);
    await a.app.identity.delivery.idle();
    const code = smtp.lastCode('avery@example.com');
    expect(code).to.match(/^[0-9]{6}$/);
    await sendChatMessage(page, code!);
    await waitForTranscriptText(page, /you are verified/);
    await waitForTranscriptText(page, /TL-10001: placed/);
    await waitForAllSent(page);
    expect(await opened.cspViolations()).to.deep.equal([]);
    await page.screenshot({ path: '/tmp/trustline-verification.png' });
  });
});
