import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DynamicModule, Inject, Injectable, Logger, Module } from '@nestjs/common';
import {
  type CompiledPolicy,
  type LearnedContext,
  LearnedRouter,
  type ModelSpec,
  PolicyError,
  parsePolicy,
} from '@switchyard/routing';

export const POLICY_STORE_OPTIONS = Symbol('POLICY_STORE_OPTIONS');

export interface PolicyStoreOptions {
  /** Path of the policy YAML, relative to the working directory or absolute. */
  file: string;
}

/** A policy with what it needs loaded: the learned router's artifact, when it enables one. */
export interface LoadedPolicy {
  policy: CompiledPolicy;
  learned?: LearnedContext;
}

/**
 * Reads and compiles a policy file and loads the learned router it names (path relative to the policy
 * file). A missing or invalid file or artifact is a PolicyError naming the file and the field.
 */
export function loadPolicyFile(file: string): LoadedPolicy {
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
        (learned ? `, learned router ${learned.router.version}` : ''),
    );
  }

  current(): CompiledPolicy {
    return this.loaded.policy;
  }

  /** The learned level, when the policy enables it. */
  learned(): LearnedContext | undefined {
    return this.loaded.learned;
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
