import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { HttpCrmDirectory } from '../../directory/httpCrmDirectory.js';
import { JsonFileDirectory, normalizeEmail, normalizePhone, type Customer } from '../../directory/customerDirectory.js';
import { isGuardError } from '../../guards/errors.js';

/** The CRM directory against a loopback CRM stub: lookups by each key, 404, errors, junk, mismatches, cases. */
describe('HttpCrmDirectory (loopback CRM)', () => {
  const customers = (JSON.parse(readFileSync('data/customers.json', 'utf8')) as { customers: Customer[] }).customers;
  const requests: { url: string; auth: string; body: Record<string, string> }[] = [];
  type Mode = 'ok' | 'error' | 'junk' | 'wrong' | 'slow';
  let mode = 'ok' as Mode;
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => { raw += d.toString(); });
      req.on('end', () => {
        const body = JSON.parse(raw || '{}') as Record<string, string>;
        requests.push({ url: req.url ?? '', auth: String(req.headers.authorization), body });
        if (req.headers.authorization !== 'Bearer crm-token') { res.statusCode = 401; res.end(); return; }
        if (mode === 'slow') return; // never answers
        if (mode === 'error') { res.statusCode = 503; res.end('oops: internal detail'); return; }
        if (mode === 'junk') { res.statusCode = 200; res.end('<html>'); return; }
        if (req.url === '/crm/cases') { res.statusCode = 201; res.end(JSON.stringify({ reference: 'CASE-42' })); return; }
        const c = customers.find((x) => (body.email && normalizeEmail(x.email) === body.email) || (body.phone && normalizePhone(x.phone) === body.phone) || x.customerNumber === body.customerNumber);
        const answer = mode === 'wrong' ? customers[1] : c;
        if (!answer) { res.statusCode = 404; res.end(); return; }
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ customer: answer }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/crm/`;
  });
  after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });
  beforeEach(() => { mode = 'ok'; requests.length = 0; });

  const crm = (timeoutMs = 2000) => new HttpCrmDirectory({ baseUrl: base, token: 'crm-token', timeoutMs });

  it('finds customers by email, phone and customer number, with the keys in the body and a bearer token', async () => {
    expect((await crm().findByEmail(' Avery@Example.com '))?.customerNumber).to.equal('C100001');
    expect((await crm().findByPhone('+49 1555 0100200'))?.customerNumber).to.equal('C100002');
    expect((await crm().findByCustomerNumber('c100003'))?.customerNumber).to.equal('C100003');
    expect(requests.map((r) => r.url)).to.deep.equal(['/crm/customers/lookup', '/crm/customers/lookup', '/crm/customers/lookup']);
    expect(requests[0]!.body).to.deep.equal({ email: 'avery@example.com' });
    expect(requests.every((r) => r.auth === 'Bearer crm-token')).to.equal(true);
    for (const r of requests) expect(r.url).to.not.include('@');
  });

  it('answers undefined for an unknown customer (404)', async () => {
    expect(await crm().findByEmail('nobody@example.com')).to.equal(undefined);
  });

  const failures: [string, Mode, string][] = [
    ['a 5xx', 'error', 'ERR_IDENTITY_DIRECTORY_UNAVAILABLE'],
    ['a body that is not JSON', 'junk', 'ERR_IDENTITY_DIRECTORY_BAD_RESPONSE'],
    ['a record for another key than the one asked', 'wrong', 'ERR_IDENTITY_DIRECTORY_BAD_RESPONSE'],
    ['no answer within the timeout', 'slow', 'ERR_IDENTITY_DIRECTORY_UNAVAILABLE'],
  ];
  for (const [name, m, code] of failures) {
    it(`turns ${name} into ${code}, without the CRM's text`, async () => {
      mode = m;
      try {
        await crm(300).findByEmail('avery@example.com');
        expect.fail('should have thrown');
      } catch (e) {
        expect(isGuardError(e)).to.equal(true);
        expect((e as { code: string }).code).to.equal(code);
        expect(String((e as Error).message)).to.not.include('internal detail');
      }
    });
  }

  it('opens cases and returns the CRM reference', async () => {
    expect(await crm().openCase({ customerNumber: 'C100001', kind: 'payment', details: { cardLast4: '1111' } })).to.equal('CASE-42');
    expect(requests[0]!.body).to.deep.include({ customerNumber: 'C100001', kind: 'payment' });
  });

  it('agrees with the JSON-file directory on every demo customer', async () => {
    const json = new JsonFileDirectory('data/customers.json');
    for (const c of customers) {
      expect((await crm().findByEmail(c.email))?.customerNumber).to.equal((await json.findByEmail(c.email))?.customerNumber);
      expect((await crm().findByPhone(c.phone))?.customerNumber).to.equal((await json.findByPhone(c.phone))?.customerNumber);
    }
  });
});
