/**
 * Verification of the audit chain (AUD-2) and anchors. Pure over the stored entries, so the CLI, the console badge
 * and the tests run the same walk.
 *
 * Entry numbers are chain positions (`seq`): the genesis is 0, the first event 1. A problem names the first position
 * at which the chain stops being what was written:
 *   changed    the entry at this position does not match its hash (a field was edited, or an unchained entry
 *              was inserted here)
 *   removed    the entry at this position is missing (and no checkpoint vouches for its removal)
 *   reordered  a genuine entry sits at the wrong position (entries were swapped or moved)
 *   truncated  the chain ends before this position, which the head record or an anchor says existed
 *   anchor     the entry at the anchored position is not the one anchored
 *   sealed     an entry written before the chain existed (sealed by the genesis digest) was changed or removed
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuditEvents, entryHash, legacyDigest, type ChainHead, type StoredEntry } from './auditLog.js';

export type ProblemKind = 'changed' | 'removed' | 'reordered' | 'truncated' | 'anchor' | 'sealed';

export interface VerifyProblem {
  kind: ProblemKind;
  /** Chain position (seq) of the first bad entry. */
  index: number;
  /** Stream id where there is one. */
  id?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries checked (chained ones, including checkpoints). */
  checked: number;
  /** First and last chain positions present. */
  first?: number;
  last?: number;
  /** Position the walk started from (0, or the checkpoint's `through + 1`). */
  startedAt?: number;
  problem?: VerifyProblem;
}

export interface Anchor {
  stream: string;
  seq: number;
  hash: string;
  at: string;
  /** HMAC over the anchor itself, so an edited anchor file is noticed too. */
  mac: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function anchorMac(key: Uint8Array, a: Omit<Anchor, 'mac'>): string {
  return createHmac('sha256', key).update('tl-audit-anchor\u0000').update(JSON.stringify([a.stream, a.seq, a.hash, a.at])).digest('base64url');
}

export function makeAnchor(key: Uint8Array, stream: string, head: ChainHead, at: string): Anchor {
  const a = { stream, seq: head.seq, hash: head.h, at };
  return { ...a, mac: anchorMac(key, a) };
}

/** The last anchor in an anchor file (one JSON object per line); undefined when there is none. Throws on a bad MAC. */
export function parseAnchors(key: Uint8Array, text: string): Anchor | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return undefined;
  const a = JSON.parse(lines[lines.length - 1]!) as Anchor;
  if (typeof a.seq !== 'number' || typeof a.hash !== 'string' || typeof a.mac !== 'string' || !same(anchorMac(key, a), a.mac)) throw new Error('anchor is not valid for this audit key');
  return a;
}

export function verifyChain(entries: readonly StoredEntry[], key: Uint8Array, opts: { head?: ChainHead; anchor?: Anchor } = {}): VerifyResult {
  const legacy: StoredEntry[] = [];
  let i = 0;
  // Entries before the first chained one were written before the chain existed (only before a genesis).
  while (i < entries.length && entries[i]!.fields.h === undefined) legacy.push(entries[i++]!);
  const chained = entries.slice(i);
  const fail = (kind: ProblemKind, index: number, id?: string, extra: Partial<VerifyResult> = {}): VerifyResult => ({ ok: false, checked: extra.checked ?? 0, ...extra, problem: { kind, index, ...(id ? { id } : {}) } });

  if (chained.length === 0) {
    if (legacy.length) return fail('sealed', 0, legacy[0]!.id);
    if (opts.anchor || opts.head) return fail('truncated', 0);
    return { ok: true, checked: 0 };
  }
  // Which positions genuinely exist (hash valid), to tell a swap from a removal.
  const genuine = new Map<number, string>();
  for (const e of chained) if (e.fields.h !== undefined && same(entryHash(key, e.fields), e.fields.h)) genuine.set(Number(e.fields.seq), e.id);

  const first = chained[0]!;
  let expected: number;
  let prev: string;
  if (first.fields.type === AuditEvents.auditGenesis && first.fields.seq === '0' && first.fields.h !== undefined && same(entryHash(key, first.fields), first.fields.h)) {
    if (first.fields.prev !== '') return fail('changed', 0, first.id);
    if (String(legacy.length) !== first.fields.count || legacyDigest(key, legacy.map((e) => e.fields)) !== first.fields.digest) return fail('sealed', 0, legacy[0]?.id ?? first.id);
    expected = 0;
    prev = '';
  } else {
    if (legacy.length) return fail('changed', 0, legacy[0]!.id);
    // The head was trimmed: a genuine checkpoint must vouch for exactly what is gone.
    const checkpoints = chained.filter((e) => e.fields.type === AuditEvents.auditCheckpoint && genuine.get(Number(e.fields.seq)) === e.id);
    const cp = checkpoints.sort((a, b) => Number(b.fields.through) - Number(a.fields.through))[0];
    const firstSeq = Number(first.fields.seq);
    if (!cp) return fail(genuine.has(0) ? 'reordered' : 'removed', 0, first.id);
    const through = Number(cp.fields.through);
    if (firstSeq !== through + 1 || !genuine.has(firstSeq)) {
      // Something after the checkpointed range is missing or out of place.
      const index = through + 1;
      return fail(genuine.has(index) ? 'reordered' : first.fields.h !== undefined && genuine.get(firstSeq) !== first.id ? 'changed' : 'removed', index, first.id);
    }
    if (first.fields.prev !== cp.fields.lastHash) return fail('changed', firstSeq, first.id);
    expected = firstSeq;
    prev = first.fields.prev!;
  }
  const startedAt = expected;
  let checked = 0;
  for (const e of chained) {
    const f = e.fields;
    if (f.h === undefined || genuine.get(Number(f.seq)) !== e.id) {
      return fail('changed', expected, e.id, { checked, startedAt });
    }
    const seq = Number(f.seq);
    if (seq !== expected) return fail(genuine.has(expected) ? 'reordered' : seq > expected ? 'removed' : 'reordered', expected, e.id, { checked, startedAt });
    if (f.prev !== prev) return fail('reordered', expected, e.id, { checked, startedAt });
    prev = f.h;
    expected++;
    checked++;
  }
  const last = expected - 1;
  const base = { checked, first: startedAt, last, startedAt };
  if (opts.head && opts.head.seq > last) return fail('truncated', last + 1, undefined, base);
  if (opts.anchor) {
    if (opts.anchor.seq > last) return fail('truncated', last + 1, undefined, base);
    if (opts.anchor.seq >= startedAt) {
      const at = chained.find((e) => Number(e.fields.seq) === opts.anchor!.seq);
      if (!at || !same(at.fields.h!, opts.anchor.hash)) return fail('anchor', opts.anchor.seq, at?.id, base);
    }
  }
  return { ok: true, ...base };
}

export function describeProblem(p: VerifyProblem): string {
  const where = `entry ${p.index}${p.id ? ` (stream id ${p.id})` : ''}`;
  switch (p.kind) {
    case 'changed': return `${where} was changed (its hash does not match)`;
    case 'removed': return `${where} was removed`;
    case 'reordered': return `${where} is out of order (entries were swapped or moved)`;
    case 'truncated': return `the chain was cut: ${where} and everything after it are missing`;
    case 'anchor': return `${where} is not the entry the anchor recorded`;
    case 'sealed': return `the entries sealed by the genesis (before ${where}) were changed or removed`;
  }
}
