import { dirname } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  DEAD_LETTER_REASONS,
  STATS_DIMENSIONS,
  type StatsDimension,
  TENANT_PATTERN,
  TENANT_RULE,
} from '@switchyard/contracts';
import { runDeadLetters } from '../dlq/dead-letters.command';
import { runModelsList, runModelsShow } from '../models/models.command';
import { runTenantKeys } from '../keys/tenant-keys.command';
import { runApplySuggestion } from '../policy/apply-suggestion.command';
import { runPublishPolicy } from '../policy/publish-policy.command';
import { runValidatePolicy } from '../policy/validate-policy.command';
import { runReport, runSuggestions } from '../report/report.command';
import { runStats } from '../report/stats.command';
import type { CliContext } from './cli-context';
import { intIn, matching, positiveInt, positiveIntList } from './option-parsers';
import { UsageError } from './usage.error';

const tenantName = matching(TENANT_PATTERN, TENANT_RULE);

function statsDimensions(value: string): StatsDimension[] {
  const dims = value
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const unknown = dims.filter((d) => !(STATS_DIMENSIONS as readonly string[]).includes(d));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`Unknown ${unknown.join(', ')}; use ${STATS_DIMENSIONS.join(', ')}.`);
  return dims as StatsDimension[];
}

/** policy, report, suggestions, stats, models, keys, dlq: operating a running system. */
export function declareOperationCommands(program: Command, ctx: CliContext): void {
  declarePolicy(program, ctx);

  program
    .command('report')
    .summary("the optimizer's newest report (--run: a run now)")
    .description(
      "the optimizer's newest report: spend by model and tenant, quality, the rule review and its suggestions with their evidence (also GET /v1/optimizer/reports/latest and the page /report of rule-optimizer, with an admin key)",
    )
    .option('--run', 'ask rule-optimizer for a run now (over NATS, as the operator) and wait for its report')
    .option('--days <n>', "with --run: the window (default: the service's OPTIMIZER_WINDOW_DAYS)", positiveInt)
    .option('--id <id>', 'a report by id instead of the newest')
    .option('--html <file>', 'also write the report as one HTML file with its charts (works offline)')
    .option('--json', 'the report as JSON')
    .action(async (flags: { run?: boolean; days?: number; id?: string; html?: string; json?: boolean }) => {
      // A stored report's window is the one it was made over.
      if (flags.days !== undefined && !flags.run)
        throw new UsageError('--days sets the window of a run: use it with --run');
      ctx.exitCode = await runReport({
        mongoUri: ctx.mongoUri,
        id: flags.id,
        json: flags.json === true,
        html: flags.html,
        run: flags.run ? { nats: ctx.adminNats(), days: flags.days, timeoutMs: 10 * 60_000 } : undefined,
      });
    });

  program
    .command('suggestions')
    .summary("the rule review's suggestions with their evidence")
    .description("the rule review's suggestions, newest first, with their evidence")
    .addOption(
      new Option('--status <status>', 'which ones').choices(['open', 'applied', 'superseded', 'all']).default('open'),
    )
    .option('--limit <n>', 'at most N', positiveInt, 50)
    .option('--json', 'as JSON')
    .action(async (flags: { status: 'open' | 'applied' | 'superseded' | 'all'; limit: number; json?: boolean }) => {
      ctx.exitCode = await runSuggestions({
        mongoUri: ctx.mongoUri,
        status: flags.status,
        json: flags.json === true,
        limit: flags.limit,
      });
    });

  program
    .command('stats')
    .summary('stats from the rollups, for the key in SWITCHYARD_API_KEY')
    .description(
      "stats from the rollups over NATS (router.stats.query.v1) with the key in SWITCHYARD_API_KEY: a tenant's key reads its own tenant, an admin key any (--tenant) or all",
    )
    .option('--group-by <list>', `of ${STATS_DIMENSIONS.join(', ')}`, statsDimensions, ['model'] as StatsDimension[])
    .option('--days <n>', 'the last N days (default 7), or --from/--to', positiveInt)
    .option('--from <date>', 'window start, ISO date')
    .option('--to <date>', 'window end, ISO date')
    .option('--tenant <t>', 'filter: a tenant (admin key)')
    .option('--model <m>', 'filter: a model')
    .option('--rule <r>', 'filter: a rule')
    .option('--method <m>', 'filter: a routing method')
    .option('--arm <a>', 'filter: a canary arm')
    .option('--json', 'the answer as JSON')
    .action(
      async (flags: {
        groupBy: StatsDimension[];
        days?: number;
        from?: string;
        to?: string;
        tenant?: string;
        model?: string;
        rule?: string;
        method?: string;
        arm?: string;
        json?: boolean;
      }) => {
        const key = ctx.apiKey;
        if (!key)
          throw new UsageError('stats takes a key in SWITCHYARD_API_KEY: a tenant key (its own stats) or an admin key');
        ctx.exitCode = await runStats({
          nats: ctx.adminNats(),
          key,
          json: flags.json === true,
          // Options not given stay out of the query (JSON drops undefined).
          query: {
            groupBy: flags.groupBy,
            days: flags.days,
            from: flags.from,
            to: flags.to,
            tenant: flags.tenant,
            model: flags.model,
            rule: flags.rule,
            method: flags.method,
            arm: flags.arm,
          },
        });
      },
    );

  declareModels(program, ctx);
  declareKeys(program, ctx);
  declareDeadLetters(program, ctx);
}

