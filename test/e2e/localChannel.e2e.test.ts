import { expect } from 'chai';
import { startHarness, type Harness } from '../channels/local/harness.js';
import {
  closeBrowser,
  openPage,
  sendChatMessage,
  waitForAllSent,
  waitForConnected,
  waitForTranscriptText,
  type OpenedPage,
} from '../support/browser.js';

const SCREENSHOT = '/tmp/trustline-webchat.png';

describe('local web chat page in Chromium (echo bot)', function () {
  this.timeout(60000);
  let h: Harness;
  let opened: OpenedPage;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
    // The root hook closes the shared browser too; this keeps a run of just this file from leaving Chromium behind.
    await closeBrowser();
  });
  beforeEach(async () => {
    opened = await openPage();
  });
  afterEach(async () => {
    await opened?.close();
  });

  it('greets, answers a typed message, never shows "Send failed", and reports no CSP violation', async () => {
    const { page } = opened;
    const response = await page.goto(`${h.baseUrl}/`);
    expect(response?.status()).to.equal(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Trustline — local development chat');

    await waitForTranscriptText(page, 'Welcome to the echo bot.');
    await sendChatMessage(page, 'where is my parcel?');
    await waitForTranscriptText(page, 'echo: where is my parcel?');
    // The user's own message is shown as sent (echoed with its id), on the user's side.
    await page.locator('.webchat__bubble--from-user').getByText('where is my parcel?').waitFor();
    await waitForAllSent(page);

    await waitForConnected(page);
    await page.screenshot({ path: SCREENSHOT });

    expect(await page.getByText(/send failed/i).count()).to.equal(0);
    expect(await opened.cspViolations()).to.deep.equal([]);
    expect(opened.consoleProblems.filter((m) => /content security policy/i.test(m))).to.deep.equal([]);
    expect(opened.pageErrors).to.deep.equal([]);
    expect(opened.consoleProblems).to.deep.equal([]);
    // The bot saw the server-issued user, not Web Chat's own random id.
    const message = h.received.find((a) => a.type === 'message');
    expect(message?.from?.id).to.match(/^dl_[A-Za-z0-9_-]{22}$/);
  });

  it('keeps the conversation across a reload through the session cookie only', async () => {
    const { page } = opened;
    await page.goto(`${h.baseUrl}/`);
    await waitForTranscriptText(page, 'Welcome to the echo bot.');
    await sendChatMessage(page, 'remember me');
    await waitForTranscriptText(page, 'echo: remember me');
    const sessionsBefore = h.channel.sessionCount();

    await page.reload();
    await waitForTranscriptText(page, 'echo: remember me');
    expect(h.channel.sessionCount()).to.equal(sessionsBefore);
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).to.deep.equal({ local: 0, session: 0, cookie: '' });
  });

  it('"Clear this conversation" ends the session and starts a fresh one', async () => {
    const { page } = opened;
    await page.goto(`${h.baseUrl}/`);
    await waitForTranscriptText(page, 'Welcome to the echo bot.');
    await sendChatMessage(page, 'forget this please');
    await waitForTranscriptText(page, 'echo: forget this please');
    const firstUser = h.received.at(-1)?.from?.id;
    const cookiesBefore = await opened.context.cookies();
    expect(cookiesBefore.map((c) => c.name)).to.deep.equal(['tl_local_session']);

    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Clear this conversation' }).click()]);

    await waitForTranscriptText(page, 'Welcome to the echo bot.');
    expect(await page.getByText('forget this please').count()).to.equal(0);
    const cookiesAfter = await opened.context.cookies();
    expect(cookiesAfter).to.have.length(1);
    expect(cookiesAfter[0]?.value).to.not.equal(cookiesBefore[0]?.value);

    await sendChatMessage(page, 'fresh start');
    await waitForTranscriptText(page, 'echo: fresh start');
    const secondUser = h.received.at(-1)?.from?.id;
    expect(secondUser).to.match(/^dl_/);
    expect(secondUser).to.not.equal(firstUser);
    expect(await opened.cspViolations()).to.deep.equal([]);
  });
});
