/**
 * A Redis Cluster of real `redis-server` processes on free loopback ports (issue 8 item 4), for tests and the
 * benchmark. Slots are split evenly with CLUSTER ADDSLOTSRANGE and the nodes joined with CLUSTER MEET (no
 * redis-cli, no fixed ports: each node gets a free client port and a free bus port through `cluster-port`, so the
 * classic "port + 10000" bus port never collides or overflows). Resolves once every node reports
 * `cluster_state:ok`, knows every other node and serves every slot.
 */
import { rmSync } from 'node:fs';
import { createClient, type RedisClientType } from 'redis';
import { freePort, startRedis, type RedisProcess } from './redis.js';

export interface RedisClusterProcess {
  /** One node's URL: the seed a cluster client discovers the topology from. */
  seedUrl: string;
  /** Every master, in slot order (node i serves the i-th range of slots). */
  nodes: RedisProcess[];
  /** A throwaway plain client per master (never reconnects), for assertions that look at each node's own keys. */
  nodeClients(): Promise<RedisClientType[]>;
  /** The master (index into `nodes`) that serves a key, asked of the cluster itself (CLUSTER KEYSLOT + ranges). */
  masterOf(key: string): Promise<number>;
  /** Every key of every master with the index of the master holding it. */
  keysByMaster(match?: string): Promise<Map<string, number>>;
  /** Kills master i (SIGKILL: no goodbye to the cluster); its directory, nodes.conf included, stays. */
  killNode(i: number): Promise<void>;
  /** Starts master i again on its port from its directory (same node id and slots), then waits for `cluster_state:ok`. */
  restartNode(i: number): Promise<void>;
  stop(): Promise<void>;
}

const SLOTS = 16384;

/** TLS for every node: the client port and the cluster bus (`tls-cluster`), no plaintext port. PEM files + CA text. */
export interface ClusterTls { certFile: string; keyFile: string; caFile: string; ca: string }

export async function startRedisCluster(o: { masters?: number; extraArgs?: string[]; tls?: ClusterTls } = {}): Promise<RedisClusterProcess> {
  const n = o.masters ?? 3;
  if (n < 1) throw new Error('a cluster needs at least one master');
  const nodes: RedisProcess[] = [];
  const busPorts: number[] = [];
  const args: string[][] = [];
  const dirs: string[] = [];
  const adminClient = (port: number, ca: string) => tlsClient(port, ca);
  const admin: RedisClientType[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const busPort = await freePort();
      busPorts.push(busPort);
      const port = await freePort();
      // With TLS the one port is the TLS port (`--port 0` comes after startRedis's own `--port`, so it wins).
      const tls = o.tls ? ['--tls-port', String(port), '--port', '0', '--tls-cluster', 'yes', '--tls-cert-file', o.tls.certFile, '--tls-key-file', o.tls.keyFile, '--tls-ca-cert-file', o.tls.caFile, '--tls-auth-clients', 'no'] : [];
      args.push(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '5000', ...tls, ...(o.extraArgs ?? [])]);
      nodes.push(await startRedis(args[i]!, { port }));
    }
    for (const node of nodes) admin.push(o.tls ? await adminClient(node.port, o.tls.ca) : await node.client());
    const ranges: [number, number][] = nodes.map((_, i) => [Math.floor((i * SLOTS) / n), Math.floor(((i + 1) * SLOTS) / n) - 1]);
    for (let i = 0; i < n; i++) {
      const c = admin[i]!;
      // Distinct config epochs up front: no epoch collision to resolve while the nodes meet.
      await c.sendCommand(['CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)]);
      await c.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', String(ranges[i]![0]), String(ranges[i]![1])]);
    }
    for (let i = 1; i < n; i++) await admin[0]!.sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(nodes[i]!.port), String(busPorts[i])]);
    await waitOk(admin, n);
  } catch (err) {
    for (const node of nodes) await node.stop();
    throw err;
  }
  const seedUrl = o.tls ? `rediss://127.0.0.1:${nodes[0]!.port}` : nodes[0]!.url;
  const ranges = nodes.map((_, i) => [Math.floor((i * SLOTS) / n), Math.floor(((i + 1) * SLOTS) / n) - 1] as const);
  const masterOfSlot = (slot: number) => ranges.findIndex(([from, to]) => slot >= from && slot <= to);
  return {
    seedUrl,
    nodes,
    async nodeClients() {
      const tls = o.tls;
      const made = await Promise.all(nodes.map((node) => (tls ? tlsClient(node.port, tls.ca) : node.client())));
      if (tls) admin.push(...made); // closed at stop() with the rest
      return made;
    },
    async masterOf(key: string) {
      const c = admin[0]!;
      return masterOfSlot(Number(await c.sendCommand(['CLUSTER', 'KEYSLOT', key])));
    },
    async keysByMaster(match = '*') {
      const out = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        for await (const batch of admin[i]!.scanIterator({ MATCH: match, COUNT: 1000 })) for (const k of batch as unknown as string[]) out.set(k, i);
      }
      return out;
    },
    async killNode(i: number) {
      const node = nodes[i]!;
      if (!dirs.includes(node.dir)) dirs.push(node.dir);
      if (node.proc.exitCode === null && node.proc.signalCode === null) {
        const exited = new Promise((r) => node.proc.once('exit', r));
        node.proc.kill('SIGKILL');
        await exited;
      }
    },
    async restartNode(i: number) {
      const old = nodes[i]!;
      // `dir` given: this process's stop() leaves the directory, removed with the others at the cluster's stop().
      nodes[i] = await startRedis(args[i]!, { port: old.port, dir: old.dir });
      try { admin[i]!.destroy(); } catch { /* already gone */ }
      admin[i] = o.tls ? await adminClient(nodes[i]!.port, o.tls.ca) : await nodes[i]!.client();
      await waitOk(admin, n);
    },
    async stop() {
      for (const c of admin) { try { c.destroy(); } catch { /* already closed */ } }
      await Promise.all(nodes.map((node) => node.stop()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Every node agrees: state ok, every node known, every slot served, the same number of slot ranges. */
async function waitOk(admin: RedisClientType[], n: number, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const states = await Promise.all(admin.map(async (c) => {
      const info = String(await c.sendCommand(['CLUSTER', 'INFO']));
      const slots = (await c.sendCommand(['CLUSTER', 'SLOTS'])) as unknown[];
      return /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${n}\\b`).test(info) && /cluster_slots_ok:16384\b/.test(info) && slots.length === n;
    }).map((p) => p.catch(() => false)));
    if (states.every(Boolean)) return;
    if (Date.now() > until) throw new Error('the Redis Cluster did not reach cluster_state:ok');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function tlsClient(port: number, ca: string): Promise<RedisClientType> {
  const c = createClient({ url: `rediss://127.0.0.1:${port}`, socket: { tls: true, ca, reconnectStrategy: false } }) as RedisClientType;
  c.on('error', () => undefined);
  await c.connect();
  return c;
}
