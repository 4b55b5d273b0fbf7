import type { ConnectionOptions } from '@nats-io/transport-node';
import { natsConnectionOptions } from '@switchyard/messaging';
import { policyTrustEnvSchema, policyTrustOf } from '@switchyard/policy-store';
import type { PolicyTrust } from '@switchyard/routing';
import { loadConfig, natsAuthEnvSchema } from '@switchyard/runtime';

/** Where the CLI writes and reads: the process's streams and environment, or a test's. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The whole of standard input (`chat` without MESSAGE). */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      if (process.stdin.isTTY) process.stderr.write('reading the message from stdin (end it with Ctrl-D)\n');
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
  };
}

/**
 * What every command is given: the streams, and the servers' addresses read from the same variables as the
 * services' (with their defaults), each read only when a command needs it so a bad variable fails only the
 * commands that use it.
 */
export class CliContext {
  /** What the command that ran asks the process to exit with. */
  exitCode = 0;

  constructor(readonly io: CliIo) {}

  out(line = ''): void {
    this.io.stdout(`${line}\n`);
  }

  err(line: string): void {
    this.io.stderr(`${line}\n`);
  }

  /** The one JSON document a command prints with --json. */
  printJson(value: unknown): void {
    this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  get natsUrl(): string {
    return this.io.env['NATS_URL'] || 'nats://127.0.0.1:4222';
  }

  get redisUrl(): string {
    return this.io.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
  }

  get mongoUri(): string {
    return this.io.env['MONGODB_URI'] || 'mongodb://127.0.0.1:27017/switchyard';
  }

  /** The MongoDB server without a database: commands that make databases of their own name them. */
  get mongoServer(): string {
    return (this.io.env['MONGODB_URI'] || 'mongodb://127.0.0.1:27017').replace(/^(mongodb(\+srv)?:\/\/[^/]+).*$/, '$1');
  }

  /** The HTTP door (ingress; its HTTP_PORT defaults to 3000). */
  get switchyardUrl(): string {
    return this.io.env['SWITCHYARD_URL'] || 'http://127.0.0.1:3000';
  }

  get apiKey(): string | undefined {
    return this.io.env['SWITCHYARD_API_KEY'] || undefined;
  }

  get policyFile(): string {
    return this.io.env['POLICY_FILE'] || 'policies/default.yaml';
  }

  /**
   * The operator's NATS identity for the commands that change the system (policy publish, keys, dlq): the
   * same variables as the services' (NATS_USER/NATS_PASSWORD of the admin user, NATS_TOKEN,
   * NATS_NKEY_SEED_FILE, NATS_CREDS_FILE, NATS_TLS_*).
   */
  adminNats(): ConnectionOptions {
    return natsConnectionOptions(
      this.natsUrl,
      'switchyard-cli',
      loadConfig('switchyard', natsAuthEnvSchema, this.io.env),
    );
  }

  /** What a policy may point at, from the services' variables: a policy they would refuse is refused here. */
  policyTrust(): PolicyTrust {
    return policyTrustOf(loadConfig('switchyard', policyTrustEnvSchema, this.io.env));
  }
}
