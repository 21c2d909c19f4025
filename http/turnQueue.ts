/**
 * Turns of one conversation run one after another within an instance (RES-5): two messages sent at once would
 * otherwise load the same state, and the second save would hit an eTag conflict. Across instances the storage
 * eTags still catch a conflict (the turn then fails with the fixed apology: nothing is lost silently).
 * Memory is bounded by the number of conversations with a turn in flight.
 */
export class TurnQueue {
  readonly #tails = new Map<string, Promise<void>>();

  get active(): number { return this.#tails.size; }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    try {
      await previous;
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
