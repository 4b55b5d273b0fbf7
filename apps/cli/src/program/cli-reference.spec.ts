import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_REFERENCE_UPDATE_COMMAND, cliReference } from './cli-reference';

const FILE = join(__dirname, '..', '..', '..', '..', 'docs', 'cli.md');

describe('docs/cli.md', () => {
  const generated = cliReference();

  it('is what the command line prints for --help, command by command', () => {
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(FILE, generated);
    const committed = readFileSync(FILE, 'utf8');
    if (committed !== generated)
      throw new Error(
        `docs/cli.md differs from the command line's help; bring it up to date with: ${CLI_REFERENCE_UPDATE_COMMAND}`,
      );
  });

  it('holds every command and subcommand, with its options', () => {
    for (const heading of ['## switchyard eval', '## switchyard policy publish', '## switchyard bench gateway'])
      expect(generated).toContain(`\n${heading}\n`);
    expect(generated).toMatch(
      /## switchyard simulate\n\n```text\nUsage: switchyard simulate \[options\][\s\S]*--start-router/,
    );
    expect(generated).not.toContain('## switchyard help');
  });
});
