import { type ServiceName, findInstallRoot, serveColocated } from '@switchyard/launcher';

/**
 * `switchyard serve --services all|LIST`: the named services in this process until a signal stops them
 * (the process then exits with their shutdown's status, so this never resolves).
 */
export async function runServe(names: ServiceName[]): Promise<number> {
  await serveColocated(names, { root: findInstallRoot(__dirname), env: process.env });
  process.stderr.write(`switchyard serve: ${names.join(', ')} running in process ${process.pid}\n`);
  return new Promise<number>(() => undefined);
}
