import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { KUSTOMIZE_VERSION, ROOT, deployCheckBinary, kustomizeBinary, runTool } from './go-tools';

// The deployment files users run and we cannot (no Docker engine, no cluster here), checked with the tools that
// read them for real: each kustomize overlay rendered by kustomize itself, every object strictly decoded into
// the official Kubernetes API types (go/k8s.go says why that and not kubeconform), docker-compose.yml loaded by
// compose-go (the loader Docker Compose uses, with the Compose Specification's schema). Then what this project
// promises about them: pinned images, one policy ConfigMap, provider keys for provider-adapters only, R3 in
// production, autoscaling, probes, no model files.

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const SERVICES = [
  'ingress',
  'analyzer',
  'decision-engine',
  'provider-adapters',
  'feedback-aggregator',
  'rule-optimizer',
];
/** The services whose config.ts reads POLICY_FILE. */
const POLICY_READERS = ['decision-engine', 'provider-adapters', 'rule-optimizer'];
/** rule-optimizer's queue runs one job at a time: more replicas would not do more. */
const AUTOSCALED = SERVICES.filter((s) => s !== 'rule-optimizer');
const VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
/** Secrets made with kubectl, never rendered (deploy/README.md). */
const EXTERNAL = ['Secret/switchyard-nats', 'Secret/provider-keys'];
const OVERLAYS = ['deploy/k8s', 'deploy/k8s/overlays/dev', 'deploy/k8s/overlays/production'] as const;
type Overlay = (typeof OVERLAYS)[number];
const PRODUCTION = 'deploy/k8s/overlays/production';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const documents = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);

let kustomize: string;
let deployCheck: string;
const rendered = new Map<Overlay, { text: string; objects: K8sObject[] }>();

beforeAll(async () => {
  // Cold: both built from the Go module proxy (about a minute on two cores); then cached in ~/.cache/switchyard.
  [kustomize, deployCheck] = await Promise.all([kustomizeBinary(), deployCheckBinary()]);
  for (const overlay of OVERLAYS) {
    const { code, stdout, stderr } = await runTool(kustomize, ['build', overlay]);
    if (code !== 0) throw new Error(`kustomize build ${overlay} failed: ${stderr}`);
    rendered.set(overlay, { text: stdout, objects: documents(stdout) });
  }
}, 12 * 60_000);

function objects(overlay: Overlay, kind?: string): K8sObject[] {
  const all = rendered.get(overlay)?.objects ?? [];
  return kind ? all.filter((o) => o.kind === kind) : all;
}
function one(overlay: Overlay, kind: string, name: string): K8sObject {
  const found = objects(overlay, kind).filter((o) => o.metadata.name === name);
  expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`${kind}/${name}`]);
  return found[0];
}
/** A generated ConfigMap's name carries a content hash: switchyard-config-<hash>. */
function generated(overlay: Overlay, name: string): K8sObject {
  const found = objects(overlay, 'ConfigMap').filter((o) => new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name));
  expect(found).toHaveLength(1);
  return found[0];
}
const container = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];
const envOf = (deployment: K8sObject, overlay: Overlay): Record<string, string> => {
  const c = container(deployment);
  const shared = c.envFrom?.some((f: any) => f.configMapRef?.name.startsWith('switchyard-config-'))
    ? (generated(overlay, 'switchyard-config').data ?? {})
    : {};
  const own = Object.fromEntries(
    (c.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]),
  );
  return { ...shared, ...own };
};

async function validate(yamlText: string, external = EXTERNAL) {
  const { code, stdout, stderr } = await runTool(deployCheck, ['k8s', ...external.flatMap((e) => ['--external', e])], {
    input: yamlText,
  });
  if (code === 2) throw new Error(stderr);
  const report = JSON.parse(stdout) as {
    valid: boolean;
    count: number;
    objects: Array<{ kind: string; name: string; problems: string[] }>;
    references: string[];
  };
  const problems = [
    ...report.objects.flatMap((o) => o.problems.map((p) => `${o.kind}/${o.name}: ${p}`)),
    ...report.references,
  ];
  return { code, report, problems };
}

