import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { type ChatFailure, HTTP_HEADERS, HTTP_STATUS_BY_CODE, parsePayload } from '@switchyard/contracts';
import { failure, HandleChatRequest } from '../chat/handle-chat-request.usecase';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { SubmitFeedback } from '../feedback/submit-feedback.usecase';
import {
  fromOpenAi,
  openAiChatRequestSchema,
  openAiChunk,
  openAiStreamEnd,
  toOpenAi,
  toOpenAiError,
  toOpenAiStream,
} from './openai-chat.mapper';
import { readJsonBody } from './read-body';

/** The HTTP door: OpenAI-compatible chat completions (`"model": "auto"`) and feedback. */
@Controller('v1')
export class HttpController {
  private readonly logger = new Logger(HttpController.name);

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    private readonly handleChatRequest: HandleChatRequest,
    private readonly submitFeedback: SubmitFeedback,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const requestId = header(req, HTTP_HEADERS.requestId);
    try {
      const body = parsePayload(
        openAiChatRequestSchema,
        await readJsonBody(req, this.config.MAX_REQUEST_BYTES, this.config.BODY_TIMEOUT_MS),
        'request',
      );
      const payload = fromOpenAi(body, { requestId, tenant: header(req, HTTP_HEADERS.tenant) });
      const command = { payload, authorization: header(req, 'authorization') };
      if (body.stream) return await this.stream(res, command);
      const reply = await this.handleChatRequest.execute(command);
      if (!reply.ok) return sendFailure(res, reply);
      send(res, 200, toOpenAi(reply), reply.requestId);
    } catch (err) {
      sendFailure(res, failure(err, requestId, this.logger));
    }
  }

  /**
   * Server-sent events as the model writes: the first piece opens the stream. Until then a failure (and
   * any fallback to another model) is an ordinary error answer; after it, an error event ends the stream.
   */
  private async stream(res: ServerResponse, command: { payload: unknown; authorization?: string }): Promise<void> {
    let started = false;
    const reply = await this.handleChatRequest.execute(command, (d) => {
      if (!started) {
        startStream(res, d.requestId);
        res.write(openAiChunk(d.requestId, d.model, { role: 'assistant', content: '' }, null));
        started = true;
      }
      res.write(openAiChunk(d.requestId, d.model, { content: d.delta }, null));
    });
    if (!reply.ok) {
      if (!started) return sendFailure(res, reply);
      res.end(`data: ${JSON.stringify(toOpenAiError(reply.error, reply.requestId))}\n\n`);
      return;
    }
    if (!started) startStream(res, reply.requestId);
    for (const event of started ? openAiStreamEnd(reply) : toOpenAiStream(reply)) res.write(event);
    res.end();
  }

  @Post('feedback')
  async feedback(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    try {
      const payload = await readJsonBody(req, this.config.MAX_REQUEST_BYTES, this.config.BODY_TIMEOUT_MS);
      const reply = await this.submitFeedback.execute({
        payload,
        authorization: header(req, 'authorization'),
        tenant: header(req, HTTP_HEADERS.tenant),
      });
      if (reply.ok) return send(res, 202, reply);
      sendFailure(res, reply);
    } catch (err) {
      sendFailure(res, failure(err, undefined, this.logger));
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value || undefined;
}

function send(res: ServerResponse, status: number, body: unknown, requestId?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  if (requestId) headers[HTTP_HEADERS.requestId] = requestId;
  res.writeHead(status, headers).end(text);
}

function startStream(res: ServerResponse, requestId: string): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    [HTTP_HEADERS.requestId]: requestId,
  });
}

export function sendFailure(res: ServerResponse, reply: ChatFailure): void {
  if (reply.error.retryAfterSeconds !== undefined)
    res.setHeader('retry-after', String(Math.ceil(reply.error.retryAfterSeconds)));
  // The rest of a stalled body would never come: the connection cannot carry another request.
  if (reply.error.code === 'request_timeout') res.setHeader('connection', 'close');
  send(res, HTTP_STATUS_BY_CODE[reply.error.code], toOpenAiError(reply.error, reply.requestId), reply.requestId);
}
