/**
 * A closed-loop load generator: `concurrency` workers, each with its own keep-alive connection and its own
 * conversation, each sending its next request when the previous answer arrived. (autocannon resets its per-
 * connection context after every request sequence, so it cannot pin a conversation to a connection.)
 */
import http from 'node:http';

export interface LoadResult { requests: number; rps: number; p50: number; p99: number; errors: number; statuses: Record<number, number>; perTarget: number[] }

/**
 * `url` may list several instances of the bot: request `seq` of worker `w` goes to `url[(w + seq) % n]`, so every
 * conversation alternates between instances turn by turn (the hardest case for shared state).
 */
export async function runLoad(url: string | string[], concurrency: number, seconds: number, body: (worker: number, seq: number) => string): Promise<LoadResult> {
  const targets = (Array.isArray(url) ? url : [url]).map((u) => new URL(`${u}/api/messages`));
  const perTarget = targets.map(() => 0);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const stopAt = performance.now() + seconds * 1000;
  const one = (agent: http.Agent, target: URL, payload: string) => new Promise<number>((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(payload);
  });
  const worker = async (w: number) => {
    const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    let seq = 0;
    while (performance.now() < stopAt) {
      const i = (w + seq) % targets.length;
      perTarget[i]!++;
      const t0 = performance.now();
      const status = await one(agents[i]!, targets[i]!, body(w, seq++));
      const dt = performance.now() - t0;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 200) errors++;
      else latencies.push(dt);
    }
    for (const a of agents) a.destroy();
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length + errors, rps: (latencies.length + errors) / elapsed, p50: q(0.5), p99: q(0.99), errors, statuses, perTarget };
}