describe(`Kubernetes manifests, rendered by kustomize ${KUSTOMIZE_VERSION}`, () => {
  it.each(OVERLAYS)('%s: every object passes strict API decoding, validation and cross-references', async (overlay) => {
    const { code, report, problems } = await validate(rendered.get(overlay)?.text ?? '');
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    expect(report.count).toBeGreaterThanOrEqual(SERVICES.length * 3);
  });

  it('applies the dev overlay for `kubectl apply -k deploy/k8s`, as before the overlays', () => {
    expect(rendered.get('deploy/k8s')?.text).toBe(rendered.get('deploy/k8s/overlays/dev')?.text);
  });

  it('refuses what the API server would refuse (the validator is not vacuous)', async () => {
    const broken = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: x, namespace: switchyard }
spec:
  selector: { matchLabels: { app: x } }
  template:
    metadata: { labels: { app: x } }
    spec:
      containers:
        - name: x
          image: x:1
          imagePort: 80
          envFrom: [{ configMapRef: { name: nowhere } }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: z, namespace: switchyard }
spec:
  replicas: "two"
  selector: { matchLabels: { app: z } }
  template: { metadata: { labels: { app: z } }, spec: { containers: [{ name: z, image: z:1 }] } }
---
apiVersion: v1
kind: Namespace
metadata: { name: switchyard }
`;
    const { code, problems } = await validate(broken);
    expect(code).toBe(1);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('unknown field "spec.template.spec.containers[0].imagePort"'),
        expect.stringContaining('cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas'),
        expect.stringContaining('ConfigMap/nowhere does not exist'),
      ]),
    );
  });

  it.each(OVERLAYS)("%s: every image is pinned to a version, the six services to package.json's", (overlay) => {
    const images = objects(overlay).flatMap((o) =>
      [...(o.spec?.template?.spec?.containers ?? []), ...(o.spec?.template?.spec?.initContainers ?? [])].map(
        (c: any) => c.image as string,
      ),
    );
    expect(images.length).toBeGreaterThanOrEqual(SERVICES.length);
    for (const image of images) expect(image).toMatch(/^[^:]+:(?!latest$)[\w][\w.-]*$/);
    for (const service of SERVICES)
      expect(container(one(overlay, 'Deployment', service)).image).toBe(`switchyard/${service}:${VERSION}`);
  });

  it.each(OVERLAYS)(
    '%s: each service has probes, requests and limits, a Service and a PodDisruptionBudget',
    (overlay) => {
      for (const service of SERVICES) {
        const c = container(one(overlay, 'Deployment', service));
        expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
        expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
        one(overlay, 'Service', service);
        expect(one(overlay, 'PodDisruptionBudget', service).spec.selector.matchLabels).toEqual({
          'app.kubernetes.io/name': service,
        });
      }
    },
  );

  it.each(OVERLAYS)(
    '%s: the stateless services autoscale on CPU (autoscaling/v2); rule-optimizer does not',
    (overlay) => {
      for (const service of AUTOSCALED) {
        const hpa = one(overlay, 'HorizontalPodAutoscaler', service);
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: service });
        expect(hpa.spec.metrics).toContainEqual(
          expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
        );
      }
      expect(objects(overlay, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).not.toContain('rule-optimizer');
    },
  );

  describe('the policy', () => {
    it.each(OVERLAYS)(
      '%s: one ConfigMap, mounted at /app/policies by every service that reads POLICY_FILE and no other',
      (overlay) => {
        const policy = generated(overlay, 'switchyard-policy');
        for (const service of SERVICES) {
          const deployment = one(overlay, 'Deployment', service);
          const volumes = deployment.spec.template.spec.volumes.filter(
            (v: any) => v.configMap?.name === policy.metadata.name,
          );
          const mounts = container(deployment).volumeMounts.filter((m: any) =>
            volumes.some((v: any) => v.name === m.name),
          );
          if (POLICY_READERS.includes(service)) {
            expect(mounts).toEqual([expect.objectContaining({ mountPath: '/app/policies', readOnly: true })]);
            const file = envOf(deployment, overlay)['POLICY_FILE'];
            expect(file).toMatch(/^\/app\/policies\//);
            expect(Object.keys(policy.data ?? {})).toContain(file.slice('/app/policies/'.length));
          } else expect(mounts).toEqual([]);
        }
      },
    );

    it.each(OVERLAYS)("%s: the ConfigMap's policies are the repository's policies/ files, unchanged", (overlay) => {
      const data = generated(overlay, 'switchyard-policy').data ?? {};
      expect(Object.keys(data).length).toBeGreaterThan(0);
      // kustomize reads no file outside an overlay's directory: base/policies and production/policies hold
      // copies. When this fails, copy policies/<file> over the copy named in the kustomization.
      for (const [file, text] of Object.entries(data)) expect(text).toBe(read(`policies/${file}`));
    });

    it('production runs policies/real-models.yaml; dev the simulated default', () => {
      expect(generated(PRODUCTION, 'switchyard-config').data?.['POLICY_FILE']).toBe('/app/policies/real-models.yaml');
      expect(generated('deploy/k8s/overlays/dev', 'switchyard-config').data?.['POLICY_FILE']).toBe(
        '/app/policies/default.yaml',
      );
    });
  });

  describe('provider keys', () => {
    it.each(OVERLAYS)('%s: the provider-keys Secret reaches provider-adapters and no other service', (overlay) => {
      for (const service of SERVICES) {
        const text = JSON.stringify(one(overlay, 'Deployment', service));
        expect(text.includes('"provider-keys"')).toBe(service === 'provider-adapters');
      }
      const refs = container(one(overlay, 'Deployment', 'provider-adapters')).envFrom.filter((f: any) => f.secretRef);
      // Required in production (a missing Secret stops the rollout); optional where the policy is simulated.
      expect(refs).toEqual([{ secretRef: { name: 'provider-keys', optional: overlay !== PRODUCTION } }]);
    });

    it('the example Secret is a valid Secret holding placeholders for exactly the keys real-models.yaml names', async () => {
      const example = read(`${PRODUCTION}/provider-keys.example.yaml`);
      const { problems } = await validate(example, ['Namespace/switchyard']);
      expect(problems).toEqual([]);
      const secret = documents(example)[0];
      const policyKeys = [
        ...new Set(
          (parseYaml(read('policies/real-models.yaml')) as { models: Array<{ apiKeyEnv?: string }> }).models.map(
            (m) => m.apiKeyEnv,
          ),
        ),
      ].sort();
      expect(Object.keys(secret.stringData ?? {}).sort()).toEqual(policyKeys);
      for (const value of Object.values(secret.stringData ?? {})) expect(value).toMatch(/^replace-with-/);
      const envExample = read('deploy/secrets/provider-keys.env.example')
        .split('\n')
        .filter((l) => /^[A-Z]/.test(l))
        .map((l) => l.split('=')[0]);
      expect(envExample.sort()).toEqual(policyKeys);
      for (const key of policyKeys) expect(key).toMatch(/^SWITCHYARD_KEY_/);
    });
  });

  it('dev: streams at one replica, single-replica NATS, Redis and MongoDB in the cluster', () => {
    const dev = 'deploy/k8s/overlays/dev';
    expect(generated(dev, 'switchyard-config').data?.['STREAM_REPLICAS']).toBe('1');
    expect(objects(dev, 'StatefulSet').map((s) => [s.metadata.name, s.spec.replicas])).toEqual([
      ['mongodb', 1],
      ['nats', 1],
      ['redis', 1],
    ]);
  });

  describe('production', () => {
    it('streams at R3, on NATS, Redis and MongoDB the operator runs (none rendered here)', () => {
      const config = generated(PRODUCTION, 'switchyard-config').data ?? {};
      expect(config['STREAM_REPLICAS']).toBe('3');
      expect(Number(config['STREAM_MAX_BYTES'])).toBeGreaterThan(0);
      expect(objects(PRODUCTION, 'StatefulSet')).toEqual([]);
      for (const key of ['NATS_URL', 'REDIS_URL', 'MONGODB_URI']) expect(config[key]).toMatch(/\.svc\.cluster\.local/);
    });

    it('more replicas, higher autoscaling bounds, pods spread over nodes and zones', () => {
      for (const service of AUTOSCALED) {
        const deployment = one(PRODUCTION, 'Deployment', service);
        expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
        expect(one(PRODUCTION, 'HorizontalPodAutoscaler', service).spec.minReplicas).toBeGreaterThanOrEqual(2);
      }
      for (const service of SERVICES) {
        const spread = one(PRODUCTION, 'Deployment', service).spec.template.spec.topologySpreadConstraints;
        expect(spread.map((t: any) => t.topologyKey)).toEqual([
          'kubernetes.io/hostname',
          'topology.kubernetes.io/zone',
        ]);
      }
    });

    it('includes the monitoring objects, which scrape the http port every service exposes', () => {
      const monitor = one(PRODUCTION, 'ServiceMonitor', 'switchyard');
      one(PRODUCTION, 'PrometheusRule', 'switchyard');
      const ports = monitor.spec.endpoints.map((e: any) => e.port);
      for (const service of SERVICES)
        expect(one(PRODUCTION, 'Service', service).spec.ports.map((p: any) => p.name)).toEqual(
          expect.arrayContaining(ports),
        );
    });

    it("ingress also scales on requests per second: the Prometheus adapter's metric from switchyard_requests_total", () => {
      const pods = one(PRODUCTION, 'HorizontalPodAutoscaler', 'ingress').spec.metrics.filter(
        (m: any) => m.type === 'Pods',
      );
      const adapter = parseYaml(read(`${PRODUCTION}/prometheus-adapter-values.yaml`)) as {
        rules: { custom: Array<{ seriesQuery: string; name: { as: string } }> };
      };
      expect(pods.map((m: any) => m.pods.metric.name)).toEqual(adapter.rules.custom.map((r) => r.name.as));
      expect(adapter.rules.custom[0].seriesQuery).toMatch(/^switchyard_requests_total\{/);
    });
  });

  it.each(OVERLAYS)('%s: no model files on any pod (learned routers come from the model store)', (overlay) => {
    for (const service of SERVICES) {
      const volumes = one(overlay, 'Deployment', service).spec.template.spec.volumes;
      for (const v of volumes) {
        // /tmp for Node, and the policy ConfigMap: nothing a router could be read from.
        if (v.name === 'tmp') expect(Object.keys(v).sort()).toEqual(['emptyDir', 'name']);
        else expect(v).toEqual({ name: 'policy', configMap: { name: expect.stringMatching(/^switchyard-policy-/) } });
      }
    }
  });
});

describe('docker-compose.yml, loaded by compose-go', () => {
  let dir: string;
  let envFile: string;
  type Service = {
    image: string;
    environment?: Record<string, string>;
    volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
    env_file?: Array<{ path: string; required: boolean }>;
  };
  const load = async (...extraEnv: string[]) => {
    writeFileSync(
      envFile,
      [execFileSync('bash', [join(ROOT, 'deploy/generate-nats-passwords.sh')], { encoding: 'utf8' }), ...extraEnv].join(
        '\n',
      ),
    );
    const { code, stdout } = await runTool(deployCheck, ['compose', '--env-file', envFile, 'docker-compose.yml']);
    const report = JSON.parse(stdout) as {
      valid: boolean;
      problems: string[];
      project?: { services: Record<string, Service> };
    };
    return { code, report, services: report.project?.services ?? {} };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-check-'));
    envFile = join(dir, '.env');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is valid under the Compose Specification, with the .env that deploy/generate-nats-passwords.sh writes', async () => {
    const { code, report } = await load();
    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
  });

  it('refuses to load without the NATS passwords (the check is not vacuous)', async () => {
    const { code, stdout } = await runTool(deployCheck, ['compose', 'docker-compose.yml']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).problems.join()).toMatch(/NATS_\w+_PASSWORD.*generate-nats-passwords/);
  });

  it("pins every image: NATS, Redis and MongoDB by version, the six services at package.json's", async () => {
    const { services } = await load();
    for (const [name, service] of Object.entries(services)) {
      expect(service.image).toMatch(/^[^:]+:(?!latest$)[\w][\w.-]*$/);
      if (SERVICES.includes(name)) expect(service.image).toBe(`switchyard/${name}:${VERSION}`);
    }
    expect(Object.keys(services).sort()).toEqual([...SERVICES, 'mongodb', 'nats', 'redis'].sort());
  });

  it('mounts ./policies read-only into the services that read POLICY_FILE, chosen by SWITCHYARD_POLICY', async () => {
    const dflt = (await load()).services;
    const real = (await load('SWITCHYARD_POLICY=real-models.yaml')).services;
    for (const service of SERVICES) {
      const mounts = (dflt[service].volumes ?? []).filter((v) => v.target === '/app/policies');
      if (!POLICY_READERS.includes(service)) {
        expect(mounts).toEqual([]);
        continue;
      }
      expect(mounts).toEqual([
        expect.objectContaining({ type: 'bind', source: join(ROOT, 'policies'), read_only: true }),
      ]);
      expect(dflt[service].environment?.['POLICY_FILE']).toBe('/app/policies/default.yaml');
      expect(real[service].environment?.['POLICY_FILE']).toBe('/app/policies/real-models.yaml');
    }
  });

  it('gives the provider-keys env file to provider-adapters only, and runs without it', async () => {
    const { services } = await load();
    for (const [name, service] of Object.entries(services))
      expect(service.env_file ?? []).toEqual(
        name === 'provider-adapters' ? [{ path: join(ROOT, 'deploy/secrets/provider-keys.env'), required: false }] : [],
      );
  });

  it('mounts no model files (only policies, the NATS configuration and data volumes)', async () => {
    const { services } = await load();
    for (const [name, service] of Object.entries(services))
      for (const v of service.volumes ?? [])
        expect([`${name} ${v.target}`]).toEqual([
          expect.stringMatching(/ (\/app\/policies|\/etc\/nats\/nats-server\.conf|\/data|\/data\/db)$/),
        ]);
  });
});

describe('Dockerfile', () => {
  it('builds on one pinned Node 22 LTS image, installing exactly the lockfile (npm ci)', () => {
    const dockerfile = read('Dockerfile');
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases).toHaveLength(2);
    for (const base of bases) expect(base).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/);
    expect(new Set(bases).size).toBe(1);
    expect(dockerfile).not.toMatch(/npm install/);
    expect(dockerfile.match(/^RUN npm ci /gm)).toHaveLength(2);
  });
});
