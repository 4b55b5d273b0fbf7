import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { killAndWait } from './accepts-connections';
import { startServer } from './start-server';

/** The password variables deploy/k8s/nats/nats-server.conf reads, one per user. */
export const NATS_PASSWORD_VARIABLES = {
  ingress: 'NATS_INGRESS_PASSWORD',
  analyzer: 'NATS_ANALYZER_PASSWORD',
  'decision-engine': 'NATS_DECISION_ENGINE_PASSWORD',
  'provider-adapters': 'NATS_PROVIDER_ADAPTERS_PASSWORD',
  'feedback-aggregator': 'NATS_FEEDBACK_AGGREGATOR_PASSWORD',
  'rule-optimizer': 'NATS_RULE_OPTIMIZER_PASSWORD',
  'all-in-one': 'NATS_ALL_IN_ONE_PASSWORD',
  admin: 'NATS_ADMIN_PASSWORD',
  demo: 'NATS_TENANT_DEMO_PASSWORD',
} as const;

export type NatsUser = keyof typeof NATS_PASSWORD_VARIABLES;

/**
 * A nats-server of a test's own (the installed binary) on free loopback ports, with a configuration file
 * and a JetStream store of its own, started with fresh random passwords for every user of the file. Extra
 * command-line flags (TLS) go in `args`.
 */
export class TemporaryNats {
  private child: ChildProcess | undefined;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'nats-js-'));
  readonly passwords: Record<NatsUser, string>;
  port = 0;
  private output = '';

  constructor(
    private readonly configFile: string,
    private readonly args: string[] = [],
  ) {
    this.passwords = Object.fromEntries(
      // nats-server reads a variable's value as a configuration token: a value starting with a digit is taken for a
      // number and fails to parse. Passwords start with a letter (deploy/README.md says the same).
      Object.keys(NATS_PASSWORD_VARIABLES).map((user) => [user, `p${randomBytes(12).toString('hex')}`]),
    ) as Record<NatsUser, string>;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** What the server printed (permission violations are logged there too). */
  logs(): string {
    return this.output;
  }

  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [user, variable] of Object.entries(NATS_PASSWORD_VARIABLES))
      env[variable] = this.passwords[user as NatsUser];
    const { child, port } = await startServer({
      name: 'nats-server',
      spawn: (port) => {
        this.output = '';
        const child = spawn(
          'nats-server',
          // `-m -1`: the configuration's fixed monitoring port (8222) is replaced by one the OS picks, so two servers
          // of tests, or a server already on the machine, never collide on it.
          [
            '-c',
            this.configFile,
            '-a',
            '127.0.0.1',
            '-p',
            String(port),
            '-m',
            '-1',
            '-sd',
            this.storeDir,
            ...this.args,
          ],
          { env, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const append = (d: Buffer) => (this.output += d.toString());
        child.stdout?.on('data', append);
        child.stderr?.on('data', append);
        return child;
      },
    });
    this.child = child;
    this.port = port;
  }

  async stop(): Promise<void> {
    await killAndWait(this.child, 'SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
