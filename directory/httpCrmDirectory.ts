/**
 * The customer directory of a CRM over HTTP. One endpoint, `POST {base}/customers/lookup` with a JSON body naming
 * one key (`{ "email" }`, `{ "phone" }`, `{ "customerNumber" }` or `{ "teamsTenantId", "teamsObjectId" }`) and a
 * bearer token; 200 `{ "customer": {...} }` or 404. Contact points travel in the body, never in a URL, so they do
 * not land in proxy or CRM access logs. Every answer is validated against the same schema as the JSON file; anything
 * else (timeouts, 5xx, junk) is `ERR_IDENTITY_DIRECTORY_*`, never its text. Cases go to `POST {base}/cases`, which
 * answers 201 `{ "reference" }`.
 * Data-subject requests: `POST {base}/customers/update` `{ customerNumber, change }` -> 200 `{ "recipients": [...] }`;
 * `POST {base}/customers/erase` `{ customerNumber, requestId }` (header `Idempotency-Key: requestId`) -> 200
 * `{ "erased": bool, "retained": [...], "recipients": [...] }` (404 = no such customer any more: nothing to erase).
 * The lists are fixed words (`invoices`, `payment_records`, `billing_system`); anything else is a bad response.
 */
import { GuardError } from '../guards/errors.js';
import { CustomerSchema, RETENTION_WORD, normalizeEmail, normalizePhone, type ContactChange, type Customer, type CustomerDirectory, type DirectoryChangeResult, type DirectoryErasureResult, type ServiceCase } from './customerDirectory.js';

export interface HttpCrmOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  /** Injected in tests. */
  fetch?: typeof fetch;
}

const MAX_RESPONSE_BYTES = 1_048_576;

export class HttpCrmDirectory implements CustomerDirectory {
  readonly #url: string;
  readonly #base: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(o: HttpCrmOptions) {
    this.#base = o.baseUrl.replace(/\/+$/, '');
    this.#url = `${this.#base}/customers/lookup`;
    this.#token = o.token;
    this.#timeoutMs = o.timeoutMs;
    this.#fetch = o.fetch ?? fetch;
  }

  findByEmail(email: string) { return this.#lookup({ email: normalizeEmail(email) }); }
  findByPhone(phone: string) { return this.#lookup({ phone: normalizePhone(phone) }); }
  findByCustomerNumber(n: string) { return this.#lookup({ customerNumber: n.trim().toUpperCase() }); }
  findByTeamsIdentity(tenantId: string, aadObjectId: string) { return this.#lookup({ teamsTenantId: tenantId.toLowerCase(), teamsObjectId: aadObjectId.toLowerCase() }); }

  async openCase(c: ServiceCase): Promise<string> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.#token}` },
        body: JSON.stringify(c),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DIRECTORY_UNAVAILABLE', { cause });
    }
    if (res.status !== 201 && res.status !== 200) {
      await res.body?.cancel();
      throw new GuardError('ERR_IDENTITY_DIRECTORY_UNAVAILABLE');
    }
    let ref: unknown;
    try { ref = ((await res.json()) as { reference?: unknown }).reference; } catch (cause) { throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE', { cause }); }
    if (typeof ref !== 'string' || !/^[A-Za-z0-9-]{4,40}$/.test(ref)) throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    return ref;
  }

  async update(customerNumber: string, change: ContactChange): Promise<DirectoryChangeResult> {
    const res = await this.#post('/customers/update', { customerNumber, change });
    if (res.status === 404 || res.status === 409 || res.status === 422) {
      await res.body?.cancel();
      throw new GuardError('ERR_DIRECTORY_UPDATE_REFUSED');
    }
    const body = await this.#json(res);
    return { recipients: this.#words(body.recipients, ['crm']) };
  }

  async erase(customerNumber: string, requestId: string): Promise<DirectoryErasureResult> {
    const res = await this.#post('/customers/erase', { customerNumber, requestId }, { 'idempotency-key': requestId });
    if (res.status === 404) {
      await res.body?.cancel();
      return { erased: false, retained: [], recipients: ['crm'] };
    }
    const body = await this.#json(res);
    if (typeof body.erased !== 'boolean') throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    return { erased: body.erased, retained: this.#words(body.retained, []), recipients: this.#words(body.recipients, ['crm']) };
  }

  async #post(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
    try {
      return await this.#fetch(`${this.#base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.#token}`, ...headers },
        body: JSON.stringify(payload),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DIRECTORY_UNAVAILABLE', { cause });
    }
  }

  async #json(res: Response): Promise<Record<string, unknown>> {
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new GuardError('ERR_IDENTITY_DIRECTORY_UNAVAILABLE');
    }
    try {
      const text = await res.text();
      if (text.length > MAX_RESPONSE_BYTES) throw new Error('too large');
      const body = JSON.parse(text) as unknown;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
      return body as Record<string, unknown>;
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE', { cause });
    }
  }

  /** A list of fixed words, or the default when absent; anything else is refused (it goes to PII-free records). */
  #words(v: unknown, def: string[]): string[] {
    if (v === undefined) return def;
    if (!Array.isArray(v) || v.length > 20 || v.some((x) => typeof x !== 'string' || !RETENTION_WORD.test(x))) throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    return v as string[];
  }

  async #lookup(query: Record<string, string>): Promise<Customer | undefined> {
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.#token}` },
        body: JSON.stringify(query),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DIRECTORY_UNAVAILABLE', { cause });
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new GuardError('ERR_IDENTITY_DIRECTORY_UNAVAILABLE');
    }
    let body: unknown;
    try {
      const text = await res.text();
      if (text.length > MAX_RESPONSE_BYTES) throw new Error('too large');
      body = JSON.parse(text);
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE', { cause });
    }
    const parsed = CustomerSchema.safeParse((body as { customer?: unknown } | null)?.customer);
    if (!parsed.success) throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    const c = parsed.data;
    // The CRM must answer for the key it was asked about; a mismatched record is refused, not trusted.
    if (query.email && normalizeEmail(c.email) !== query.email) throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    if (query.phone && normalizePhone(c.phone) !== query.phone) throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    if (query.customerNumber && c.customerNumber !== query.customerNumber) throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    if (query.teamsObjectId && !c.teams?.some((t) => t.tenantId.toLowerCase() === query.teamsTenantId && t.aadObjectId.toLowerCase() === query.teamsObjectId)) {
      throw new GuardError('ERR_IDENTITY_DIRECTORY_BAD_RESPONSE');
    }
    return c;
  }
}
