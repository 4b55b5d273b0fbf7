import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = join(__dirname, '../../..');

/**
 * kustomize itself (the CLI `kubectl apply -k` embeds), built from the Go module proxy at this version: its
 * own go.sum pins every dependency, so the binary is the released one. v5.8.2 is the newest that builds with
 * Go 1.26 (v5.8.3 wants 1.27); kubectl 1.32 embeds v5.5.0, and the overlays use nothing newer than that.
 */
export const KUSTOMIZE_VERSION = 'v5.8.2';

/** The validators' Go module (tools/deploy-check/go): strict Kubernetes decoding and compose-go. */
const GO_MODULE = join(ROOT, 'tools/deploy-check/go');

/** Where built tools are kept between runs: scripts/infra.sh keeps FerretDB there too. */
export function cacheDir(): string {
  const base =
    process.env['SWITCHYARD_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'switchyard');
  return join(base, 'bin');
}

/**
 * A first build downloads modules and compiles for about half a minute each on two idle cores (four minutes for
 * both with the machine loaded by other work); this bounds each.
 */
const BUILD_TIMEOUT_MS = 8 * 60_000;

async function goVersion(): Promise<string> {
  try {
    const { stdout } = await run('go', ['version'], { timeout: 30_000 });
    return stdout.trim();
  } catch (err) {
    throw new Error(
      'deploy-check needs Go (1.26 or newer) to build kustomize and its validators once, from the Go module proxy; ' +
        `none runs here (${(err as Error).message}). Install Go (https://go.dev/doc/install) or put it on PATH.`,
    );
  }
}

/** Builds into a scratch directory, then renames into place: a concurrent run never sees half a binary. */
async function buildOnce(
  target: string,
  build: (outDir: string) => Promise<void>,
  binaryName: string,
): Promise<string> {
  if (existsSync(target)) return target;
  await goVersion();
  mkdirSync(cacheDir(), { recursive: true });
  const scratch = mkdtempSync(join(cacheDir(), '.build-'));
  try {
    await build(scratch);
    renameSync(join(scratch, binaryName), target);
  } catch (err) {
    const e = err as Error & { stderr?: string; killed?: boolean };
    const why = e.killed ? `timed out after ${BUILD_TIMEOUT_MS / 1000} s` : (e.stderr?.trim() ?? e.message);
    throw new Error(`building ${target} failed: ${why}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return target;
}

// GOTOOLCHAIN=local: never download another Go; an old one fails here with go.mod's requirement in the message.
const goEnv = (extra: Record<string, string>) => ({
  ...process.env,
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-mod=readonly',
  ...extra,
});

/** The cached kustomize binary, built on first use. */
export function kustomizeBinary(): Promise<string> {
  return buildOnce(
    join(cacheDir(), `kustomize-${KUSTOMIZE_VERSION}`),
    async (outDir) => {
      await run('go', ['install', `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], {
        cwd: outDir,
        env: goEnv({ GOBIN: outDir }),
        timeout: BUILD_TIMEOUT_MS,
      });
    },
    'kustomize',
  );
}

/** The cached deploy-check binary, named by a hash of its sources: an edited validator is built again. */
export function deployCheckBinary(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of readdirSync(GO_MODULE).sort())
    if (/\.go$|^go\.(mod|sum)$/.test(file)) hash.update(file).update(readFileSync(join(GO_MODULE, file)));
  return buildOnce(
    join(cacheDir(), `deploy-check-${hash.digest('hex').slice(0, 16)}`),
    async (outDir) => {
      await run('go', ['build', '-trimpath', '-o', join(outDir, 'deploy-check'), '.'], {
        cwd: GO_MODULE,
        env: goEnv({}),
        timeout: BUILD_TIMEOUT_MS,
      });
    },
    'deploy-check',
  );
}

/** Runs a built tool; resolves with its output whatever its exit code (the reports carry their verdict). */
export async function runTool(
  binary: string,
  args: string[],
  options: { input?: string; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      args,
      { cwd: options.cwd ?? ROOT, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (err && code === -1) reject(new Error(`${binary} ${args.join(' ')}: ${err.message}\n${stderr}`));
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
