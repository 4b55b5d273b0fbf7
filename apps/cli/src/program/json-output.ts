import { existsSync, readFileSync } from 'node:fs';
import type { CliContext } from './cli-context';

/**
 * Runs a command whose module prints its human report on process.stdout with that report sent to stderr,
 * so that with --json stdout carries only the one JSON document (those modules write to process.stdout
 * themselves; they are not given a stream).
 */
export async function withStdoutOnStderr(ctx: CliContext, run: () => Promise<number>): Promise<{ code: number }> {
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    ctx.io.stderr(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run() };
  } finally {
    process.stdout.write = original;
  }
}

/** A result file a command wrote (eval's results.json, simulate.json…), parsed; undefined when it is not there. */
export function readJsonFile(file: string): unknown {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined;
}

/**
 * --json for a command whose result is a file it writes: its report goes to stderr, then the file's
 * content to stdout (`{ ok: false, exitCode }` when it failed before writing it).
 */
export async function printResultFile(ctx: CliContext, file: string, run: () => Promise<number>): Promise<number> {
  const { code } = await withStdoutOnStderr(ctx, run);
  const result = code === 0 ? readJsonFile(file) : undefined;
  ctx.printJson(result ?? { ok: false, exitCode: code });
  return code;
}

/**
 * --json for a command whose module returns its numbers (the benchmarks): its report goes to stderr, and
 * the document carries the outcome and that result (null when the command failed before measuring).
 */
export async function printCommandResult(
  ctx: CliContext,
  command: string,
  run: () => Promise<{ exitCode: number; result?: unknown }>,
): Promise<number> {
  let result: unknown;
  const { code } = await withStdoutOnStderr(ctx, async () => {
    const outcome = await run();
    result = outcome.result;
    return outcome.exitCode;
  });
  ctx.printJson({ command, ok: code === 0, exitCode: code, result: result ?? null });
  return code;
}
