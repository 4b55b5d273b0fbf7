import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { type ChatFailure, HTTP_HEADERS, RouterError, parsePayload } from '@switchyard/contracts';
import { traceHttpRequest } from '@switchyard/observability';
import { RequestMetrics } from '@switchyard/observability';
import { type ChatRequestCommand, failure, HandleChatRequest } from '../chat/handle-chat-request.usecase';
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
import { header, sendFailureAs, sendJson, startEventStream } from './http-reply';
import { readJsonBody } from './read-body';
import { readRequestIdHeaders } from './request-id-headers';

/** The HTTP door, OpenAI style: chat completions (`"model"`: `auto`, a profile or a pinned model), the model list and feedback. */
@Controller('v1')
export class HttpController {
  private readonly logger = new Logger(HttpController.name);

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    private readonly handleChatRequest: HandleChatRequest,
    private readonly submitFeedback: SubmitFeedback,
    private readonly listModels: ListModels,
    private readonly metrics: RequestMetrics,
  ) {}

  @Post('chat/completions')
  chatCompletions(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    return traceHttpRequest(SERVICE, '/v1/chat/completions', req, res, () => this.completions(req, res));
  }

  private async completions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let requestId = header(req, HTTP_HEADERS.requestId);
    let command: ChatRequestCommand | undefined; // set: the use case counts the request in the metrics
    try {
      // Before the body is read: an SDK's body is digested as it arrives (its retries are matched by it).
      const ids = readRequestIdHeaders(req);
      requestId = ids.requestId;
      const body = parsePayload(
        openAiChatRequestSchema,
        await readJsonBody(req, this.config.MAX_REQUEST_BYTES, this.config.BODY_TIMEOUT_MS),
        'request',
      );
      const payload = fromOpenAi(body, { requestId, tenant: header(req, HTTP_HEADERS.tenant) });
      command = {
        payload,
        authorization: header(req, 'authorization'),
        sdkAttempt: ids.sdkAttempt(),
        door: 'http-openai',
      };
      if (body.stream) return await this.stream(res, command, body.stream_options?.include_usage === true);
      const reply = await this.handleChatRequest.execute(command);
      if (!reply.ok) return sendFailure(res, reply);
      sendJson(res, 200, toOpenAi(reply), reply.requestId);
    } catch (err) {
      const reply = failure(err, requestId, this.logger);
      if (!command) this.metrics.answered('http-openai', reply);
      sendFailure(res, reply);
    }
  }

  /**
   * Server-sent events as the model writes: the first piece opens the stream. Until then a failure (and
   * any fallback to another model) is an ordinary error answer; after it, an error event ends the stream.
   */
  private async stream(res: ServerResponse, command: ChatRequestCommand, includeUsage: boolean): Promise<void> {
    let started = false;
    const reply = await this.handleChatRequest.execute(command, (d) => {
      if (!started) {
        startEventStream(res, d.requestId);
        res.write(openAiChunk(d.requestId, d.model, { role: 'assistant', content: '' }, null));
        started = true;
      }
      res.write(openAiChunk(d.requestId, d.model, openAiDelta(d), null));
    });
    if (!reply.ok) {
      if (!started) return sendFailure(res, reply);
      res.end(`data: ${JSON.stringify(toOpenAiError(reply.error, reply.requestId))}\n\n`);
      return;
    }
    if (!started) startEventStream(res, reply.requestId);
    for (const event of started ? openAiStreamEnd(reply, includeUsage) : toOpenAiStream(reply, includeUsage))
      res.write(event);
    res.end();
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

/** A failure in OpenAI's error shape, with the status and headers its code calls for. */
export function sendFailure(res: ServerResponse, reply: ChatFailure): void {
  sendFailureAs(res, reply, toOpenAiError(reply.error, reply.requestId));
}
