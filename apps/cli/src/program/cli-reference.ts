import type { Command } from 'commander';
import { buildProgram } from '../program';
import { CliContext } from './cli-context';

/** The width the reference is wrapped at, whatever the terminal (the file must not depend on who made it). */
const REFERENCE_HELP_WIDTH = 100;

/** How docs/cli.md is brought up to date with the command line. */
export const CLI_REFERENCE_UPDATE_COMMAND =
  'UPDATE_DOCS=1 npx jest -c apps/cli/jest.config.js apps/cli/src/program/cli-reference.spec.ts';

/**
 * docs/cli.md: every command's help as `switchyard <command> --help` prints it (its options, defaults and
 * the text after them), in the order `switchyard --help` lists them, subcommands after their group.
 */
export function cliReference(): string {
  let captured = '';
  const ctx = new CliContext({
    stdout: (text) => {
      captured += text;
    },
    stderr: () => undefined,
    readStdin: async () => '',
    env: {},
  });
  const program = buildProgram(ctx);
  const sections: Array<{ path: string; help: string }> = [];
  const visit = (command: Command, path: string): void => {
    command.configureOutput({ ...command.configureOutput(), getOutHelpWidth: () => REFERENCE_HELP_WIDTH });
    captured = '';
    command.outputHelp();
    sections.push({ path, help: captured.trimEnd() });
    for (const sub of command.commands) visit(sub, `${path} ${sub.name()}`);
  };
  visit(program, 'switchyard');
  const anchor = (path: string) => path.replace(/ /g, '-');
  return [
    '# Command-line reference',
    '',
    '<!-- Generated from the command line itself; do not edit. npm test fails while this file and the',
    `help differ; bring it up to date with: ${CLI_REFERENCE_UPDATE_COMMAND} -->`,
    '',
    'Every command of `npx switchyard` (after `npm run build`), with what `--help` prints for it: its',
    'arguments, its options with their defaults, and the notes after them.',
    '',
    ...sections.map(({ path }) => `${'  '.repeat(path.split(' ').length - 1)}- [${path}](#${anchor(path)})`),
    '',
    ...sections.flatMap(({ path, help }) => [`## ${path}`, '', '```text', help, '```', '']),
  ].join('\n');
}
