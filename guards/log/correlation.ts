/**
 * Correlation ids travel with what a request carries (http/requestContext.ts explains why not AsyncLocalStorage):
 * the HTTP layer tags the request and its activity, and a log line written while serving it takes `ridField(x)`
 * from the request, the activity or the turn context it holds. The id is a symbol-keyed property of its carrier, so
 * it lives exactly as long as the carrier and never serialises (JSON.stringify and the transcript's allow-list skip
 * symbol keys); a WeakMap did the same at a higher price per request (ephemerons cost the garbage collector).
 */
const RID = Symbol('trustline.rid');
type Carrier = { [RID]?: string };

/** Attaches a request's correlation id to an object that travels with it (the request, its activity). */
export function tagRequestId(carrier: object, rid: string): void {
  (carrier as Carrier)[RID] = rid;
}

/** The correlation id of the request behind `carrier`: an HTTP request, an activity, or a turn context. */
export function requestIdOf(carrier: unknown): string | undefined {
  if (!carrier || typeof carrier !== 'object') return undefined;
  const own = (carrier as Carrier)[RID];
  if (own !== undefined) return own;
  const activity = (carrier as { activity?: unknown }).activity;
  return activity && typeof activity === 'object' ? (activity as Carrier)[RID] : undefined;
}

/**
 * `{ rid }` for a log line written while serving `carrier`'s request (or `carrier` itself when it is the id, as the
 * services called from a route receive it), or nothing outside a request.
 */
export function ridField(carrier: unknown): { rid?: string } {
  const rid = typeof carrier === 'string' ? carrier : requestIdOf(carrier);
  return rid ? { rid } : {};
}
