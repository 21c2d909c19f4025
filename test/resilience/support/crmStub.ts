/**
 * A loopback CRM (the system of record behind directory/httpCrmDirectory.ts): lookups, cases, corrections and
 * erasure, with a bearer token. It records every request body (it is an allowed sink of the canary sweep: it
 * stands for the system that legitimately holds the customer's data) and can be told to fail like a broken CRM.
 */
import { createServer, type Server } from 'node:http';

type Customer = Record<string, unknown> & { customerNumber: string; email: string; phone: string };

export interface CrmStub {
  url: string;
  requests: { path: string; body: string }[];
  customers: Customer[];
  /** When set, every request answers 503 with a body holding this text (which must never reach anyone). */
  failWith: string | undefined;
  stop(): Promise<void>;
}

const digits = (s: string) => (s.trim().startsWith('+') ? '+' : '') + s.replace(/[^0-9]/g, '');

export async function startCrmStub(token: string, customers: Customer[]): Promise<CrmStub> {
  let n = 0;
  const stub: CrmStub = { url: '', requests: [], customers, failWith: undefined, stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').replace(/^\/crm/, '');
      stub.requests.push({ path, body: raw });
      const json = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (req.headers.authorization !== `Bearer ${token}`) return json(401, {});
      if (stub.failWith !== undefined) { res.writeHead(503, { 'content-type': 'text/plain' }); res.end(stub.failWith); return; }
      let body: Record<string, unknown> = {};
      try { body = JSON.parse(raw || '{}') as Record<string, unknown>; } catch { return json(400, {}); }
      const byNumber = (x: unknown) => stub.customers.find((c) => c.customerNumber === x);
      if (path === '/customers/lookup') {
        const c = stub.customers.find((x) => (typeof body.email === 'string' && x.email.toLowerCase() === body.email)
          || (typeof body.phone === 'string' && digits(x.phone) === body.phone) || x.customerNumber === body.customerNumber);
        return c ? json(200, { customer: c }) : json(404, {});
      }
      if (path === '/cases') return json(201, { reference: `CRM-${String(++n).padStart(6, '0')}` });
      if (path === '/customers/update') {
        const c = byNumber(body.customerNumber);
        if (!c) return json(404, {});
        Object.assign(c, body.change as object);
        return json(200, { recipients: ['crm', 'billing_system'] });
      }
      if (path === '/customers/erase') {
        const i = stub.customers.findIndex((x) => x.customerNumber === body.customerNumber);
        if (i < 0) return json(404, {});
        stub.customers.splice(i, 1);
        return json(200, { erased: true, retained: ['invoices'], recipients: ['crm', 'billing_system'] });
      }
      json(404, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  stub.url = `http://127.0.0.1:${port}/crm`;
  stub.stop = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return stub;
}
