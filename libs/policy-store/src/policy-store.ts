import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DynamicModule, Inject, Injectable, Logger, Module } from '@nestjs/common';
import {
  type CanaryArm,
  type CanarySettings,
  type CompiledPolicy,
  type LearnedContext,
  LearnedRouter,
  type ModelSpec,
  PolicyError,
  canaryArm,
  parsePolicy,
} from '@switchyard/routing';

export const POLICY_STORE_OPTIONS = Symbol('POLICY_STORE_OPTIONS');

export interface PolicyStoreOptions {
  /** Path of the policy YAML, relative to the working directory or absolute. */
  file: string;
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
 * Reads and compiles a policy file and loads the learned router it names (path relative to the policy
 * file). A missing or invalid file or artifact is a PolicyError naming the file and the field.
 */
export function loadPolicyFile(file: string): LoadedPolicy {
  const loaded = loadOnePolicy(file);
  const canary = loaded.policy.document.canary;
  if (!canary) return loaded;
  const candidateFile = resolve(dirname(resolve(file)), canary.policy);
  const candidate = loadOnePolicy(candidateFile);
  if (candidate.policy.document.canary)
    throw new PolicyError([
      {
        field: `${resolve(file)}: canary.policy`,
        message: `the candidate ${candidateFile} has a canary of its own; one level only`,
      },
    ]);
  if (candidate.policy.version === loaded.policy.version)
    throw new PolicyError([
      {
        field: `${resolve(file)}: canary.policy`,
        message: `the candidate has the same version "${loaded.policy.version}"; give it its own`,
      },
    ]);
  return { ...loaded, canary: { settings: canary, candidate } };
}

function loadOnePolicy(file: string): LoadedPolicy {
  const policy = readPolicyFile(file);
  const settings = policy.document.learned;
  if (!settings?.enabled) return { policy };
  const path = resolve(dirname(resolve(file)), settings.artifact);
  let router: LearnedRouter;
  try {
    router = new LearnedRouter(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new PolicyError([
      {
        field: `${resolve(file)}: learned.artifact`,
        message: `cannot load ${path}: ${(err as Error).message} (train one with: npx switchyard train --dataset FILE --out ${path})`,
      },
    ]);
  }
  const unknown = router.models.filter((m) => !policy.models.has(m));
  if (unknown.length === router.models.length)
    throw new PolicyError([
      {
        field: `${resolve(file)}: learned.artifact`,
        message: `none of the artifact's models (${router.models.join(', ')}) is in the policy`,
      },
    ]);
  return { policy, learned: { router, settings } };
}

/** Reads and compiles a policy file; a missing or invalid file is a PolicyError naming the file and fields. */
export function readPolicyFile(file: string): CompiledPolicy {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError([{ field: '(file)', message: `cannot read policy file ${path}: ${(err as Error).message}` }]);
  }
  try {
    return parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyError)
      throw new PolicyError(err.problems.map((p) => ({ ...p, field: `${path}: ${p.field}` })));
    throw err;
  }
}

/** The routing policy in force in this process. */
@Injectable()
export class PolicyStore {
  private readonly logger = new Logger(PolicyStore.name);
  private readonly loaded: LoadedPolicy;

  constructor(@Inject(POLICY_STORE_OPTIONS) options: PolicyStoreOptions) {
    this.loaded = loadPolicyFile(options.file);
    const { policy, learned } = this.loaded;
    this.logger.log(
      `policy ${policy.version} loaded from ${options.file}: ${policy.models.size} models, ${policy.rules.length} rules` +
        (learned ? `, learned router ${learned.router.version}` : '') +
        (this.loaded.canary
          ? `, canary ${this.loaded.canary.candidate.policy.version} at ${this.loaded.canary.settings.percent}%`
          : ''),
    );
  }

  current(): CompiledPolicy {
    return this.loaded.policy;
  }

  /** The learned level, when the policy enables it. */
  learned(): LearnedContext | undefined {
    return this.loaded.learned;
  }

  /** The policy (control or canary candidate) that routes a request of this tenant and user. */
  forRequest(tenant: string, user?: string): PolicyForRequest {
    return policyForRequest(this.loaded, tenant, user);
  }

  model(id: string): ModelSpec | undefined {
    return this.loaded.policy.models.get(id);
  }
}

@Module({})
export class PolicyStoreModule {
  static forRoot(options: PolicyStoreOptions): DynamicModule {
    return {
      exports: [PolicyStore],
      global: true,
      module: PolicyStoreModule,
      providers: [PolicyStore, { provide: POLICY_STORE_OPTIONS, useValue: options }],
    };
  }
}
