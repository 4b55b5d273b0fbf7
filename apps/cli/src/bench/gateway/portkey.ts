import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchyard/launcher';
import { startHelperProcess } from '../overhead/child-processes';

export const PORTKEY_PACKAGE = '@portkey-ai/gateway';
export const PORTKEY_DEFAULT_VERSION = '1.15.2';
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** Where a version is installed: a folder of its own under the temp dir, reused by the next run. */
export function portkeyDir(version: string): string {
  return join(tmpdir(), `switchyard-bench-portkey-${version}`);
}

/** The package's Node server (its `start:node` script), with --headless (no UI) and --port=N. */
function portkeyEntry(dir: string): string {
  return join(dir, 'node_modules', ...PORTKEY_PACKAGE.split('/'), 'build', 'start-server.js');
}

/**
 * The headers that make Portkey forward a chat completion to an OpenAI-compatible server at `baseUrl` (its
 * "custom host"; loopback is on its default trusted list) with the same key Switchyard's adapter sends.
 */
export function portkeyHeaders(baseUrl: string, apiKey: string): Record<string, string> {
  return {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': baseUrl,
    authorization: `Bearer ${apiKey}`,
  };
}

/**
 * Installs the pinned gateway into its temp folder with npm (never a dependency of this project; its install
 * scripts are not run), or finds it there from an earlier run. Resolves with why not when it cannot (no npm,
 * no registry): the benchmark then runs without that row.
 */
export async function installPortkey(
  version: string,
  out: (line: string) => void,
): Promise<{ entry: string } | { skipped: string }> {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version))
    return {
      skipped: `--portkey-version must be an exact version such as ${PORTKEY_DEFAULT_VERSION}, got "${version}"`,
    };
  const dir = portkeyDir(version);
  const entry = portkeyEntry(dir);
  if (installedVersion(dir) === version && existsSync(entry)) {
    out(`Portkey gateway ${version}: already installed in ${dir}`);
    return { entry };
  }
  mkdirSync(dir, { recursive: true });
  const args = [
    'install',
    '--no-save',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--fetch-retries=1',
    '--prefix',
    dir,
    `${PORTKEY_PACKAGE}@${version}`,
  ];
  out(`Portkey gateway ${version}: npm ${args.join(' ')}`);
  const result = await run('npm', args, INSTALL_TIMEOUT_MS, (line) => out(`  npm: ${line}`));
  if (result !== undefined) return { skipped: `installing ${PORTKEY_PACKAGE}@${version} failed: ${result}` };
  if (installedVersion(dir) !== version || !existsSync(entry))
    return { skipped: `npm finished but ${entry} is not there` };
  out(`Portkey gateway ${version}: installed`);
  return { entry };
}

/** Starts the gateway on a free loopback port; ready when it answers HTTP. */
export async function startPortkey(entry: string): Promise<{ url: string; pid?: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { pid, stop } = await startHelperProcess(
    'Portkey gateway',
    process.execPath,
    [entry, '--headless', `--port=${port}`],
    process.env,
    async () =>
      (await fetch(`${url}/`)
        .then((r) => r.ok)
        .catch(() => false))
        ? true
        : undefined,
  );
  return { url, pid, stop };
}

function installedVersion(dir: string): string | undefined {
  try {
    const pkg = JSON.parse(
      readFileSync(join(dir, 'node_modules', ...PORTKEY_PACKAGE.split('/'), 'package.json'), 'utf8'),
    ) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command, passing on its output line by line; resolves undefined on success, or why it failed. */
function run(
  command: string,
  args: string[],
  timeoutMs: number,
  onLine: (line: string) => void,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // npm's first error line says what went wrong; its last one only where the debug log is.
    let why = '';
    const lines = (chunk: Buffer) => {
      for (const raw of chunk.toString().split('\n')) {
        const line = raw.trim();
        if (line === '') continue;
        if (!why && /\berr(or)?\b/i.test(line) && !/complete log of this run/i.test(line)) why = line;
        onLine(line);
      }
    };
    child.stdout?.on('data', lines);
    child.stderr?.on('data', lines);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(undefined);
      else if (signal) resolve(`npm stopped by ${signal} after ${Math.round(timeoutMs / 1000)} s`);
      else resolve(`npm exited with ${code ?? '?'}${why ? `: ${why}` : ''}`);
    });
  });
}
