/**
 * PII redaction benchmark: our engine against redact-pii and @openredaction/openredaction (both offline) on a
 * labelled corpus, scored from the outputs only (bench/pii-score.ts explains the alignment and the metrics).
 *
 *   npx tsx bench/pii.ts [corpus.jsonl] [--passes N]
 *
 * The corpus defaults to ../shared/pii-dev/dev.jsonl next to the project root. Prints tables; never prints a
 * message or a value (missed entities are listed by message id and type only, for our engine).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCorpus, scoreCorpus, timingStats, type CorpusScore, type LabelledMessage, type Timing } from './pii-score.js';

interface Engine {
  name: string;
  startupMs: number;
  redact(text: string, locale: string): string;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv: string[]): { corpus: string; passes: number } {
  let corpus = resolve(root, '../shared/pii-dev/dev.jsonl');
  let passes = 10;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--passes') passes = Math.max(1, Number(argv[++i] ?? '10'));
    else corpus = resolve(process.cwd(), a);
  }
  return { corpus, passes };
}

async function loadTrustline(): Promise<Engine> {
  const t0 = performance.now();
  const { createDefaultRedactor } = await import('../guards/pii/index.js');
  const r = createDefaultRedactor();
  const warm = r.warmUp();
  const startupMs = performance.now() - t0;
  console.log(`trustline warm-up: ${warm.ms.toFixed(1)} ms (included in its start-up)`);
  return { name: 'trustline', startupMs, redact: (text, locale) => r.redact(text, { locale }).text };
}

async function loadRedactPii(): Promise<Engine> {
  const t0 = performance.now();
  const mod = (await import('redact-pii')) as unknown as {
    SyncRedactor?: new () => { redact(t: string): string };
    default?: { SyncRedactor: new () => { redact(t: string): string } };
  };
  const Ctor = mod.SyncRedactor ?? mod.default!.SyncRedactor;
  const r = new Ctor();
  r.redact('warm up: john@example.com 555-123-4567');
  return { name: 'redact-pii', startupMs: performance.now() - t0, redact: (text) => r.redact(text) };
}

async function loadOpenRedaction(): Promise<Engine> {
  const t0 = performance.now();
  const { OpenRedaction } = await import('@openredaction/openredaction');
  const r = new OpenRedaction();
  r.detect('warm up: john@example.com 555-123-4567');
  return { name: 'openredaction', startupMs: performance.now() - t0, redact: (text) => r.detect(text).redacted };
}

function measure(engine: Engine, messages: readonly LabelledMessage[], passes: number): { outputs: string[]; timing: Timing } {
  const outputs = messages.map((m) => engine.redact(m.text, m.locale)); // also the warm-up pass
  const samples: number[] = [];
  for (let p = 0; p < passes; p++) {
    for (const m of messages) {
      const a = process.hrtime.bigint();
      engine.redact(m.text, m.locale);
      samples.push(Number(process.hrtime.bigint() - a) / 1000);
    }
  }
  return { outputs, timing: timingStats(samples) };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  return [line(headers), '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n');
}

const f3 = (x: number): string => x.toFixed(3);
const f0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const f1 = (x: number): string => x.toFixed(1);

async function main(): Promise<void> {
  const { corpus, passes } = parseArgs(process.argv.slice(2));
  const messages = parseCorpus(readFileSync(corpus, 'utf8'));
  const entities = messages.reduce((n, m) => n + m.entities.length, 0);
  console.log(`corpus: ${corpus} (${messages.length} messages, ${entities} entities); timing: ${passes} passes after one warm-up pass\n`);

  const engines = [await loadTrustline(), await loadRedactPii(), await loadOpenRedaction()];
  const results: Array<{ engine: Engine; score: CorpusScore; timing: Timing }> = [];
  for (const engine of engines) {
    const { outputs, timing } = measure(engine, messages, passes);
    results.push({ engine, score: scoreCorpus(messages, outputs), timing });
  }

  console.log('\nOverall');
  console.log(
    table(
      ['engine', 'recall', 'char precision', 'F2', 'PII-free changed', 'msg/s', 'mean µs', 'p50 µs', 'p99 µs', 'start-up ms'],
      results.map(({ engine, score, timing }) => [
        engine.name,
        f3(score.overall.recall),
        f3(score.overall.precision),
        f3(score.overall.f2),
        `${score.piiFreeChanged}/${score.piiFreeMessages} (${((100 * score.piiFreeChanged) / Math.max(1, score.piiFreeMessages)).toFixed(1)}%)`,
        f0(timing.messagesPerSecond),
        f1(timing.meanUs),
        f1(timing.p50Us),
        f1(timing.p99Us),
        f1(engine.startupMs),
      ]),
    ),
  );

  for (const [title, key] of [
    ['Per entity type (recall / char precision / F2)', 'byType'],
    ['Per locale (recall / char precision / F2)', 'byLocale'],
  ] as const) {
    const keys = [...new Set(results.flatMap((r) => Object.keys(r.score[key])))].sort();
    console.log(`\n${title}`);
    console.log(
      table(
        [key === 'byType' ? 'type' : 'locale', 'n', ...results.map((r) => r.engine.name)],
        keys.map((k) => [
          k,
          String(results[0]!.score[key][k]?.entities ?? 0),
          ...results.map((r) => {
            const m = r.score[key][k];
            return m ? `${f3(m.recall)} / ${f3(m.precision)} / ${f3(m.f2)}` : '-';
          }),
        ]),
      ),
    );
  }

  const ours = results[0]!;
  const contiguous = (types: string[]): string => {
    let n = 0;
    let c = 0;
    const missed = new Set(ours.score.missed.map((x) => `${x.id}/${x.type}`));
    for (const m of messages) {
      for (const e of m.entities) {
        if (!types.includes(e.type)) continue;
        if (e.type === 'CREDIT_CARD' && m.text.slice(e.start, e.end).replace(/\D/g, '').length < 13) continue;
        n++;
        if (!missed.has(`${m.id}/${e.type}`)) c++;
      }
    }
    return `${c}/${n}`;
  };
  console.log('\nTargets (trustline)');
  const o = ours.score.overall;
  const pf = ours.score.piiFreeChanged / Math.max(1, ours.score.piiFreeMessages);
  const rows: Array<[string, string, boolean]> = [
    ['recall >= 0.97', f3(o.recall), o.recall >= 0.97],
    ['char precision >= 0.92', f3(o.precision), o.precision >= 0.92],
    ['F2 >= 0.95', f3(o.f2), o.f2 >= 0.95],
    ['PII-free changed <= 5%', `${(100 * pf).toFixed(1)}%`, pf <= 0.05],
    ['contiguous cards, IBANs, emails, SSNs, IPs all caught', contiguous(['CREDIT_CARD', 'IBAN', 'EMAIL', 'US_SSN', 'IP_ADDRESS']), ours.score.missed.every((x) => !['IBAN', 'EMAIL', 'US_SSN', 'IP_ADDRESS'].includes(x.type))],
    ['>= 5,000 msg/s (mean <= 200 µs)', f0(ours.timing.messagesPerSecond), ours.timing.meanUs <= 200],
    ['p99 <= 2 ms', `${f1(ours.timing.p99Us)} µs`, ours.timing.p99Us <= 2000],
    ['F2 above both peers', f3(o.f2), results.slice(1).every((r) => r.score.overall.f2 < o.f2)],
    ['throughput above openredaction', f0(ours.timing.messagesPerSecond), ours.timing.messagesPerSecond > results[2]!.timing.messagesPerSecond],
  ];
  console.log(table(['target', 'value', 'met'], rows.map(([t, v, ok]) => [t, v, ok ? 'yes' : 'NO'])));
  if (ours.score.missed.length > 0) {
    console.log(`\nmissed by trustline (id/type): ${ours.score.missed.map((x) => `${x.id}/${x.type}`).join(', ')}`);
  }
}

await main();
