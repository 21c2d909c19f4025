import { expect } from 'chai';
import type { RunningApp } from '../support/app.js';
import { openPage, sendChatMessage, waitForAllSent, waitForTranscriptText, type OpenedPage } from '../support/browser.js';
import { startAppWithSmtp } from '../guards/identity/support.js';

/** A verified customer exports their data from the local web chat: the JSON downloads once, the second try fails. */
describe('data export from the local web chat (Chromium)', function () {
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

  it('verifies by email, shows a single-use link, and the JSON downloads once', async () => {
    opened = await openPage();
    const { page } = opened;
    await page.goto(`${a.url}/`);
    await waitForTranscriptText(page, /Privacy notice/);
    await page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name: 'Keep my conversation' }).click();
    await waitForTranscriptText(page, /we will keep a copy/);
    await sendChatMessage(page, 'send me my data');
    await waitForTranscriptText(page, /confirm who you are/);
    await sendChatMessage(page, 'avery@example.com');
    await waitForTranscriptText(page, /If that matches an account/);
    await a.app.identity.delivery.idle();
    await sendChatMessage(page, smtp.lastCode('avery@example.com')!);
    await waitForTranscriptText(page, /Your data is ready as a JSON file/);
    await waitForAllSent(page);
    const link = page.locator('a[href*="/dsr/export/"]').last();
    const href = await link.getAttribute('href');
    expect(href).to.match(/\/dsr\/export\/[A-Za-z0-9_-]{43}$/);
    // The page downloads the file (same origin, the way the link's click would): once, then never again.
    const fetchIt = (u: string) => page.evaluate(async (x) => {
      const r = await fetch(x);
      return { status: r.status, disposition: r.headers.get('content-disposition'), type: r.headers.get('content-type'), body: await r.text() };
    }, u);
    const first = await fetchIt(href!);
    expect(first.status).to.equal(200);
    expect(first.disposition).to.match(/^attachment; filename="trustline-export-R-[0-9A-Z]{5}-[0-9A-Z]{5}\.json"$/);
    expect(first.type).to.equal('application/json; charset=utf-8');
    const doc = JSON.parse(first.body) as { format: string; profile: { email: string }; records: { transcripts: { entries: unknown[] }[] } };
    expect(doc.format).to.equal('trustline.subject-export');
    expect(doc.profile.email).to.equal('avery@example.com');
    expect(doc.records.transcripts[0]!.entries.length).to.be.greaterThan(0);
    const second = await fetchIt(href!);
    expect(second.status).to.equal(404);
    expect(second.body).to.equal('{"error":"not_found"}');
    expect(await opened.cspViolations()).to.deep.equal([]);
  });
});
