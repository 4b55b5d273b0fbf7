import { Command, CommanderError } from 'commander';
import { CliContext, type CliIo, processIo } from './program/cli-context';
import { declareBenchCommands } from './program/bench.commands';
import { declareLearningCommands } from './program/learning.commands';
import { declareOperationCommands } from './program/operations.commands';
import { packageVersion } from './program/package-version';
import { declareServiceCommands } from './program/service.commands';
import { UsageError } from './program/usage.error';

/** A command line that cannot run as given: an unknown command or option, a bad value, a missing argument. */
export const USAGE_EXIT_CODE = 2;

const ENVIRONMENT = `
Environment: NATS_URL, REDIS_URL, MONGODB_URI and the NATS credential variables, as for the services;
SWITCHYARD_URL and SWITCHYARD_API_KEY for chat, feedback, stats and bench pipeline.
Every command that prints a result takes --json: one JSON document on stdout, progress on stderr.
Exit codes: 0 done, 1 failed, 2 bad command line.`;

/** The `switchyard` command line, its output going to `ctx.io`. A program parses once: build one per run. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('switchyard')
    .description('Switchyard, an LLM router: run its services, talk to it, train and evaluate routers, operate it')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Settings first: each subcommand copies them when it is declared.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout(text),
      writeErr: (text) => ctx.io.stderr(text),
      outputError: (text, write) => write(`switchyard: ${oneLine(text)}\n`),
    })
    .showSuggestionAfterError()
    .addHelpText('after', ENVIRONMENT);
  declareServiceCommands(program, ctx);
  declareLearningCommands(program, ctx);
  declareBenchCommands(program, ctx);
  declareOperationCommands(program, ctx);
  return program;
}

/**
 * Runs `switchyard <argv>` in this process and resolves with its exit code: 0 done (help and --version
 * too), 1 the command failed, 2 the command line was wrong (said in one line on stderr).
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx = new CliContext(io);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    // Commander has already said what was wrong (or shown the help a bare group asks for).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    if (err instanceof UsageError) {
      ctx.err(`switchyard: ${oneLine(err.message)}`);
      return USAGE_EXIT_CODE;
    }
    ctx.err(`switchyard: ${(err as Error).message}`);
    return 1;
  }
}

/** `error: unknown command 'chta'\n(Did you mean chat?)` -> `unknown command 'chta' (Did you mean chat?)`. */
function oneLine(text: string): string {
  return text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ');
}
