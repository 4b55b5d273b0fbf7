import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type CanaryArm,
  type CanarySettings,
  type CompiledPolicy,
  DEFAULT_POLICY_TRUST,
  type LearnedContext,
  LearnedRouter,
  PolicyError,
  type PolicyTrust,
  canaryArm,
  parsePolicy,
  policyTrustProblems,
} from '@switchyard/routing';

/** A policy with what it needs loaded: the learned router's artifact, and the canary's candidate policy. */
export interface LoadedPolicy {
  policy: CompiledPolicy;
  learned?: LearnedContext;
  canary?: { settings: CanarySettings; candidate: LoadedPolicy };
}

/** The policy that routes one request, and its canary arm when a canary runs. */
export interface PolicyForRequest {
  policy: CompiledPolicy;
  learned?: LearnedContext;
  arm?: CanaryArm;
}

/** Picks the arm of the canary, if any, for a tenant and user: sticky by hashing, no shared state. */
export function policyForRequest(loaded: LoadedPolicy, tenant: string, user?: string): PolicyForRequest {
  const canary = loaded.canary;
  if (!canary) return { policy: loaded.policy, learned: loaded.learned };
  const key = canary.settings.stickyBy === 'user' && user !== undefined ? `user:${user}` : `tenant:${tenant}`;
  const arm = canaryArm(key, canary.settings.percent, canary.candidate.policy.version);
  const chosen = arm === 'candidate' ? canary.candidate : loaded;
  return { policy: chosen.policy, learned: chosen.learned, arm };
}

/**
 * Reads and compiles a policy file with the learned artifact and canary candidate it names (paths relative
 * to the file). A missing or invalid file, or one that points outside `trust`, is a PolicyError naming the
 * file and the field.
 */
export function loadPolicyFile(file: string, trust: PolicyTrust = DEFAULT_POLICY_TRUST): LoadedPolicy {
  return loadPolicyText(readText(resolve(file)), dirname(resolve(file)), resolve(file), trust);
}

/**
 * Compiles policy text (a file's, or one published on router.policy.updated.v1) with what it names,
 * resolving relative paths against `baseDir`. `source` names the text in errors.
 */
export function loadPolicyText(
  text: string,
  baseDir: string,
  source: string,
  trust: PolicyTrust = DEFAULT_POLICY_TRUST,
): LoadedPolicy {
  const loaded = loadOne(text, baseDir, source, trust);
  const canary = loaded.policy.document.canary;
  if (!canary) return loaded;
  // JSON is YAML: an inline candidate compiles as its text would.
  const [candidate, where, field] =
    canary.candidate !== undefined
      ? [
          loadOne(JSON.stringify(canary.candidate), baseDir, `${source}: canary.candidate`, trust),
          'the inline candidate',
          'canary.candidate',
        ]
      : (() => {
          const file = resolve(baseDir, canary.policy as string);
          return [
            loadOne(readText(file), dirname(file), file, trust),
            `the candidate ${file}`,
            'canary.policy',
          ] as const;
        })();
  const problem = candidate.policy.document.canary
    ? `${where} has a canary of its own; one level only`
    : candidate.policy.version === loaded.policy.version
      ? `the candidate has the same version "${loaded.policy.version}"; give it its own`
      : undefined;
  if (problem) throw new PolicyError([{ field: `${source}: ${field}`, message: problem }]);
  return { ...loaded, canary: { settings: canary, candidate } };
}

/** Reads and compiles a policy file alone (nothing it names is loaded). */
export function readPolicyFile(file: string): CompiledPolicy {
  return compile(readText(resolve(file)), resolve(file));
}

function loadOne(text: string, baseDir: string, source: string, trust: PolicyTrust): LoadedPolicy {
  const policy = compile(text, source);
  const untrusted = policyTrustProblems(policy, trust);
  if (untrusted.length > 0) throw new PolicyError(untrusted.map((p) => ({ ...p, field: `${source}: ${p.field}` })));
  const settings = policy.document.learned;
  if (!settings?.enabled) return { policy };
  const path = resolve(baseDir, settings.artifact);
  let router: LearnedRouter;
  try {
    router = new LearnedRouter(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new PolicyError([
      {
        field: `${source}: learned.artifact`,
        message: `cannot load ${path}: ${(err as Error).message} (train one with: npx switchyard train --dataset FILE --out ${path})`,
      },
    ]);
  }
  if (!router.models.some((m) => policy.models.has(m)))
    throw new PolicyError([
      {
        field: `${source}: learned.artifact`,
        message: `none of the artifact's models (${router.models.join(', ')}) is in the policy`,
      },
    ]);
  return { policy, learned: { router, settings } };
}

function compile(text: string, source: string): CompiledPolicy {
  try {
    return parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyError)
      throw new PolicyError(err.problems.map((p) => ({ ...p, field: `${source}: ${p.field}` })));
    throw err;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError([{ field: '(file)', message: `cannot read policy file ${path}: ${(err as Error).message}` }]);
  }
}
