/**
 * Output-based scoring of PII redactors on a labelled corpus (format: ../shared/pii-dev/README.md).
 *
 * Alignment: we never trust an engine's own offsets. Each output is aligned to its input with a global alignment
 * with affine gaps (Gotoh): identical characters may match (+20), every other input character is deleted and
 * every output character inserted, a gap costs 45 to open and 1 per character. Common prefix and suffix are matched
 * first. An input character "survives in place" when the alignment matches it. Matching a run inside a replaced
 * region splits both gaps and costs two more openings (90), so a coincidental match of up to four characters
 * inside a replacement (the "1" of "[PHONE_1]" against a digit of the phone, "MB" of "NUMBER" against "MBR...")
 * costs more than it gains, while a run that continues the unchanged text next to it (a mask that keeps the last
 * four digits, a half-redacted name) extends an existing match at no opening cost and so does survive; a run of
 * five or more characters between two replacements survives too. Known limit: a surviving fragment of one to
 * four characters strictly between two replacements is counted as removed.
 *
 * Scores:
 * - an entity is caught when none of its letters or digits survives;
 * - recall = caught / labelled entities;
 * - char precision = removed letters/digits inside labelled spans / all removed letters/digits (punctuation and
 *   spaces are ignored on both sides, so an engine is not punished for eating the space before a tag);
 *   per entity type it is computed over the messages that contain that type (removed chars inside spans of the
 *   type / those plus removed chars outside every labelled span);
 * - F2 = 5PR / (4P + R), which weights recall four times as much as precision;
 * - PII-free changed = share of messages without labels whose output differs from the input in any way.
 */

export interface LabelledEntity {
  type: string;
  start: number;
  end: number;
}

export interface LabelledMessage {
  id: string;
  locale: string;
  text: string;
  entities: LabelledEntity[];
}

const MATCH = 20;
const OPEN = -46; // open (45) + first character (1)
const EXT = -1;
const NEG = -1e9;

/** 1 for every input character that the output keeps in place, 0 for those it removed or replaced. */
export function survivingMask(input: string, output: string): Uint8Array {
  const n = input.length;
  const m = output.length;
  const keep = new Uint8Array(n);
  let p = 0;
  while (p < n && p < m && input[p] === output[p]) keep[p++] = 1;
  let s = 0;
  while (s < n - p && s < m - p && input[n - 1 - s] === output[m - 1 - s]) {
    keep[n - 1 - s] = 1;
    s++;
  }
  const a = input.slice(p, n - s);
  const b = output.slice(p, m - s);
  if (a.length === 0 || b.length === 0) return keep;
  const A = a.length;
  const B = b.length;
  const W = B + 1;
  const size = (A + 1) * W;
  const M = new Float64Array(size).fill(NEG);
  const X = new Float64Array(size).fill(NEG); // input char deleted
  const Y = new Float64Array(size).fill(NEG); // output char inserted
  // Traceback: which matrix the best predecessor was in (0 = M, 1 = X, 2 = Y), per matrix.
  const tM = new Uint8Array(size);
  const tX = new Uint8Array(size);
  const tY = new Uint8Array(size);
  M[0] = 0;
  for (let i = 1; i <= A; i++) {
    X[i * W] = OPEN + (i - 1) * EXT;
    tX[i * W] = i === 1 ? 0 : 1;
  }
  for (let j = 1; j <= B; j++) {
    Y[j] = OPEN + (j - 1) * EXT;
    tY[j] = j === 1 ? 0 : 2;
  }
  for (let i = 1; i <= A; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= B; j++) {
      const k = i * W + j;
      if (ai === b.charCodeAt(j - 1)) {
        const d = k - W - 1;
        let best = M[d]!;
        let from = 0;
        if (X[d]! > best) { best = X[d]!; from = 1; }
        if (Y[d]! > best) { best = Y[d]!; from = 2; }
        M[k] = best + MATCH;
        tM[k] = from;
      }
      {
        const u = k - W;
        let best = M[u]! + OPEN;
        let from = 0;
        if (X[u]! + EXT > best) { best = X[u]! + EXT; from = 1; }
        if (Y[u]! + OPEN > best) { best = Y[u]! + OPEN; from = 2; }
        X[k] = best;
        tX[k] = from;
      }
      {
        const l = k - 1;
        let best = M[l]! + OPEN;
        let from = 0;
        if (Y[l]! + EXT > best) { best = Y[l]! + EXT; from = 2; }
        if (X[l]! + OPEN > best) { best = X[l]! + OPEN; from = 1; }
        Y[k] = best;
        tY[k] = from;
      }
    }
  }
  let i = A;
  let j = B;
  const end = A * W + B;
  let cur = M[end]! >= X[end]! && M[end]! >= Y[end]! ? 0 : X[end]! >= Y[end]! ? 1 : 2;
  while (i > 0 || j > 0) {
    const k = i * W + j;
    if (cur === 0) {
      keep[p + i - 1] = 1;
      cur = tM[k]!;
      i--;
      j--;
    } else if (cur === 1) {
      cur = tX[k]!;
      i--;
    } else {
      cur = tY[k]!;
      j--;
    }
  }
  return keep;
}

const ALNUM = /[\p{L}\p{N}]/u;

export interface Tally {
  entities: number;
  caught: number;
  removedInside: number;
  removedTotal: number;
}

