import { CliContext } from './cli-context';
import { printCommandResult, withStdoutOnStderr } from './json-output';

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
  it('sends what a command writes on process.stdout to stderr and puts stdout back', async () => {
    const { ctx, written } = context();
    const original = process.stdout.write;
    const sut = await withStdoutOnStderr(ctx, async () => {
      process.stdout.write('table\n');
      process.stdout.write(Buffer.from('row\n'));
      return 3;
    });
    expect(sut).toEqual({ code: 3 });
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

describe(printCommandResult.name, () => {
  it('prints one document with the outcome and the result, the report on stderr', async () => {
    const { ctx, written } = context();
    const code = await printCommandResult(ctx, 'bench decision', async () => {
      process.stdout.write('p50 0.012 ms\n');
      return { exitCode: 0, result: { latency: { p50Ms: 0.012 } } };
    });
    expect(code).toBe(0);
    expect(JSON.parse(written.stdout)).toEqual({
      command: 'bench decision',
      ok: true,
      exitCode: 0,
      result: { latency: { p50Ms: 0.012 } },
    });
    expect(written.stderr).toBe('p50 0.012 ms\n');
  });

  it('says the command failed, with a null result, when it failed before measuring', async () => {
    const { ctx, written } = context();
    const code = await printCommandResult(ctx, 'bench soak', async () => ({ exitCode: 1 }));
    expect(code).toBe(1);
    expect(JSON.parse(written.stdout)).toEqual({ command: 'bench soak', ok: false, exitCode: 1, result: null });
  });
});
