/**
 * The system of record for customers and orders, behind an interface: a JSON file for development and tests, a CRM
 * over HTTP (`httpCrmDirectory.ts`). The bot never trusts a contact point typed in the chat; it uses these records.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { GuardError } from '../guards/errors.js';

export const OrderSchema = z.object({
  orderNumber: z.string().regex(/^[A-Z0-9-]{4,32}$/),
  placedAt: z.iso.date(),
  status: z.enum(['processing', 'shipped', 'out_for_delivery', 'delivered', 'cancelled', 'returned']),
  carrier: z.string().max(64).optional(),
  expectedDelivery: z.iso.date().optional(),
  deliveredAt: z.iso.date().optional(),
  items: z.array(z.object({ sku: z.string().max(64), name: z.string().max(200), quantity: z.number().int().min(1).max(999), unitPrice: z.number().nonnegative() })).min(1),
  currency: z.string().length(3),
});

export const CustomerSchema = z.object({
  customerNumber: z.string().regex(/^C[0-9]{4,12}$/),
  name: z.string().min(1).max(200),
  email: z.email(),
  phone: z.string().regex(/^\+[1-9][0-9]{6,14}$/),
  address: z.object({ line1: z.string().max(200), line2: z.string().max(200).optional(), postcode: z.string().max(16), city: z.string().max(100), country: z.string().length(2) }),
  birthDate: z.iso.date().optional(),
  locale: z.enum(['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES']),
  /** Decides the data-request deadline rules (GDPR vs CCPA); unknown means the stricter one. */
  region: z.enum(['EU', 'UK', 'US-CA', 'US', 'OTHER']),
  orders: z.array(OrderSchema),
  /** Microsoft Teams identities of this customer: tenant id + AAD object id (never a display name or UPN). */
  teams: z.array(z.object({ tenantId: z.uuid(), aadObjectId: z.uuid() })).max(10).optional(),
});

export const DirectoryFileSchema = z.object({ version: z.literal(1), customers: z.array(CustomerSchema) });

export type Customer = z.infer<typeof CustomerSchema>;
export type Order = z.infer<typeof OrderSchema>;

export interface CustomerDirectory {
  findByEmail(email: string): Promise<Customer | undefined>;
  findByPhone(phone: string): Promise<Customer | undefined>;
  findByCustomerNumber(customerNumber: string): Promise<Customer | undefined>;
  findByTeamsIdentity(tenantId: string, aadObjectId: string): Promise<Customer | undefined>;
  /**
   * Hands a verified customer's request to the back office (an address change, a payment case) and returns its
   * reference. Details never hold a card number: at most its last four digits.
   */
  openCase(c: ServiceCase): Promise<string>;
  /**
   * Data-subject correction (GDPR art. 16): replaces the email, phone or postal address of a verified customer.
   * Returns the systems and third parties the change was passed on to (GDPR art. 19), as fixed words.
   */
  update(customerNumber: string, change: ContactChange): Promise<DirectoryChangeResult>;
  /**
   * Data-subject erasure (GDPR art. 17): erase or anonymise the customer record. Idempotent per `requestId` (a
   * resumed erasure asks again). Reports what the system of record must keep by law (fixed words, e.g. `invoices`).
   */
  erase(customerNumber: string, requestId: string): Promise<DirectoryErasureResult>;
}

export interface ContactChange {
  email?: string;
  phone?: string;
  address?: Customer['address'];
}

export interface DirectoryChangeResult { recipients: string[] }

export interface DirectoryErasureResult {
  /** false when there was no record any more (an earlier, interrupted run already erased it). */
  erased: boolean;
  /** Categories the system of record keeps by law (PII-free words), e.g. `invoices`. */
  retained: string[];
  recipients: string[];
}

/** Words a directory may report (they go to the PII-free request record and the receipt). */
export const RETENTION_WORD = /^[a-z][a-z0-9_]{1,40}$/;

