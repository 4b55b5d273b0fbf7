import type { Command } from 'commander';
import type { ServiceName } from '@switchyard/launcher';
import { REQUEST_ID_PATTERN, REQUEST_ID_RULE, feedbackRequestSchema } from '@switchyard/contracts';
import { runChat } from '../chat/chat.command';
import { runDemo } from '../demo/demo.command';
import { runFeedback } from '../feedback/feedback.command';
import { runSchema } from '../schema/schema.command';
import { runServe } from '../serve/serve.command';
import type { CliContext } from './cli-context';
import { booleanWord, intIn, matching, positiveInt, serviceList } from './option-parsers';
import { UsageError } from './usage.error';

const URL_HELP = 'the HTTP door, ingress (default: env SWITCHYARD_URL, else http://127.0.0.1:3000)';
const KEY_HELP = 'a tenant key (default: env SWITCHYARD_API_KEY)';

interface DoorFlags {
  url?: string;
  apiKey?: string;
  timeoutMs: number;
  json?: boolean;
}

/** serve, demo, and the HTTP door's clients: chat, feedback; schema, the public contracts. */
export function declareServiceCommands(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .summary('run the services in this one process (co-located mode)')
    .description(
      'run services in this one process (co-located mode): hops between them are function calls, not NATS round trips; the public subject, JetStream records and queue groups work as with separate processes',
    )
    .option(
      '--services <list>',
      'all, or a list of ingress,analyzer,decision-engine,provider-adapters,feedback-aggregator,rule-optimizer; each reads the usual environment, and its HTTP port from HTTP_PORT_<SERVICE> (HTTP_PORT_DECISION_ENGINE=...) or its default (default: all)',
      serviceList,
    )
    .action(async (flags: { services?: ServiceName[] }) => {
      ctx.exitCode = await runServe(flags.services ?? serviceList('all'));
    });

  program
    .command('demo')
    .summary('start the six services, send a workload, print where it went and what it cost')
    .description(
      'start the six services, send a mixed workload over NATS and HTTP, print where it went and what it cost',
    )
    .option('--requests <n>', 'requests to send', positiveInt, 400)
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 16)
    .action(async (flags: { requests: number; concurrency: number }) => {
      ctx.exitCode = await runDemo({
        requests: flags.requests,
        concurrency: flags.concurrency,
        natsUrl: ctx.natsUrl,
        redisUrl: ctx.redisUrl,
        mongoServer: ctx.mongoServer,
      });
    });

  program
    .command('chat')
    .summary('send one chat request to the HTTP door and print the answer')
    .description(
      'send one chat request to the HTTP door (POST /v1/chat/completions, OpenAI format) and print the answer; the model, routing method, cost and request id go to stderr',
    )
    .argument('[message...]', 'the user message, its words joined with spaces (default: read from stdin)')
    .option('--model <model>', 'auto lets Switchyard choose', 'auto')
    .option('--system <text>', 'a system message before it')
    .option('--max-tokens <n>', 'the most tokens the answer may take', positiveInt)
    .option('--stream', 'print the answer as it is written (server-sent events)')
    .option('--url <url>', URL_HELP)
    .option('--api-key <key>', KEY_HELP)
    .option('--timeout-ms <n>', 'give up when the whole answer has not come within this', positiveInt, 60000)
    .option('--json', 'print the whole response (OpenAI shape, with switchyard: routing, cost, request id) as JSON')
    .action(
      async (
        words: string[],
        flags: DoorFlags & { model: string; system?: string; maxTokens?: number; stream?: boolean },
      ) => {
        const text = (words.length > 0 ? words.join(' ') : await ctx.io.readStdin()).trim();
        if (text === '') throw new UsageError('chat needs a message: give MESSAGE, or pipe it on stdin');
        ctx.exitCode = await runChat(
          {
            message: text,
            url: flags.url ?? ctx.switchyardUrl,
            apiKey: flags.apiKey ?? ctx.apiKey,
            model: flags.model,
            system: flags.system,
            maxTokens: flags.maxTokens,
            stream: flags.stream === true,
            timeoutMs: flags.timeoutMs,
            json: flags.json === true,
          },
          ctx.io,
        );
      },
    );

  program
    .command('feedback')
    .summary('rate an earlier answer through the HTTP door')
    .description(
      "rate an earlier answer through the HTTP door (POST /v1/feedback): it joins that request's record, for your tenant only",
    )
    .argument(
      '<request-id>',
      "the request (switchyard.requestId of its answer, the x-request-id header, or chat's stderr line)",
      matching(REQUEST_ID_PATTERN, REQUEST_ID_RULE),
    )
    .option('--rating <n>', '1 (bad) to 5 (great)', intIn(1, 5))
    .option('--success <bool>', 'did the answer do the job: true or false', booleanWord)
    .option('--comment <text>', 'a note, up to 2000 characters')
    .option('--url <url>', URL_HELP)
    .option('--api-key <key>', KEY_HELP)
    .option('--timeout-ms <n>', 'give up when no answer has come within this', positiveInt, 10000)
    .option('--json', 'print the answer ({ ok, feedbackId, requestId }) as JSON')
    .action(async (requestId: string, flags: DoorFlags & { rating?: number; success?: boolean; comment?: string }) => {
      if (flags.rating === undefined && flags.success === undefined)
        throw new UsageError('feedback needs --rating 1-5, --success true|false, or both');
      const parsed = feedbackRequestSchema.safeParse({
        requestId,
        ...(flags.rating === undefined ? {} : { rating: flags.rating }),
        ...(flags.success === undefined ? {} : { success: flags.success }),
        ...(flags.comment === undefined ? {} : { comment: flags.comment }),
      });
      if (!parsed.success)
        throw new UsageError(
          parsed.error.issues.map((i) => `--${i.path.map(String).join('.')}: ${i.message}`).join('; '),
        );
      ctx.exitCode = await runFeedback(
        {
          feedback: parsed.data,
          url: flags.url ?? ctx.switchyardUrl,
          apiKey: flags.apiKey ?? ctx.apiKey,
          timeoutMs: flags.timeoutMs,
          json: flags.json === true,
        },
        ctx.io,
      );
    });

  program
    .command('schema')
    .summary('the public NATS contracts as JSON Schema (docs/schemas/)')
    .description(
      'the public NATS contracts (router.request.v1, router.feedback.v1, …: what is sent, what comes back) as JSON Schema, for clients in other languages; committed under docs/schemas/',
    )
    .option('--out <dir>', 'write one file per schema here instead of printing them as one JSON object')
    .option('--json', 'with --out: print the files written as JSON')
    .action((flags: { out?: string; json?: boolean }) => {
      ctx.exitCode = runSchema({ out: flags.out, json: flags.json === true }, ctx.io);
    });
}
