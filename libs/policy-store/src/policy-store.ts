import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DynamicModule, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { type CompiledPolicy, type ModelSpec, PolicyError, parsePolicy } from '@switchyard/routing';

export const POLICY_STORE_OPTIONS = Symbol('POLICY_STORE_OPTIONS');

export interface PolicyStoreOptions {
  /** Path of the policy YAML, relative to the working directory or absolute. */
  file: string;
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
  private policy: CompiledPolicy;

  constructor(@Inject(POLICY_STORE_OPTIONS) options: PolicyStoreOptions) {
    this.policy = readPolicyFile(options.file);
    this.logger.log(
      `policy ${this.policy.version} loaded from ${options.file}: ${this.policy.models.size} models, ${this.policy.rules.length} rules`,
    );
  }

  current(): CompiledPolicy {
    return this.policy;
  }

  model(id: string): ModelSpec | undefined {
    return this.policy.models.get(id);
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
