/**
 * Correlation ids travel with what a request carries (http/requestContext.ts explains why not AsyncLocalStorage):
 * the HTTP layer tags the request and its activity, and a log line written while serving it takes `ridField(x)`
 * from the request, the activity or the turn context it holds. A WeakMap: nothing outlives its carrier.
 */
const ridByCarrier = new WeakMap<object, string>();

/** Attaches a request's correlation id to an object that travels with it (the request, its activity). */
export function tagRequestId(carrier: object, rid: string): void {
  ridByCarrier.set(carrier, rid);
}

/** The correlation id of the request behind `carrier`: an HTTP request, an activity, or a turn context. */
export function requestIdOf(carrier: unknown): string | undefined {
  if (!carrier || typeof carrier !== 'object') return undefined;
  return ridByCarrier.get(carrier) ?? ridByCarrier.get((carrier as { activity?: object }).activity ?? carrier);
}

/**
 * `{ rid }` for a log line written while serving `carrier`'s request (or `carrier` itself when it is the id, as the
 * services called from a route receive it), or nothing outside a request.
 */
export function ridField(carrier: unknown): { rid?: string } {
  const rid = typeof carrier === 'string' ? carrier : requestIdOf(carrier);
  return rid ? { rid } : {};
}
