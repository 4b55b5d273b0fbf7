import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ServiceProcess, findWorkspaceRoot, freePort, freePorts } from './service-process';

describe(findWorkspaceRoot.name, () => {
  it('finds the directory holding nx.json', () => {
    expect(findWorkspaceRoot(__dirname)).toBe(join(__dirname, '..', '..', '..'));
  });
  it('says where it looked when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'noroot-'));
    expect(() => findWorkspaceRoot(dir)).toThrow(`no nx.json above ${dir}`);
  });
});

describe(ServiceProcess.name, () => {
  it('refuses to start a service that was not built, naming the file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ws-'));
    const sut = new ServiceProcess('ingress', await freePort(), {}, root);
    await expect(sut.start()).rejects.toThrow(`${join(root, 'dist/apps/ingress/main.js')} is missing`);
  });
});

describe(freePorts.name, () => {
  it('gives distinct ports that can be listened on', async () => {
    const ports = await freePorts(12);
    expect(new Set(ports).size).toBe(12);
    for (const port of ports) {
      const server = createServer();
      server.listen(port, '127.0.0.1');
      await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
