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
SWITCHYARD_URL for chat and feedback (the HTTP door); SWITCHYARD_API_KEY for chat, feedback, stats and
bench pipeline. Every command that prints a result takes --json: one JSON document on stdout, progress on
stderr (keys list and dlq list: one per line; the commands that act rather than report take none).
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
  checkRequiredOptionsLast(program);
  return program;
}

/**
 * Commander checks required options before unknown ones, so `train --bogus` said `--dataset` was missing and
 * never named `--bogus`. Each required option is checked instead just before its command's action, after the
 * unknown ones (the same message and exit code; `requiredOption` still declares them).
 */
function checkRequiredOptionsLast(command: Command): void {
  const required = command.options.filter((o) => o.mandatory);
  for (const option of required) option.makeOptionMandatory(false);
  if (required.length > 0)
    command.hook('preAction', (self) => {
      for (const option of required)
        if (self.getOptionValue(option.attributeName()) === undefined)
          throw new UsageError(`required option '${option.flags}' not specified`);
    });
  for (const sub of command.commands) checkRequiredOptionsLast(sub);
}

/**
 * Runs `switchyard <argv>` in this process and resolves with its exit code: 0 done (help and --version
 * too), 1 the command failed, 2 the command line was wrong (said in one line on stderr).
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx = new CliContext(io);
  // With --json a failure is a document too, after the line on stderr: stdout never ends up empty.
  const failed = (code: number, message: string): number => {
    const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    if (options.includes('--json')) ctx.printJson({ ok: false, exitCode: code, error: message });
    return code;
  };
  try {
    const program = buildProgram(ctx);
    // `help <command>` of a command there is not: commander would print the whole help and never name it.
    const [first, asked] = argv;
    if (first === 'help' && asked !== undefined && !program.commands.some((c) => c.name() === asked))
      throw new UsageError(`unknown command '${asked}' (switchyard --help lists them)`);
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    // Commander has already said what was wrong (or shown the help a bare group asks for).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : failed(USAGE_EXIT_CODE, oneLine(err.message));
    if (err instanceof UsageError) {
      ctx.err(`switchyard: ${oneLine(err.message)}`);
      return failed(USAGE_EXIT_CODE, oneLine(err.message));
    }
    ctx.err(`switchyard: ${(err as Error).message}`);
    return failed(1, (err as Error).message);
  }
}

/** `error: unknown command 'chta'\n(Did you mean chat?)` -> `unknown command 'chta' (Did you mean chat?)`. */
function oneLine(text: string): string {
  return text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ');
}
