import type { CanaryAuto, LearningSettings } from './policy.schema';

/**
 * The policy documents the learning loop publishes, made from the document in force (as parsed from its
 * YAML, before defaults). Versions are `<root>+<what>`, where root is the version before any `+`, so they
 * stay short however many releases follow each other.
 */
export function rootVersion(version: string): string {
  return version.split('+')[0];
}

/**
 * The policy a newly trained router would serve: the one in force with its learned level on that router
 * (cost-aware, the learning settings' cost weight), taking the place of the difficulty bands (rules still
 * come first), no canary of its own.
 */
export function withStoredRouter(
  document: Record<string, unknown>,
  modelVersion: string,
  settings: Pick<LearningSettings, 'costWeight'>,
): Record<string, unknown> {
  const doc = structuredClone(document);
  delete doc['canary'];
  const learned: Record<string, unknown> = { enabled: true, model: modelVersion, mode: 'cost-aware' };
  if (settings.costWeight !== undefined) learned['costWeight'] = settings.costWeight;
  doc['learned'] = learned;
  const difficulty = doc['difficulty'] as Record<string, unknown> | undefined;
  if (difficulty) doc['difficulty'] = { ...difficulty, enabled: false };
  doc['version'] = `${rootVersion(String(document['version']))}+${modelVersion}`;
  return doc;
}

/** The policy in force, serving `candidate` to a share of traffic with an automatic verdict. */
export function withCanary(
  document: Record<string, unknown>,
  candidate: Record<string, unknown>,
  canary: { percent: number; stickyBy: 'tenant' | 'user'; auto: CanaryAuto },
): Record<string, unknown> {
  const doc = structuredClone(document);
  doc['canary'] = { percent: canary.percent, stickyBy: canary.stickyBy, candidate, auto: canary.auto };
  doc['version'] = `${rootVersion(String(document['version']))}+canary-${String(candidate['version'])}`;
  return doc;
}

/** The canary's verdict applied: its candidate alone (promoted), or the policy without its canary (rolled back). */
export function afterCanary(
  document: Record<string, unknown>,
  verdict: 'promote' | 'rollback',
): Record<string, unknown> {
  const canary = document['canary'] as { candidate?: Record<string, unknown> } | undefined;
  if (!canary?.candidate) throw new Error(`policy ${String(document['version'])} has no inline canary candidate`);
  if (verdict === 'promote') return structuredClone(canary.candidate);
  const doc = structuredClone(document);
  delete doc['canary'];
  doc['version'] = `${rootVersion(String(document['version']))}+rollback-${String(canary.candidate['version'])}`;
  return doc;
}
