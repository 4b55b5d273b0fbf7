import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess, findWorkspaceRoot, freePort } from './service-process';

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
