import { expect } from 'chai';
import { startApp, type RunningApp } from '../support/app.js';
import { openPage, sendChatMessage, waitForAllSent, waitForTranscriptText, type OpenedPage } from '../support/browser.js';

/** The page `npm start` serves: the whole bot, embedded default store (no Redis), in Chromium. */
describe('the local web chat of the whole bot in Chromium', function () {
  this.timeout(90000);
  let a: RunningApp;
  let opened: OpenedPage;
  before(async () => { a = await startApp({}); });
  after(async () => { await opened?.close(); await a?.stop(); });

  it('greets, answers in the customer\'s language, runs a prompt flow, and shows no CSP violation', async () => {
    opened = await openPage();
    const { page } = opened;
    expect((await page.goto(`${a.url}/`))?.status()).to.equal(200);
    await waitForTranscriptText(page, /Trustline assistant/);
    await sendChatMessage(page, 'where is my order?');
    await waitForTranscriptText(page, /confirm who you are/);
    // The verification prompt waits for an email, phone or customer number; the customer changes their mind.
    await sendChatMessage(page, 'cancel');
    await waitForTranscriptText(page, /stopped that/);
    await sendChatMessage(page, 'Ich möchte etwas zurücksenden');
    await waitForTranscriptText(page, /Rückgabe|zurückgegeben/);
    await sendChatMessage(page, 'ja');
    await waitForTranscriptText(page, /Warum möchten Sie/);
    await waitForAllSent(page);
    expect(await opened.cspViolations()).to.deep.equal([]);
    await page.screenshot({ path: '/tmp/trustline-bot-webchat.png' });
  });
});
