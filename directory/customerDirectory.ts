/**
 * The system of record for customers and orders, behind an interface: a JSON file for development and tests, a CRM
 * over HTTP later (identity issue). The bot never trusts a contact point typed in the chat; it uses these records.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

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
});

export const DirectoryFileSchema = z.object({ version: z.literal(1), customers: z.array(CustomerSchema) });

export type Customer = z.infer<typeof CustomerSchema>;
export type Order = z.infer<typeof OrderSchema>;

export interface CustomerDirectory {
  findByEmail(email: string): Promise<Customer | undefined>;
  findByPhone(phone: string): Promise<Customer | undefined>;
  findByCustomerNumber(customerNumber: string): Promise<Customer | undefined>;
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

  /** Throws (refusing start-up) when the file is missing or does not match the schema. */
  constructor(path: string) {
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

  async findByEmail(email: string) { const e = normalizeEmail(email); return this.#customers.find((c) => normalizeEmail(c.email) === e); }
  async findByPhone(phone: string) { const p = normalizePhone(phone); return this.#customers.find((c) => normalizePhone(c.phone) === p); }
  async findByCustomerNumber(n: string) { const k = n.trim().toUpperCase(); return this.#customers.find((c) => c.customerNumber === k); }
}
