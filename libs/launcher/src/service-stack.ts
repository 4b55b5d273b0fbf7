import { join } from 'node:path';
import { ServiceProcess, findWorkspaceRoot, freePort, freePorts } from './service-process';

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

/** The variable naming one co-located service's HTTP port: HTTP_PORT_DECISION_ENGINE, say. */
export function portVariableOf(name: ServiceName): string {
  return `HTTP_PORT_${name.toUpperCase().replace(/-/g, '_')}`;
}

export interface StackOptions {
  /** Environment shared by every service. */
  env: Record<string, string>;
  /** More environment for one service (its own NATS user, say), over the shared one. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Free ports from the OS (tests), or the defaults (the demo, so its URLs are the documented ones). */
  ports: 'free' | 'default';
  root?: string;
  /** Processes per service (default 1 each); more than one needs free ports. */
  replicas?: Partial<Record<ServiceName, number>>;
  /**
   * Every service in one process (`switchyard serve --services all`, hops between them local calls), each on
   * its own port; no replicas then, and a signal to any service stops them all.
   */
  colocated?: boolean;
  /** Flags for node in every service process (`--cpu-prof`, say). */
  nodeArgs?: string[];
}

/** Tries a service (or a co-located host) gets to find a port nobody took before it bound it. */
export const PORT_ATTEMPTS = 3;

/** All six services, each its own process, started consumers-first and stopped with SIGTERM. */
export class ServiceStack {
  private readonly services = new Map<ServiceName, ServiceProcess[]>();

  constructor(private readonly options: StackOptions) {}

  async start(onReady: (name: ServiceName, url: string) => void = () => undefined): Promise<void> {
    const root = this.options.root ?? findWorkspaceRoot();
    if (this.options.colocated) return this.startColocated(root, onReady);
    const counts = SERVICE_NAMES.map((name) => this.options.replicas?.[name] ?? 1);
    const make = (name: ServiceName, port: number) =>
      new ServiceProcess(
        name,
        port,
        { ...this.options.env, ...this.options.serviceEnv?.[name] },
        root,
        undefined,
        undefined,
        this.options.nodeArgs,
      );
    // Every port of the stack at once, so no two processes get the same one.
    const free = this.options.ports === 'free' ? await freePorts(counts.reduce((a, b) => a + b, 0)) : [];
    for (const [k, name] of SERVICE_NAMES.entries()) {
      const count = counts[k];
      if (count > 1 && this.options.ports !== 'free') throw new Error(`${count} replicas of ${name} need free ports`);
      const processes: ServiceProcess[] = [];
      for (let i = 0; i < count; i++)
        processes.push(make(name, this.options.ports === 'free' ? (free.shift() as number) : DEFAULT_PORTS[name]));
      this.services.set(name, processes);
    }
    // Consumers first, the door last, as a rolling deploy would leave them.
    for (const name of [...SERVICE_NAMES].reverse()) {
      const processes = this.all(name);
      for (let i = 0; i < processes.length; i++) {
        processes[i] = await this.startOnFreePort(processes[i], async () => make(name, await freePort()));
        onReady(name, processes[i].baseUrl);
      }
    }
  }

  /**
   * Starts a process. With free ports, one that exits because its port was taken meanwhile (EADDRINUSE: the
   * OS hands ports of the same range to other processes' listeners and outgoing connections between
   * `freePorts` and the bind, and the stack's services start one after another over several seconds) is
   * started again, as `again` makes it on other ports, up to PORT_ATTEMPTS times in all.
   */
  private async startOnFreePort(
    service: ServiceProcess,
    again: () => Promise<ServiceProcess>,
  ): Promise<ServiceProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        await service.start();
        return service;
      } catch (err) {
        const taken = service.exitCode !== null && service.logs().includes('EADDRINUSE');
        if (this.options.ports !== 'free' || !taken || attempt >= PORT_ATTEMPTS) throw err;
        service = await again();
      }
    }
  }

  private async startColocated(root: string, onReady: (name: ServiceName, url: string) => void): Promise<void> {
    if (Object.values(this.options.replicas ?? {}).some((n) => (n ?? 1) > 1))
      throw new Error('co-located services run one of each: no replicas');
    for (const name of SERVICE_NAMES)
      if (this.options.serviceEnv?.[name])
        throw new Error(`co-located services share one environment: serviceEnv for ${name} cannot apply`);
    const envOf = (ports: readonly number[]) => {
      const env: Record<string, string> = { ...this.options.env };
      SERVICE_NAMES.forEach((name, i) => (env[portVariableOf(name)] = String(ports[i])));
      return env;
    };
    const hostOn = (ports: readonly number[]) =>
      new ServiceProcess(
        'switchyard serve',
        ports[0],
        envOf(ports),
        root,
        {
          main: join(root, 'dist', 'apps', 'cli', 'main.js'),
          args: ['serve', '--services', 'all'],
          readyUrls: ports.map((p) => `http://127.0.0.1:${p}/readyz`),
        },
        undefined,
        this.options.nodeArgs,
      );
    let ports =
      this.options.ports === 'free'
        ? await freePorts(SERVICE_NAMES.length)
        : SERVICE_NAMES.map((n) => DEFAULT_PORTS[n]);
    // Another try takes six other ports: `ports` is always the started host's.
    const host = await this.startOnFreePort(hostOn(ports), async () =>
      hostOn((ports = await freePorts(SERVICE_NAMES.length))),
    );
    const env = envOf(ports);
    SERVICE_NAMES.forEach((name, i) => {
      this.services.set(name, [new ServiceProcess(name, ports[i], env, root, undefined, host)]);
      onReady(name, `http://127.0.0.1:${ports[i]}`);
    });
  }

  /** The (first) process of a service. */
  get(name: ServiceName): ServiceProcess {
    return this.all(name)[0];
  }

  /** Every process of a service. */
  all(name: ServiceName): ServiceProcess[] {
    const processes = this.services.get(name);
    if (!processes || processes.length === 0) throw new Error(`service ${name} was not started`);
    return processes;
  }

  /** SIGTERM to every process (graceful drain); resolves with each service's worst exit code. */
  async stop(): Promise<Record<ServiceName, number>> {
    const codes = {} as Record<ServiceName, number>;
    await Promise.all(
      SERVICE_NAMES.filter((n) => this.services.has(n)).map(async (name) => {
        const exits = await Promise.all(this.all(name).map((p) => p.stop('SIGTERM')));
        codes[name] = exits.find((c) => c !== 0) ?? 0;
      }),
    );
    return codes;
  }
}
