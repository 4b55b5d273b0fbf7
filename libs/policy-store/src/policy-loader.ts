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
  learnedContext,
  parsePolicy,
  policyTrustProblems,
} from '@switchyard/routing';

/**
 * Learned routers of the model store, already fetched (by version): the loader is synchronous, so the
 * watcher fetches what a policy names first (`storedModelsNamedBy`) and hands them over.
 */
export type StoredRouterLookup = (version: string) => LearnedRouter | undefined;

export interface LoadOptions {
  /**
   * The fetched model-store routers; without it a policy naming `learned.model` is refused. `unchecked`:
   * such a policy's learned level is left unloaded (and unchecked), the rest checked as usual (a check made
   * before the store can be read: decision-engine's at start, `switchyard policy validate`).
   */
  stored?: StoredRouterLookup | 'unchecked';
  /**
   * `skip`: the learned level is not loaded (services that do not route, like provider-adapters, need the
   * models and prices only, not megabytes of weights).
   */
  learned?: 'load' | 'skip';
}

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
export function loadPolicyFile(
  file: string,
  trust: PolicyTrust = DEFAULT_POLICY_TRUST,
  options: LoadOptions = {},
): LoadedPolicy {
  return loadPolicyText(readText(resolve(file)), dirname(resolve(file)), resolve(file), trust, options);
}

/**
 * The model-store versions a policy text names (`learned.model`, its own and its canary candidate's: inline,
 * or a file relative to `baseDir` when given), for the caller to fetch before loading it. A text or candidate
 * file that does not parse or read names none (loading it reports why).
 */
export function storedModelsNamedBy(text: string, baseDir?: string): string[] {
  let doc: CompiledPolicy['document'];
  try {
    doc = parsePolicy(text).document;
  } catch {
    return [];
  }
  const named = doc.learned?.enabled && doc.learned.model ? [doc.learned.model] : [];
  if (doc.canary?.candidate) named.push(...storedModelsNamedBy(JSON.stringify(doc.canary.candidate)));
  else if (doc.canary?.policy !== undefined && baseDir !== undefined) {
    const file = resolve(baseDir, doc.canary.policy);
    let candidate: string | undefined;
    try {
      candidate = readFileSync(file, 'utf8');
    } catch {
      // Loading the policy says the candidate cannot be read.
    }
    if (candidate !== undefined) named.push(...storedModelsNamedBy(candidate, dirname(file)));
  }
  return [...new Set(named)];
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
  options: LoadOptions = {},
): LoadedPolicy {
  const loaded = loadOne(text, baseDir, source, trust, options);
  const canary = loaded.policy.document.canary;
  if (!canary) return loaded;
  // JSON is YAML: an inline candidate compiles as its text would.
  const [candidate, where, field] =
    canary.candidate !== undefined
      ? [
          loadOne(JSON.stringify(canary.candidate), baseDir, `${source}: canary.candidate`, trust, options),
          'the inline candidate',
          'canary.candidate',
        ]
      : (() => {
          const file = resolve(baseDir, canary.policy as string);
          return [
            loadOne(readText(file), dirname(file), file, trust, options),
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

function loadOne(
  text: string,
  baseDir: string,
  source: string,
  trust: PolicyTrust,
  options: LoadOptions,
): LoadedPolicy {
  const policy = compile(text, source);
  const untrusted = policyTrustProblems(policy, trust);
  if (untrusted.length > 0) throw new PolicyError(untrusted.map((p) => ({ ...p, field: `${source}: ${p.field}` })));
  const settings = policy.document.learned;
  if (!settings?.enabled || options.learned === 'skip') return { policy };
  if (settings.model !== undefined && options.stored === 'unchecked') return { policy };
  const [router, field] =
    settings.model !== undefined
      ? [storedRouter(settings.model, source, options.stored), 'learned.model']
      : [fileRouter(resolve(baseDir, settings.artifact as string), source), 'learned.artifact'];
  if (!router.models.some((m) => policy.models.has(m)))
    throw new PolicyError([
      {
        field: `${source}: ${field}`,
        message: `none of the router's models (${router.models.join(', ')}) is in the policy`,
      },
    ]);
  if (settings.mode === 'classifier' && !router.hasClassifier)
    throw new PolicyError([
      {
        field: `${source}: learned.mode`,
        message: `router ${router.version} has no classifier (it was trained from partial labels); use mode cost-aware`,
      },
    ]);
  try {
    // Every profile's knob is resolved now too: one the router cannot serve refuses the policy, not a request.
    return { policy, learned: learnedContext(router, settings, policy.document.profiles) };
  } catch (err) {
    const message = (err as Error).message;
    const field = message.startsWith('profiles.') ? message.slice(0, message.indexOf(':')) : 'learned.target';
    throw new PolicyError([{ field: `${source}: ${field}`, message }]);
  }
}

function fileRouter(path: string, source: string): LearnedRouter {
  try {
    return new LearnedRouter(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new PolicyError([
      {
        field: `${source}: learned.artifact`,
        message: `cannot load ${path}: ${(err as Error).message} (train one with: npx switchyard train --dataset FILE --out ${path})`,
      },
    ]);
  }
}

function storedRouter(version: string, source: string, stored: LoadOptions['stored']): LearnedRouter {
  if (stored === 'unchecked') throw new Error('unreachable: an unchecked stored router is not loaded');
  const router = stored?.(version);
  if (router) return router;
  throw new PolicyError([
    {
      field: `${source}: learned.model`,
      message: stored
        ? `model ${version} could not be loaded from the model store (see the log for why; list them with: npx switchyard models list)`
        : `model ${version} is in the model store, which this process does not read (decision-engine reads it, with MONGODB_URI: as its POLICY_FILE, or published with npx switchyard policy publish FILE)`,
    },
  ]);
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
