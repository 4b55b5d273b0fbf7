import { CliContext } from './cli-context';
import { printReportText, withStdoutOnStderr } from './json-output';

function context() {
  const written = { stdout: '', stderr: '' };
  const ctx = new CliContext({
    stdout: (t) => (written.stdout += t),
    stderr: (t) => (written.stderr += t),
    readStdin: async () => '',
    env: {},
  });
  return { ctx, written };
}

describe(withStdoutOnStderr.name, () => {
  it('sends what a command writes on process.stdout to stderr, keeps it, and puts stdout back', async () => {
    const { ctx, written } = context();
    const original = process.stdout.write;
    const sut = await withStdoutOnStderr(ctx, async () => {
      process.stdout.write('table\n');
      process.stdout.write(Buffer.from('row\n'));
      return 3;
    });
    expect(sut).toEqual({ code: 3, text: 'table\nrow\n' });
    expect(written).toEqual({ stdout: '', stderr: 'table\nrow\n' });
    expect(process.stdout.write).toBe(original);
  });

  it('puts stdout back when the command throws', async () => {
    const { ctx } = context();
    const original = process.stdout.write;
    await expect(
      withStdoutOnStderr(ctx, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(process.stdout.write).toBe(original);
  });
});

describe(printReportText.name, () => {
  it('prints one document with the outcome and the lines of the report, a progress bar at its last state', async () => {
    const { ctx, written } = context();
    const code = await printReportText(ctx, 'bench decision', async () => {
      process.stdout.write('[##  ] 50%\r[####] 100%\n\np50 12 µs\n');
      return 0;
    });
    expect(code).toBe(0);
    expect(JSON.parse(written.stdout)).toEqual({
      command: 'bench decision',
      ok: true,
      exitCode: 0,
      report: ['[####] 100%', 'p50 12 µs'],
    });
  });
});
