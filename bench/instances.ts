/**
 * One instance vs two (issue 8): the same load once against a single bot process and once spread over two processes
 * sharing the data Redis and the key store, with every conversation alternating between the two instances turn by
 * turn (request `seq` of worker `w` goes to instance `(w + seq) % 2`). Reports total throughput, the CPU each
 * instance spent per turn it served, and the Redis CPU per turn. This 2-core machine cannot show linear scaling
 * (the load generator, Redis and both bots share two cores); what it can show is that a turn costs the same on
 * either instance whether or not another instance serves the same conversations: no cross-instance chatter per
 * turn, no cache that only works when a conversation stays put.
 */
import { randomBytes } from 'node:crypto';
import { runLoad } from './load.js';
import { cpuOf, ensureBuilt, GUARDED_SERVER, startChild, type Child } from './support.js';

export interface DataStore {
  /** Settings that point a bot process at this store (REDIS_URL and whatever else it needs). */
  env: Record<string, string>;
  /** Redis server processes, for their CPU. */
  pids: number[];
  /** Commands the data Redis has run so far (all nodes; INFO commandstats, admin commands left out). */
  commandCalls(): Promise<number>;
  label: string;
}

export interface InstancesRow { label: string; instances: number; concurrency: number; redisCommandsPerTurn: number; rps: number; p50: number; p99: number; errors: number; turns: number[]; cpuPerTurn: number[]; totalCpuPerTurn: number; redisCpuPerTurn: number }

const key = () => randomBytes(32).toString('base64');

export async function benchInstances(o: { store: DataStore; keyStoreUrl: string; concurrency: number; seconds: number; rounds: number }): Promise<{ rows: InstancesRow[]; label: string }> {
  const env = {
    ...o.store.env, KEYSTORE_REDIS_URL: o.keyStoreUrl,
    TRUSTLINE_PROFILE: 'development', TRUSTLINE_MASTER_KEYS: `v1:${key()}`, TRUSTLINE_KEYNAME_KEY: key(), TRUSTLINE_AUDIT_KEY: key(), TRUSTLINE_CODE_HASH_KEY: key(), TRUSTLINE_PII_HASH_KEY: key(), LOCAL_CHAT_ENABLED: 'false', CONSENT_PRESET: 'keep',
  };
  const bots: Child[] = [];
  ensureBuilt();
  try {
    bots.push(await startChild(GUARDED_SERVER, env));
    bots.push(await startChild(GUARDED_SERVER, env));
    const body = (w: number) => JSON.stringify({
      type: 'message', channelId: 'bench', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
      conversation: { id: `inst-${w}` }, from: { id: `inst-u-${w}` }, recipient: { id: 'bot' }, locale: 'en-US',
      text: 'Hi, can you help me? My email is jane.roe@example.com and I live at 12 Main Street.',
    });
    const urls = bots.map((b) => b.url);
    // Prime: each instance alone (so both are equally JIT-warm), then every conversation served by both.
    for (const u of urls) await runLoad(u, o.concurrency, 3, body);
    await runLoad(urls, o.concurrency, 2, body);
    const redisCpu = async () => (await Promise.all(o.store.pids.map((p) => cpuOf(p)))).reduce((a, b) => a + b, 0);
    // Three cells: one instance at the full concurrency; one instance at half of it (the load each of two
    // instances sees: per-turn CPU depends on how busy a process is, so this is the like-for-like control); two.
    const cells = [
      { label: `1 instance, c=${o.concurrency}`, n: 1, c: o.concurrency },
      { label: `1 instance, c=${Math.max(1, Math.floor(o.concurrency / 2))} (control: one instance's share of two)`, n: 1, c: Math.max(1, Math.floor(o.concurrency / 2)) },
      { label: `2 instances, c=${o.concurrency}`, n: 2, c: o.concurrency },
    ];
    const sums: InstancesRow[][] = cells.map(() => []);
    for (let round = 0; round < o.rounds; round++) {
      for (const k of round % 2 === 0 ? [0, 1, 2] : [2, 1, 0]) {
        const { n, c, label } = cells[k]!;
        const used = bots.slice(0, n);
        const cpu0 = await Promise.all(used.map((b) => b.cpuMicros()));
        const r0 = await redisCpu();
        const calls0 = await o.store.commandCalls();
        const r = await runLoad(used.map((b) => b.url), c, o.seconds, body);
        const cpu1 = await Promise.all(used.map((b) => b.cpuMicros()));
        const calls1 = await o.store.commandCalls();
        const spent = cpu1.map((x, i) => x - cpu0[i]!);
        sums[k]!.push({
          label, instances: n, concurrency: c, redisCommandsPerTurn: (calls1 - calls0) / Math.max(1, r.requests), rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, turns: r.perTarget,
          cpuPerTurn: spent.map((s, i) => s / Math.max(1, r.perTarget[i]!)),
          totalCpuPerTurn: spent.reduce((a, b) => a + b, 0) / Math.max(1, r.requests),
          redisCpuPerTurn: ((await redisCpu()) - r0) / Math.max(1, r.requests),
        });
      }
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rows = cells.map((cell, k): InstancesRow => {
      const rs = sums[k]!;
      return {
        label: cell.label, instances: cell.n, concurrency: cell.c, redisCommandsPerTurn: avg(rs.map((r) => r.redisCommandsPerTurn)), rps: avg(rs.map((r) => r.rps)), p50: avg(rs.map((r) => r.p50)), p99: avg(rs.map((r) => r.p99)), errors: rs.reduce((a, r) => a + r.errors, 0),
        turns: rs[0]!.turns.map((_, i) => rs.reduce((a, r) => a + r.turns[i]!, 0)),
        cpuPerTurn: rs[0]!.cpuPerTurn.map((_, i) => avg(rs.map((r) => r.cpuPerTurn[i]!))),
        totalCpuPerTurn: avg(rs.map((r) => r.totalCpuPerTurn)), redisCpuPerTurn: avg(rs.map((r) => r.redisCpuPerTurn)),
      };
    });
    return { rows, label: o.store.label };
  } finally {
    for (const b of bots) await b.stop();
  }
}

export function instancesTable(rows: InstancesRow[]): (string | number)[][] {
  const out: (string | number)[][] = [['load', 'req/s total', 'p50/p99 ms', 'turns A/B', 'CPU µs/turn A', 'CPU µs/turn B', 'CPU µs/turn all bots', 'Redis CPU µs/turn', 'Redis cmds/turn', 'errors']];
  for (const r of rows) {
    out.push([r.label, r.rps.toFixed(0), `${r.p50.toFixed(1)}/${r.p99.toFixed(1)}`, r.turns.join('/') + (r.turns.length === 1 ? '/0' : ''), r.cpuPerTurn[0]!.toFixed(0), r.cpuPerTurn[1] === undefined ? '-' : r.cpuPerTurn[1].toFixed(0), r.totalCpuPerTurn.toFixed(0), r.redisCpuPerTurn.toFixed(0), r.redisCommandsPerTurn.toFixed(2), r.errors]);
  }
  return out;
}
