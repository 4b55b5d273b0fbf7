import { runCli } from '../program';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `switchyard <argv>` run in this process, as bin/switchyard.js runs it, with its streams captured and its
 * environment and stdin given (nothing of the real process's is read).
 */
export async function runInProcess(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}
