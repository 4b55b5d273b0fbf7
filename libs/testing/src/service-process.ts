import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait-for';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

/** A free TCP port on loopback, from the OS. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * One built service (`dist/apps/<name>/main.js`) run as its own process, the way a user runs it, with its
 * output kept for failure messages.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];
  exitCode: number | null = null;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.exitCode = null;
    const child = spawn(process.execPath, ['--enable-source-maps', join(WORKSPACE_ROOT, 'dist', 'apps', this.name, 'main.js')], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, ...this.env, HTTP_PORT: String(this.port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => (this.exitCode = code ?? -1));
    await waitFor(
      `${this.name} /readyz`,
      async () => {
        if (this.exitCode !== null) throw new Error(`${this.name} exited with ${this.exitCode}:\n${this.logs()}`);
        const res = await fetch(`${this.baseUrl}/readyz`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      30_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- ${this.name} output ---\n${this.logs()}`);
    });
  }

  /** Sends the signal and waits for the process to exit; resolves with its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number> {
    const child = this.child;
    if (!child || this.exitCode !== null) return this.exitCode ?? 0;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    return this.exitCode ?? -1;
  }

  logs(): string {
    return this.output.join('').split('\n').slice(-60).join('\n');
  }
}
