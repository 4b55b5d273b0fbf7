import { ServiceProcess, findWorkspaceRoot, freePort } from './service-process';

/** The six services, in pipeline order. */
export const SERVICE_NAMES = [
  'ingress',
  'analyzer',
  'decision-engine',
  'provider-adapters',
  'feedback-aggregator',
  'rule-optimizer',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Default HTTP ports, as in each service's config and the deploy manifests. */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  ingress: 3000,
  analyzer: 3001,
  'decision-engine': 3002,
  'provider-adapters': 3003,
  'feedback-aggregator': 3004,
  'rule-optimizer': 3005,
};

export interface StackOptions {
  /** Environment shared by every service. */
  env: Record<string, string>;
  /** Free ports from the OS (tests), or the defaults (the demo, so its URLs are the documented ones). */
  ports: 'free' | 'default';
  root?: string;
}

/** All six services, each its own process, started consumers-first and stopped with SIGTERM. */
export class ServiceStack {
  private readonly services = new Map<ServiceName, ServiceProcess>();

  constructor(private readonly options: StackOptions) {}

  async start(onReady: (name: ServiceName, url: string) => void = () => undefined): Promise<void> {
    const root = this.options.root ?? findWorkspaceRoot();
    for (const name of SERVICE_NAMES) {
      const port = this.options.ports === 'free' ? await freePort() : DEFAULT_PORTS[name];
      this.services.set(name, new ServiceProcess(name, port, this.options.env, root));
    }
    // Consumers first, the door last, as a rolling deploy would leave them.
    for (const name of [...SERVICE_NAMES].reverse()) {
      await this.get(name).start();
      onReady(name, this.get(name).baseUrl);
    }
  }

  get(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`service ${name} was not started`);
    return service;
  }

  /** SIGTERM to every service (graceful drain); resolves with each exit code. */
  async stop(): Promise<Record<ServiceName, number>> {
    const codes = {} as Record<ServiceName, number>;
    await Promise.all(
      SERVICE_NAMES.filter((n) => this.services.has(n)).map(
        async (name) => (codes[name] = await this.get(name).stop('SIGTERM')),
      ),
    );
    return codes;
  }
}
