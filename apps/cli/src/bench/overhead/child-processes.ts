import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { freePort } from '@switchyard/launcher';
import { ECHO_READY } from './echo-server';

/** A helper process the benchmark owns: its output kept for error messages, stopped with SIGTERM. */
class OwnedProcess {
  private readonly output: string[] = [];
  private exitCode: number | null = null;
  private spawnError: Error | undefined;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 200) this.output.splice(0, 50);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => (this.exitCode = code ?? -1));
    child.on('error', (err) => (this.spawnError = err));
  }

  /** Polls `ready` until it holds; throws if the process ends or fails to spawn first, or after 15 s. */
  async waitUntil(ready: () => Promise<boolean> | boolean): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (this.spawnError) throw new Error(`${this.name} did not start: ${this.spawnError.message}`);
      if (this.exitCode !== null) throw new Error(`${this.name} exited with ${this.exitCode}:\n${this.logs()}`);
      if (await ready()) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after 15 s:\n${this.logs()}`);
      await sleep(50);
    }
  }

  logs(): string {
    return this.output.join('').split('\n').slice(-30).join('\n');
  }

  async stop(): Promise<void> {
    if (this.exitCode !== null || this.spawnError || this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A nats-server (with JetStream) of the benchmark's own on a free port: the stack's subjects, queue groups,
 * streams and published policies cannot mix with anything else running on the shared server (tests, the
 * demo, another engineer's services all use the same subject names).
 */
export async function startPrivateNats(): Promise<{ url: string; pid?: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new OwnedProcess('nats-server', child);
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await proc.waitUntil(async () => {
      const nc = await connect({ servers: url, reconnect: false }).catch(() => undefined);
      await nc?.close();
      return nc !== undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid, stop };
}

/** The raw echo (`switchyard bench echo`) as a separate node process, ready when it says so. */
export async function startEchoProcess(
  cliEntry: string,
  natsUrl: string,
  subject: string,
): Promise<{ pid?: number; stop: () => Promise<void> }> {
  const { pid, stop } = await startHelperProcess(
    'NATS echo',
    process.execPath,
    [cliEntry, 'bench', 'echo', '--subject', subject],
    { ...process.env, NATS_URL: natsUrl },
    (stdout) => (stdout.includes(ECHO_READY) ? true : undefined),
  );
  return { pid, stop };
}

/**
 * A helper process the benchmark owns (an echo, an upstream, a peer gateway), ready once `ready` returns
 * a value: it is handed everything the process has printed on stdout so far, and may poll the process from
 * outside too. Stopped (SIGTERM) if it exits or is not ready within 15 s.
 */
export async function startHelperProcess<T>(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (stdout: string) => Promise<T | undefined> | T | undefined,
): Promise<{ pid?: number; ready: T; stop: () => Promise<void> }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Only until it is ready: a helper that logs every request must not grow this string for the whole run.
  let stdout = '';
  let found: T | undefined;
  const collect = (chunk: Buffer) => {
    if (found === undefined) stdout += chunk.toString();
  };
  child.stdout?.on('data', collect);
  const proc = new OwnedProcess(name, child);
  try {
    await proc.waitUntil(async () => {
      found = await ready(stdout);
      return found !== undefined;
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  child.stdout?.off('data', collect);
  return { pid: child.pid, ready: found as T, stop: () => proc.stop() };
}
