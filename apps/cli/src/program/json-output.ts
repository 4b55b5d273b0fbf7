import { existsSync, readFileSync } from 'node:fs';
import type { CliContext } from './cli-context';

/**
 * Runs a command whose module prints its human report on process.stdout with that report sent to stderr,
 * so that with --json stdout carries only the one JSON document (those modules write to process.stdout
 * themselves; they are not given a stream). The text is kept too, for commands with nothing else to show.
 */
export async function withStdoutOnStderr(
  ctx: CliContext,
  run: () => Promise<number>,
): Promise<{ code: number; text: string }> {
  const original = process.stdout.write;
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const piece = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    text += piece;
    ctx.io.stderr(piece);
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run(), text };
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
 * --json for a command whose module keeps its numbers to itself (the benchmarks print tables): its report
 * goes to stderr, and the document carries the outcome and that report's text.
 */
export async function printReportText(ctx: CliContext, command: string, run: () => Promise<number>): Promise<number> {
  const { code, text } = await withStdoutOnStderr(ctx, run);
  ctx.printJson({
    command,
    ok: code === 0,
    exitCode: code,
    report: text
      .split('\n')
      .map((l) => l.slice(l.lastIndexOf('\r') + 1))
      .filter((l) => l.trim() !== ''),
  });
  return code;
}
