import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { type ChatFailure, HTTP_HEADERS, RouterError } from '@switchyard/contracts';
import { traceHttpRequest } from '@switchyard/observability';
import { RequestMetrics } from '@switchyard/observability';
import { failure, HandleChatRequest } from '../chat/handle-chat-request.usecase';
import { INGRESS_CONFIG, type IngressConfig, SERVICE } from '../config';
import { SubmitFeedback } from '../feedback/submit-feedback.usecase';
import { ListModels, toAnthropicModels, toOpenAiModel, toOpenAiModels } from '../models/list-models.usecase';
import {
  fromOpenAi,
  openAiChatRequestSchema,
  openAiChunk,
  openAiDelta,
  openAiStreamEnd,
  toOpenAi,
  toOpenAiError,
  toOpenAiStream,
} from './openai-chat.mapper';
import { type ChatDoorDeps, type ChatDoorFormat, sendDoorFailure, serveChat } from './chat-door';
import { header, sendJson } from './http-reply';
import { readJsonBody } from './read-body';

/** The HTTP door, OpenAI style: chat completions (`"model"`: `auto`, a profile or a pinned model), the model list and feedback. */
@Controller('v1')
export class HttpController {
  private readonly logger = new Logger(HttpController.name);

  private readonly door: ChatDoorDeps;

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    handleChatRequest: HandleChatRequest,
    private readonly submitFeedback: SubmitFeedback,
    private readonly listModels: ListModels,
    metrics: RequestMetrics,
  ) {
    this.door = { config, handleChatRequest, metrics, logger: this.logger };
  }

  @Post('chat/completions')
  chatCompletions(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    return traceHttpRequest(SERVICE, '/v1/chat/completions', req, res, () =>
      serveChat(OPENAI_CHAT_DOOR, this.door, req, res),
    );
  }

  /** The names a caller may give as `model`: `auto`, the policy's profiles (`auto:cheap`) and its models. */
  @Get('models')
  async models(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    try {
      const list = await this.listModels.execute({
        tenant: header(req, HTTP_HEADERS.tenant),
        authorization: header(req, 'authorization'),
      });
      // Anthropic's SDKs send anthropic-version and parse their own list shape.
      sendJson(res, 200, header(req, 'anthropic-version') ? toAnthropicModels(list) : toOpenAiModels(list));
    } catch (err) {
      sendFailure(res, failure(err, undefined, this.logger));
    }
  }

  @Get('models/:id')
  async model(@Req() req: IncomingMessage, @Res() res: ServerResponse, @Param('id') id: string): Promise<void> {
    try {
      const list = await this.listModels.execute({
        tenant: header(req, HTTP_HEADERS.tenant),
        authorization: header(req, 'authorization'),
      });
      const found = list.models.find((m) => m.id === id);
      if (!found)
        throw new RouterError(
          'not_found',
          `no model "${id}" under policy ${list.policyVersion}: see GET /v1/models`,
          'model',
        );
      sendJson(res, 200, toOpenAiModel(found, list.policyVersion));
    } catch (err) {
      sendFailure(res, failure(err, undefined, this.logger));
    }
  }

  @Post('feedback')
  feedback(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    return traceHttpRequest(SERVICE, '/v1/feedback', req, res, () => this.submit(req, res));
  }

  private async submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const payload = await readJsonBody(req, this.config.MAX_REQUEST_BYTES, this.config.BODY_TIMEOUT_MS);
      const reply = await this.submitFeedback.execute({
        payload,
        authorization: header(req, 'authorization'),
        tenant: header(req, HTTP_HEADERS.tenant),
      });
      if (reply.ok) return sendJson(res, 202, reply);
      sendFailure(res, reply);
    } catch (err) {
      sendFailure(res, failure(err, undefined, this.logger));
    }
  }
}

/** Chat completions, OpenAI's wire format. */
const OPENAI_CHAT_DOOR: ChatDoorFormat<typeof openAiChatRequestSchema> = {
  door: 'http-openai',
  schema: openAiChatRequestSchema,
  toRequest: fromOpenAi,
  authorization: (req) => header(req, 'authorization'),
  answer: toOpenAi,
  error: (reply) => toOpenAiError(reply.error, reply.requestId),
  streamOf: (body) => {
    if (!body.stream) return undefined;
    const includeUsage = body.stream_options?.include_usage === true;
    return {
      open: (d) => [openAiChunk(d.requestId, d.model, { role: 'assistant', content: '' }, null)],
      delta: (d) => [openAiChunk(d.requestId, d.model, openAiDelta(d), null)],
      failed: (reply) => `data: ${JSON.stringify(toOpenAiError(reply.error, reply.requestId))}\n\n`,
      end: (reply, started) => (started ? openAiStreamEnd(reply, includeUsage) : toOpenAiStream(reply, includeUsage)),
    };
  },
};

/** A failure in OpenAI's error shape, with the status and headers its code calls for. */
export function sendFailure(res: ServerResponse, reply: ChatFailure): void {
  sendDoorFailure(OPENAI_CHAT_DOOR, res, reply);
}
