import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The Nx workspace this code runs from (source under jest, or a bundle under dist/). */
export function findWorkspaceRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${start}: run from the Switchyard workspace`);
  }
}

/** A free TCP port on loopback, from the OS. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `count` distinct free ports on 127.0.0.1. All are held open until every one is known: the OS may hand out a
 * port again once it is closed, and two services given the same port would answer each other's readiness
 * probe (a stack once took analyzer's /readyz for ingress's, and sent requests before ingress was up).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    for (const server of servers) {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(
      servers.map(async (server) => {
        if (!server.listening) return;
        server.close();
        await once(server, 'close');
      }),
    );
  }
}

/**
 * One built service (`dist/apps/<name>/main.js`) run as its own process, the way a user runs it, with its
 * output kept for failure messages.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private exit: number | null = null;

  /**
   * `launch`: another command than the service's own bundle, ready when every URL answers (a co-located
   * host). `host`: this service runs inside that host process; starting, stopping and logs are the host's.
   * `nodeArgs`: flags for node itself (`--cpu-prof`, which node does not take from NODE_OPTIONS).
   */
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly root: string = findWorkspaceRoot(),
    private readonly launch?: { main: string; args: string[]; readyUrls: string[] },
    private readonly host?: ServiceProcess,
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get exitCode(): number | null {
    return this.host ? this.host.exitCode : this.exit;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The OS process id while it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    if (this.host) return this.host.pid;
    return this.exitCode === null ? this.child?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.host) return;
    this.exit = null;
    const main = this.launch?.main ?? join(this.root, 'dist', 'apps', this.name, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build the services first (npm run build)`);
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', ...this.nodeArgs, main, ...(this.launch?.args ?? [])],
      {
        cwd: this.root,
        env: { ...process.env, ...this.env, HTTP_PORT: String(this.port), HTTP_HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => (this.exit = code ?? -1));
    const deadline = Date.now() + 30_000;
    const waiting = new Set(this.launch?.readyUrls ?? [`${this.baseUrl}/readyz`]);
    for (;;) {
      if (this.exitCode !== null)
        throw new Error(`${this.name} exited with ${this.exitCode} before it was ready:\n${this.logs()}`);
      for (const url of [...waiting]) if ((await fetch(url).catch(() => undefined))?.ok) waiting.delete(url);
      if (waiting.size === 0) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after 30 s:\n${this.logs()}`);
      await sleep(100);
    }
  }

  /** Sends the signal and waits for the process to exit; resolves with its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number> {
    if (this.host) return this.host.stop(signal, timeoutMs);
    // Several callers (the services of one co-located host) wait for the same exit, signalled once.
    this.stopping ??= this.signalAndWait(signal, timeoutMs).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private stopping: Promise<number> | undefined;

  private async signalAndWait(signal: NodeJS.Signals, timeoutMs: number): Promise<number> {
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
    if (this.host) return this.host.logs();
    return this.output.join('').split('\n').slice(-60).join('\n');
  }
}