function declareModels(program: Command, ctx: CliContext): void {
  const models = program
    .command('models')
    .summary('the learned routers of the model store: list, show')
    .description(
      'the learned routers of the model store (MongoDB, MONGODB_URI): the versions a policy serves with learned: { model: VERSION }',
    );
  models
    .command('list')
    .description(
      'the stored routers, newest first: status (candidate, promoted, rejected and why), made when and by what, size',
    )
    .option('--limit <n>', 'at most N (up to 500)', intIn(1, 500), 20)
    .option('--json', 'as JSON')
    .action(async (flags: { limit: number; json?: boolean }) => {
      ctx.exitCode = await runModelsList(
        { mongoUri: ctx.mongoUri, limit: flags.limit, json: flags.json === true },
        ctx,
      );
    });
  models
    .command('show')
    .description("one stored router: its metadata, how it was trained and how it did (the trainer's record)")
    .argument('<version>', 'its version (models list shows them)')
    .option('--json', 'as JSON')
    .action(async (version: string, flags: { json?: boolean }) => {
      ctx.exitCode = await runModelsShow({ mongoUri: ctx.mongoUri, version, json: flags.json === true }, ctx);
    });
}

function declarePolicy(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('routing policies: check, publish, canary a suggestion');

  policy
    .command('validate')
    .description(
      'check a policy file as policy publish and the services would (compiled, within POLICY_KEY_ENV_PREFIX and POLICY_ALLOWED_HOSTS, its learned artifact and canary candidate loaded), offline: no NATS, no MongoDB',
    )
    .argument('<file>', 'the policy (YAML or JSON)')
    .option(
      '--json',
      'print { ok, errors: [{ field, message }], file, version, models, rules, learned?, canary?, notes } as JSON (failed: { ok, errors, file })',
    )
    .action((file: string, flags: { json?: boolean }) => {
      ctx.exitCode = runValidatePolicy({ file, trust: ctx.policyTrust(), json: flags.json === true }, ctx.io);
    });

  policy
    .command('publish')
    .description('validate a policy, keep it in MongoDB and hot-reload it into every replica')
    .argument('<file>', 'the policy (YAML or JSON)')
    .action(async (file: string) => {
      ctx.exitCode = await runPublishPolicy({
        file,
        nats: ctx.adminNats(),
        // Validated as the services will: the same variables, or a policy they refuse would be published.
        trust: ctx.policyTrust(),
        mongoUri: ctx.mongoUri,
      });
    });

  policy
    .command('apply-suggestion')
    .description(
      'publish a suggestion of the rule review as a canary: the current policy (control) with the changed one as candidate on a share of traffic; both are written to --out',
    )
    .argument('<id>', 'the suggestion (see switchyard suggestions)')
    .option('--percent <p>', "the candidate's share of traffic, 1-50 (a canary, not a switch)", intIn(1, 50), 10)
    .addOption(
      new Option('--sticky-by <what>', 'what keeps a caller in one arm').choices(['tenant', 'user']).default('tenant'),
    )
    .option('--policy <file>', 'the policy to change, when the one of the evidence is not stored in MongoDB')
    .option('--out <dir>', 'where the two policies are written', 'out/policies')
    .action(
      async (id: string, flags: { percent: number; stickyBy: 'tenant' | 'user'; policy?: string; out: string }) => {
        ctx.exitCode = await runApplySuggestion({
          suggestionId: id,
          percent: flags.percent,
          stickyBy: flags.stickyBy,
          policyFile: flags.policy,
          policyDir: dirname(ctx.policyFile),
          outDir: flags.out,
          nats: ctx.adminNats(),
          trust: ctx.policyTrust(),
          mongoUri: ctx.mongoUri,
        });
      },
    );
}

