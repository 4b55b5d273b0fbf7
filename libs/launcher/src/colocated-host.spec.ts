import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInstallRoot, parseServiceList } from './colocated-host';
import { SERVICE_NAMES, portVariableOf } from './service-stack';

describe(parseServiceList.name, () => {
  it('takes all, or a list started in the stack order whatever its own', () => {
    expect(parseServiceList('all')).toEqual([...SERVICE_NAMES]);
    expect(parseServiceList('provider-adapters, ingress')).toEqual(['ingress', 'provider-adapters']);
  });

  it('names what it does not know, and what it takes', () => {
    expect(() => parseServiceList('ingress,router')).toThrow(/unknown service router; use all or a list of ingress,/);
    expect(() => parseServiceList(' , ')).toThrow(/no service named/);
  });
});

describe(portVariableOf.name, () => {
  it('names one variable per service', () => {
    expect(SERVICE_NAMES.map(portVariableOf)).toEqual([
      'HTTP_PORT_INGRESS',
      'HTTP_PORT_ANALYZER',
      'HTTP_PORT_DECISION_ENGINE',
      'HTTP_PORT_PROVIDER_ADAPTERS',
      'HTTP_PORT_FEEDBACK_AGGREGATOR',
      'HTTP_PORT_RULE_OPTIMIZER',
    ]);
  });
});

describe(findInstallRoot.name, () => {
  it('finds the folder with the built services above the CLI bundle, without nx.json (an image)', () => {
    const root = mkdtempSync(join(tmpdir(), 'install-root-'));
    mkdirSync(join(root, 'dist', 'apps', 'cli'), { recursive: true });
    expect(findInstallRoot(join(root, 'dist', 'apps', 'cli'))).toBe(root);
    expect(() => findInstallRoot(tmpdir())).toThrow(/no dist\/apps above/);
  });
});
