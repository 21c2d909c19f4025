/**
 * Every store that keeps something about a customer registers here (issue 5): the export asks each for its records,
 * the erasure asks each to delete them. A store added later (handoff, the compliance console, ...) registers a
 * `SubjectDataSource` in the composition root and is covered by both at once; a test checks the list is complete
 * against the Redis key prefixes.
 */

/** What the sources learn about the subject: pseudonymous ids only, plus the references the index keeps. */
export interface SubjectScope {
  /** The directory's customer number (sealed at rest; only the directory source uses it). */
  customerNumber: string;
  /** Random subject pseudonym (audit, ledger). */
  pseudonym: string;
  /** Owner id of the subject's data key. */
  owner: string;
  /** Keyed-hash owner ids of every conversation linked to the subject. */
  conversations: readonly string[];
  /** Storage keys and owners attached to the subject at verification (state, consent records, channel users). */
  refs: readonly SubjectRef[];
}

export type SubjectRefKind = 'state' | 'consentUser' | 'userOwner' | 'exportLink';
export interface SubjectRef { kind: SubjectRefKind; key: string }

export interface SubjectDataSource {
  /** Stable name: the export section and the erasure step (`erase:<name>`). */
  readonly name: string;
  /** Everything this store keeps about the subject, opened, without secrets (code hashes, keys, tokens). */
  exportFor(scope: SubjectScope): Promise<unknown>;
  /** Deletes everything this store keeps about the subject. Must be idempotent: a resumed erasure calls it again. */
  eraseFor(scope: SubjectScope): Promise<void>;
}

export class SubjectDataRegistry {
  readonly #sources: SubjectDataSource[] = [];
  register(source: SubjectDataSource): void {
    if (this.#sources.some((s) => s.name === source.name)) throw new Error(`subject data source registered twice: ${source.name}`);
    if (!/^[a-z][a-zA-Z0-9_]{1,40}$/.test(source.name)) throw new Error('subject data source name');
    this.#sources.push(source);
  }
  list(): readonly SubjectDataSource[] { return [...this.#sources]; }
  names(): string[] { return this.#sources.map((s) => s.name); }
}