export interface MessageScore {
  caught: boolean[];
  removedInside: number;
  removedOutside: number;
  changed: boolean;
  /** Removed alnum chars inside spans, per entity type. */
  removedInsideByType: Record<string, number>;
}

export function scoreMessage(msg: LabelledMessage, output: string): MessageScore {
  const keep = survivingMask(msg.text, output);
  const inside = new Int16Array(msg.text.length).fill(-1);
  msg.entities.forEach((e, idx) => {
    for (let i = e.start; i < e.end; i++) inside[i] = idx;
  });
  const caught = msg.entities.map((e) => {
    for (let i = e.start; i < e.end; i++) if (keep[i] && ALNUM.test(msg.text[i]!)) return false;
    return true;
  });
  let removedInside = 0;
  let removedOutside = 0;
  const removedInsideByType: Record<string, number> = {};
  for (let i = 0; i < msg.text.length; i++) {
    if (keep[i] || !ALNUM.test(msg.text[i]!)) continue;
    const idx = inside[i]!;
    if (idx >= 0) {
      removedInside++;
      const t = msg.entities[idx]!.type;
      removedInsideByType[t] = (removedInsideByType[t] ?? 0) + 1;
    } else removedOutside++;
  }
  return { caught, removedInside, removedOutside, changed: output !== msg.text, removedInsideByType };
}

export interface Metrics {
  entities: number;
  caught: number;
  recall: number;
  precision: number;
  f2: number;
}

export function f2(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
}

function metrics(entities: number, caught: number, removedInside: number, removedTotal: number): Metrics {
  const recall = entities === 0 ? 1 : caught / entities;
  const precision = removedTotal === 0 ? 1 : removedInside / removedTotal;
  return { entities, caught, recall, precision, f2: f2(precision, recall) };
}

export interface CorpusScore {
  overall: Metrics;
  byType: Record<string, Metrics>;
  byLocale: Record<string, Metrics>;
  piiFreeMessages: number;
  piiFreeChanged: number;
  /** Entities that were not caught, as message id + type (never the value). */
  missed: Array<{ id: string; type: string }>;
}

/** Scores one engine's outputs (same order as the messages). */
export function scoreCorpus(messages: readonly LabelledMessage[], outputs: readonly string[]): CorpusScore {
  if (outputs.length !== messages.length) throw new Error('one output per message is required');
  const all = { e: 0, c: 0, ri: 0, rt: 0 };
  const byType = new Map<string, { e: number; c: number; ri: number; ro: number }>();
  const byLocale = new Map<string, { e: number; c: number; ri: number; rt: number }>();
  let piiFree = 0;
  let piiFreeChanged = 0;
  const missed: CorpusScore['missed'] = [];
  messages.forEach((msg, k) => {
    const s = scoreMessage(msg, outputs[k]!);
    const loc = byLocale.get(msg.locale) ?? { e: 0, c: 0, ri: 0, rt: 0 };
    byLocale.set(msg.locale, loc);
    all.e += msg.entities.length;
    loc.e += msg.entities.length;
    all.ri += s.removedInside;
    all.rt += s.removedInside + s.removedOutside;
    loc.ri += s.removedInside;
    loc.rt += s.removedInside + s.removedOutside;
    if (msg.entities.length === 0) {
      piiFree++;
      if (s.changed) piiFreeChanged++;
    }
    const typesHere = new Set(msg.entities.map((e) => e.type));
    for (const t of typesHere) {
      const bt = byType.get(t) ?? { e: 0, c: 0, ri: 0, ro: 0 };
      byType.set(t, bt);
      bt.ri += s.removedInsideByType[t] ?? 0;
      bt.ro += s.removedOutside;
    }
    msg.entities.forEach((e, idx) => {
      const bt = byType.get(e.type)!;
      bt.e++;
      if (s.caught[idx]) {
        bt.c++;
        all.c++;
        loc.c++;
      } else missed.push({ id: msg.id, type: e.type });
    });
  });
  const typeOut: Record<string, Metrics> = {};
  for (const [t, v] of [...byType.entries()].sort()) typeOut[t] = metrics(v.e, v.c, v.ri, v.ri + v.ro);
  const locOut: Record<string, Metrics> = {};
  for (const [l, v] of [...byLocale.entries()].sort()) locOut[l] = metrics(v.e, v.c, v.ri, v.rt);
  return {
    overall: metrics(all.e, all.c, all.ri, all.rt),
    byType: typeOut,
    byLocale: locOut,
    piiFreeMessages: piiFree,
    piiFreeChanged,
    missed,
  };
}

export interface Timing {
  messagesPerSecond: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

export function timingStats(samplesUs: readonly number[]): Timing {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  const q = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  return {
    messagesPerSecond: total === 0 ? 0 : (sorted.length / total) * 1e6,
    meanUs: sorted.length === 0 ? 0 : total / sorted.length,
    p50Us: q(0.5),
    p99Us: q(0.99),
  };
}

/** Parses JSON Lines; throws with the line number (not its content) on a malformed line. */
export function parseCorpus(jsonl: string): LabelledMessage[] {
  const out: LabelledMessage[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`corpus line ${i + 1} is not JSON`);
    }
    const o = v as LabelledMessage;
    if (typeof o.text !== 'string' || !Array.isArray(o.entities)) throw new Error(`corpus line ${i + 1} lacks text/entities`);
    out.push({ id: String(o.id), locale: String(o.locale ?? 'en-US'), text: o.text, entities: o.entities });
  });
  return out;
}
