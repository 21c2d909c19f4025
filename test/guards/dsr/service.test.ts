import { expect } from 'chai';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { startApp, type RunningApp } from '../../support/app.js';
import { startRedis, type RedisProcess } from '../../support/redis.js';
import { MemoryDsrLedger } from '../../../guards/dsr/ledger.js';
import { listRequests } from '../../../cli/commands/dsr.js';
import { SubjectDataRegistry } from '../../../guards/dsr/sources.js';
import { article15Facts } from '../../../guards/dsr/facts.js';
import { JsonFileDirectory } from '../../../directory/customerDirectory.js';
import { HttpCrmDirectory } from '../../../directory/httpCrmDirectory.js';
import { CANARY_A, directoryCopy, receiptOf, say } from './support.js';
import { readFileSync } from 'node:fs';

class Sink extends Writable {
  text = '';
  override _write(c: Buffer, _e: string, cb: () => void) { this.text += c.toString(); cb(); }
}

describe('guards/dsr: registry, facts, directory erase/update, trustline dsr list', function () {
  this.timeout(60000);

  it('the registry refuses a source registered twice', () => {
    const r = new SubjectDataRegistry();
    const s = { name: 'x1', exportFor: async () => undefined, eraseFor: async () => undefined };
    r.register(s);
    expect(() => r.register(s)).to.throw(/twice/);
  });

  it('the article 15 facts name the channel copies we cannot erase as recipients', () => {
    const f = article15Facts({ stateSeconds: 1, transcriptSeconds: 2, keySeconds: 3, handoffSeconds: 4, requestSeconds: 5 });
    const r = f.recipients.filter((x) => !x.erasableByUs).map((x) => x.id);
    expect(r).to.include.members(['microsoft_teams', 'azure_bot_service_direct_line']);
    expect(f.retention.find((x) => x.category === 'transcripts')?.seconds).to.equal(2);
  });

  it('the JSON directory updates and erases atomically in its file, idempotently', async () => {
    const file = directoryCopy();
    const d = new JsonFileDirectory(file);
    expect(await d.update(CANARY_A.customerNumber, { email: 'new.one@example.com' })).to.deep.equal({ recipients: ['customer_directory'] });
    expect(readFileSync(file, 'utf8')).to.include('new.one@example.com');
    let refused = false;
    try { await d.update(CANARY_A.customerNumber, { email: 'not an email' }); } catch { refused = true; }
    expect(refused).to.equal(true);
    expect((await d.erase(CANARY_A.customerNumber, 'R-1')).erased).to.equal(true);
    expect((await d.erase(CANARY_A.customerNumber, 'R-1')).erased).to.equal(false);
    expect(new JsonFileDirectory(file).size).to.equal(d.size);
    expect(readFileSync(file, 'utf8')).to.not.include(CANARY_A.customerNumber);
  });

  it('the CRM directory erases with an idempotency key and refuses retention words that are not words', async () => {
    const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
    let answer: unknown = { erased: true, retained: ['invoices'], recipients: ['crm', 'billing_system'] };
    const fetchStub = (async (url: string, init: RequestInit) => {
      calls.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
      return new Response(JSON.stringify(answer), { status: 200 });
    }) as unknown as typeof fetch;
    const crm = new HttpCrmDirectory({ baseUrl: 'http://crm.test/api', token: 't', timeoutMs: 1000, fetch: fetchStub });
    expect(await crm.erase('C700001', 'R-AAAAA-BBBBB')).to.deep.equal({ erased: true, retained: ['invoices'], recipients: ['crm', 'billing_system'] });
    expect(calls[0]!.url).to.equal('http://crm.test/api/customers/erase');
    expect(calls[0]!.headers['idempotency-key']).to.equal('R-AAAAA-BBBBB');
    answer = { erased: true, retained: ['Invoices of Mr Smith'] };
    let refused = false;
    try { await crm.erase('C700001', 'R-AAAAA-BBBBB'); } catch { refused = true; }
    expect(refused).to.equal(true);
  });

  it('trustline dsr list prints the ledger with deadline flags and no personal values', async () => {
    const ledger = new MemoryDsrLedger();
    const { record } = await ledger.open({ type: 'erase', subject: 'sp_abc', region: 'EU', now: new Date('2026-01-31T10:00:00Z') });
    await ledger.open({ type: 'opt_out', subject: 'u_xyz', now: new Date('2026-02-01T10:00:00Z') });
    const out = new Sink();
    expect(await listRequests(ledger, { now: new Date('2026-03-10T00:00:00Z') }, out)).to.equal(2);
    expect(out.text).to.match(/^receipt\s+type\s+regime/);
    expect(out.text).to.include(record.id);
    expect(out.text).to.match(/erase\s+GDPR\s+received\s+2026-01-31 10:00\s+-\s+2026-03-02\s+overdue/);
    const json = new Sink();
    await listRequests(ledger, { json: true, open: true, now: new Date('2026-02-02T00:00:00Z') }, json);
    expect(json.text.trim().split('\n').map((l) => JSON.parse(l).flag)).to.deep.equal(['on_time', 'on_time']);
  });

  describe('against Redis, through the real command', () => {
    let redis: RedisProcess;
    let a: RunningApp;
    before(async () => {
      redis = await startRedis();
      a = await startApp({ REDIS_URL: redis.url, CUSTOMER_DIRECTORY_FILE: directoryCopy() });
    });
    after(async () => { await a.stop(); await redis.stop(); });

    it('lists an opt-out made in a conversation', async () => {
      const ref = receiptOf(await say(a, { conversationId: 'cli-dsr', userId: 'cli-dsr-user' })('do not share my data'));
      const env: Record<string, string | undefined> = { ...process.env, ...a.env, REDIS_URL: redis.url };
      const r = spawnSync(process.execPath, ['bin/trustline.js', 'dsr', 'list', '--json'], { env, encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string; status: string });
      expect(rows.find((x) => x.id === ref)).to.include({ type: 'opt_out', status: 'completed' });
    });
  });
});