export interface ServiceCase {
  customerNumber: string;
  kind: 'address_change' | 'payment';
  orderNumber?: string;
  details: Record<string, string>;
}

export function newCaseReference(): string {
  return `CS-${randomBytes(5).toString('hex').toUpperCase()}`;
}

export function normalizeEmail(s: string): string {
  return s.trim().toLowerCase();
}

/** E.164-ish digits only, keeping a leading +. */
export function normalizePhone(s: string): string {
  const t = s.trim();
  return (t.startsWith('+') ? '+' : '') + t.replace(/[^0-9]/g, '');
}

export class JsonFileDirectory implements CustomerDirectory {
  readonly #customers: Customer[];
  readonly #path: string;

  /** Throws (refusing start-up) when the file is missing or does not match the schema. */
  constructor(path: string) {
    this.#path = path;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw new Error('customer directory file cannot be read or is not JSON');
    }
    const parsed = DirectoryFileSchema.safeParse(raw);
    if (!parsed.success) throw new Error('customer directory file does not match its schema');
    this.#customers = parsed.data.customers;
  }

  get size(): number { return this.#customers.length; }

  /** Development directory: cases are kept in memory only (the CRM keeps them for real). */
  readonly cases: (ServiceCase & { reference: string })[] = [];
  async openCase(c: ServiceCase): Promise<string> {
    const reference = newCaseReference();
    this.cases.push({ ...structuredClone(c), reference });
    if (this.cases.length > 1000) this.cases.shift();
    return reference;
  }

  /** The development directory keeps the record in its file: the change is written atomically (temp + rename). */
  async update(customerNumber: string, change: ContactChange): Promise<DirectoryChangeResult> {
    const i = this.#customers.findIndex((c) => c.customerNumber === customerNumber);
    if (i < 0) throw new GuardError('ERR_DIRECTORY_UPDATE_REFUSED');
    const next = CustomerSchema.safeParse({ ...this.#customers[i], ...change });
    if (!next.success) throw new GuardError('ERR_DIRECTORY_UPDATE_REFUSED');
    const all = [...this.#customers];
    all[i] = next.data;
    this.#persist(all);
    this.#customers[i] = next.data;
    return { recipients: ['customer_directory'] };
  }

  /** Removes the whole record (the development directory keeps no invoices, so it retains nothing). */
  async erase(customerNumber: string, _requestId: string): Promise<DirectoryErasureResult> {
    const i = this.#customers.findIndex((c) => c.customerNumber === customerNumber);
    if (i < 0) return { erased: false, retained: [], recipients: ['customer_directory'] };
    this.#persist(this.#customers.filter((_, j) => j !== i));
    this.#customers.splice(i, 1);
    return { erased: true, retained: [], recipients: ['customer_directory'] };
  }

  /** Write to a temp file in the same directory, fsync, rename: a crash leaves the old or the new file, never half. */
  #persist(customers: Customer[]): void {
    const tmp = join(dirname(this.#path), `.${randomBytes(6).toString('hex')}.tmp`);
    writeFileSync(tmp, `${JSON.stringify({ version: 1, customers }, null, 2)}\n`, { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, this.#path);
  }

  async findByEmail(email: string) { const e = normalizeEmail(email); return this.#customers.find((c) => normalizeEmail(c.email) === e); }
  async findByPhone(phone: string) { const p = normalizePhone(phone); return this.#customers.find((c) => normalizePhone(c.phone) === p); }
  async findByCustomerNumber(n: string) { const k = n.trim().toUpperCase(); return this.#customers.find((c) => c.customerNumber === k); }
  async findByTeamsIdentity(tenantId: string, aadObjectId: string) {
    const t = tenantId.toLowerCase(); const o = aadObjectId.toLowerCase();
    return this.#customers.find((c) => c.teams?.some((x) => x.tenantId.toLowerCase() === t && x.aadObjectId.toLowerCase() === o));
  }
}
