import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import type { RedisClientType } from 'redis';
import { startApp, type RunningApp } from '../support/app.js';
import { freePort, sharedRedis } from '../support/redis.js';
import { openPage, sendChatMessage, waitForTranscriptText, type OpenedPage } from '../support/browser.js';
import { createStaff, totpCode, type StaffUser } from '../handoff/support.js';

const CANARY = 'canary.e2e.handoff@example.net';

/** A second bot as its own OS process on the same Redis (the agent's instance in the two-process run). */
async function spawnBot(env: Record<string, string | undefined>): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'index.ts'], {
    env: { ...(env as Record<string, string>), PATH: process.env.PATH!, PORT: String(port), INSTANCE_NAME: 'agent-side', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  proc.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    try { if ((await fetch(`${url}/readyz`)).status === 200) break; } catch { /* not yet */ }
    if (proc.exitCode !== null || Date.now() > until) throw new Error(`second bot did not start: ${err.slice(-400)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url, proc,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

for (const mode of ['one bot process', 'two bot processes sharing Redis'] as const) {
  describe(`handoff end to end in Chromium (${mode})`, function () {
    this.timeout(180000);
    let customerSide: RunningApp;
    let agentUrl: string;
    let second: Awaited<ReturnType<typeof spawnBot>> | undefined;
    let customer: OpenedPage;
    let console_: OpenedPage;
    let redis: RedisClientType;
    let agent: StaffUser;

    before(async () => {
      const r = await sharedRedis();
      redis = await r.client();
      // Chromium treats http://127.0.0.1 as a secure context, so the production cookie (__Host-, Secure) is tested as is.
      customerSide = await startApp({ REDIS_URL: r.url, CONSENT_PRESET: 'keep' });
      if (mode === 'one bot process') agentUrl = customerSide.url;
      else {
        second = await spawnBot({ ...customerSide.env, PORT: undefined });
        agentUrl = second.url;
      }
      agent = await createStaff(customerSide, ['agent']);
    });
    after(async () => {
      await customer?.close();
      await console_?.close();
      await second?.stop();
      await customerSide?.stop();
    });

    it('customer asks for a person; the agent logs in with password + TOTP, claims, chats, reveals once with a reason, hands back', async () => {
      customer = await openPage();
      const cp = customer.page;
      await cp.goto(`${customerSide.url}/`);
      await waitForTranscriptText(cp, /Trustline assistant/);
      await sendChatMessage(cp, `I want to talk to a person. My email is ${CANARY}`);
      await waitForTranscriptText(cp, /the wait is roughly \d+ minutes/);

      console_ = await openPage();
      const ap = console_.page;
      const login = await ap.goto(`${agentUrl}/staff/agent`);
      expect(ap.url()).to.match(/\/staff\/login$/);
      expect(login?.headers()['content-security-policy']).to.contain("script-src 'self'");
      await ap.fill('#email', agent.email);
      await ap.fill('#password', agent.password);
      await ap.click('#password-submit');
      await ap.locator('#code').waitFor({ state: 'visible' });
      await ap.fill('#code', await totpCode(agent.secret, Date.now()));
      await ap.click('#totp-submit');
      await ap.waitForURL(/\/staff\/agent$/);

      // The queue shows the conversation, redacted.
      const entry = ap.locator('#queue li', { hasText: '[EMAIL]' }).first();
      await entry.waitFor({ state: 'visible', timeout: 15000 });
      expect(await ap.content()).to.not.contain(CANARY);
      await entry.locator('button.claim').click();
      await ap.locator('#messages li.user', { hasText: 'talk to a person' }).waitFor({ state: 'visible' });
      await waitForTranscriptText(cp, /joined the conversation/);

      // Customer -> agent live (across processes in the second run), as text: a customer's <script> stays text.
      await sendChatMessage(cp, 'Are you there? <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>');
      await ap.locator('#messages li.user', { hasText: 'Are you there?' }).waitFor({ state: 'visible', timeout: 15000 });
      expect(await ap.locator('#messages li.user', { hasText: '<script>window.__pwned=2</script>' }).count()).to.equal(1);
      expect(await ap.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
      expect(await ap.locator('#messages img').count()).to.equal(0);

      // Agent -> customer through proactive messaging with the stored reference.
      await ap.fill('#send-text', 'Hello, this is Dana from Trustline support.');
      await ap.click('#send');
      await waitForTranscriptText(cp, /Dana from Trustline support/);

      // Reveal one value, with a reason; audited; shown once.
      await ap.locator('#messages button.token', { hasText: '[EMAIL]' }).first().click();
      await ap.fill('#reveal-reason', 'customer asked me to confirm the address on file');
      await ap.click('#reveal-submit');
      await ap.locator('.revealed', { hasText: CANARY }).waitFor({ state: 'visible' });
      const audit = ((await redis.xRange('tl:audit', '-', '+')) ?? []).map((e) => e.message);
      expect(audit.some((e) => e.type === 'handoff.revealed' && e.actor === agent.id && e.purpose === 'customer_request')).to.equal(true);
      expect(JSON.stringify(audit)).to.not.contain(CANARY);

      // Hand back: the bot answers again.
      await ap.click('#handback');
      await waitForTranscriptText(cp, /back with the Trustline assistant/);
      await sendChatMessage(cp, 'help');
      await waitForTranscriptText(cp, /You can ask me/);
      expect(await console_.cspViolations()).to.deep.equal([]);
      expect(console_.pageErrors).to.deep.equal([]);
      await ap.screenshot({ path: `/tmp/trustline-agent-console-${mode.startsWith('one') ? 1 : 2}.png` });
    });
  });
}