function declareKeys(program: Command, ctx: CliContext): void {
  const keys = program
    .command('keys')
    .summary('tenant API keys: create, list, revoke')
    .description('tenant API keys: stored as hashes in MongoDB, every ingress replica told of a change at once');
  const env = () => ({ mongoUri: ctx.mongoUri, nats: ctx.adminNats() });

  keys
    .command('create')
    .description('a tenant API key, printed once (stored as a hash in MongoDB)')
    .requiredOption('--tenant <t>', 'the tenant it names', tenantName)
    .option('--name <n>', 'what it is for')
    .option('--admin', 'it may also read what spans tenants (optimizer reports)')
    .action(async (flags: { tenant: string; name?: string; admin?: boolean }) => {
      ctx.exitCode = await runTenantKeys(
        { action: 'create', tenant: flags.tenant, name: flags.name, admin: flags.admin === true },
        env(),
      );
    });

  keys
    .command('list')
    .description('keys by id, tenant, prefix and state (never the key)')
    .option('--tenant <t>', "one tenant's", tenantName)
    .option('--json', 'one JSON object per key and line (not one document)')
    .action(async (flags: { tenant?: string; json?: boolean }) => {
      ctx.exitCode = await runTenantKeys({ action: 'list', tenant: flags.tenant, json: flags.json === true }, env());
    });

  keys
    .command('revoke')
    .description('every ingress replica stops accepting it at once')
    .argument('<key-id>', 'the key (see switchyard keys list)')
    .action(async (keyId: string) => {
      ctx.exitCode = await runTenantKeys({ action: 'revoke', keyId }, env());
    });
}

interface DeadLetterFlags {
  seq?: number[];
  all?: boolean;
  reason?: string;
  limit?: number;
  json?: boolean;
}

function declareDeadLetters(program: Command, ctx: CliContext): void {
  const dlq = program
    .command('dlq')
    .summary('events feedback-aggregator could not store: list, replay, drop')
    .description(
      'events feedback-aggregator could not store (invalid, failing every delivery, feedback for a request with no record), kept in the ROUTER_DEADLETTER stream with why',
    );
  const selection = (command: Command) =>
    command
      .option('--seq <list>', 'the letters to act on, N[,N...] (see dlq list)', positiveIntList)
      .option('--all', 'every letter (with --reason, every letter of that reason)')
      .addOption(reasonOption());
  const reasonOption = () => new Option('--reason <r>', 'only letters of this reason').choices(DEAD_LETTER_REASONS);
  const run = async (action: 'list' | 'replay' | 'drop', flags: DeadLetterFlags) => {
    if (action !== 'list' && !flags.seq && !flags.all)
      throw new UsageError(`dlq ${action} needs --seq N[,N...] or --all`);
    ctx.exitCode = await runDeadLetters({
      action,
      nats: ctx.adminNats(),
      seqs: flags.seq ?? [],
      all: flags.all === true,
      reason: flags.reason,
      limit: flags.limit ?? 50,
      json: flags.json === true,
    });
  };

  dlq
    .command('list')
    .description('the letters, newest last, with why')
    .option('--seq <list>', 'only these letters, N[,N...]', positiveIntList)
    .addOption(reasonOption())
    .option('--limit <n>', 'the newest N', positiveInt, 50)
    .option('--json', 'one JSON object per letter and line (not one document), its payload decoded')
    .action((flags: DeadLetterFlags) => run('list', flags));
  selection(dlq.command('replay').description('put letters back on their subject once the cause is fixed')).action(
    (flags: DeadLetterFlags) => run('replay', flags),
  );
  selection(dlq.command('drop').description('discard letters')).action((flags: DeadLetterFlags) => run('drop', flags));
}
