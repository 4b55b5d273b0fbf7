import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@nestjs/common';
import {
  type ChatDelta,
  type ChatFailure,
  type ChatRequest,
  type ChatSuccess,
  HTTP_HEADERS,
  parsePayload,
} from '@switchyard/contracts';
import type { Door, RequestMetrics } from '@switchyard/observability';
import type { z } from 'zod';
import { type ChatRequestCommand, type HandleChatRequest, failure } from '../chat/handle-chat-request.usecase';
import type { IngressConfig } from '../config';
import { header, sendFailureAs, sendJson, startEventStream } from './http-reply';
import { readJsonBody } from './read-body';
import { readRequestIdHeaders } from './request-id-headers';

/** The server-sent events of one streamed answer, in a door's wire format. */
export interface DoorStream {
  /** The events that open the stream, written with the first piece. */
  open(first: ChatDelta): Iterable<string>;
  delta(piece: ChatDelta): Iterable<string>;
  /** The last event when the request fails after the stream opened (the status is already 200). */
  failed(reply: ChatFailure): string;
  /** The closing events: after pieces (`started`), or the whole answer when none came (a replayed answer). */
  end(reply: ChatSuccess, started: boolean): Iterable<string>;
}

/**
 * What makes a chat door one API's rather than another's: its request schema and how that maps to a
 * ChatRequest, where its key comes from, and its answer, error and stream shapes. The rest (request ids, the
 * body read within limits, the use case, streaming, failures with their status and retry headers, metrics)
 * is the same for every door and lives in `serveChat`.
 */
export interface ChatDoorFormat<S extends z.ZodType> {
  door: Door;
  schema: S;
  toRequest(body: z.infer<S>, hints: { requestId?: string; tenant?: string }): ChatRequest;
  authorization(req: IncomingMessage): string | undefined;
  answer(reply: ChatSuccess): unknown;
  error(reply: ChatFailure): unknown;
  /** Headers beside the answer, its error and its stream (Anthropic's `request-id`). */
  headers?(requestId: string): Record<string, string>;
  /** The stream writer when the body asks for a stream, else undefined. */
  streamOf(body: z.infer<S>): DoorStream | undefined;
}

export interface ChatDoorDeps {
  config: IngressConfig;
  handleChatRequest: HandleChatRequest;
  metrics: RequestMetrics;
  logger: Logger;
}

/** A failure in the door's error shape, with the status and headers its code calls for. */
export function sendDoorFailure<S extends z.ZodType>(
  format: ChatDoorFormat<S>,
  res: ServerResponse,
  reply: ChatFailure,
): void {
  sendFailureAs(res, reply, format.error(reply), reply.requestId ? (format.headers?.(reply.requestId) ?? {}) : {});
}

/** One chat request through a door: read, map, route, answer (or stream), and any failure in the door's shape. */
export async function serveChat<S extends z.ZodType>(
  format: ChatDoorFormat<S>,
  deps: ChatDoorDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let requestId = header(req, HTTP_HEADERS.requestId);
  let command: ChatRequestCommand | undefined; // set: the use case counts the request in the metrics
  try {
    // Before the body is read: an SDK's body is digested as it arrives (its retries are matched by it).
    const ids = readRequestIdHeaders(req);
    requestId = ids.requestId;
    const body = parsePayload(
      format.schema,
      await readJsonBody(req, deps.config.MAX_REQUEST_BYTES, deps.config.BODY_TIMEOUT_MS),
      'request',
    );
    command = {
      payload: format.toRequest(body, { requestId, tenant: header(req, HTTP_HEADERS.tenant) }),
      authorization: format.authorization(req),
      sdkAttempt: ids.sdkAttempt(),
      door: format.door,
    };
    const stream = format.streamOf(body);
    if (stream) return await streamChat(format, deps, res, command, stream);
    const reply = await deps.handleChatRequest.execute(command);
    if (!reply.ok) return sendDoorFailure(format, res, reply);
    sendJson(res, 200, format.answer(reply), reply.requestId, format.headers?.(reply.requestId));
  } catch (err) {
    const reply = failure(err, requestId, deps.logger);
    if (!command) deps.metrics.answered(format.door, reply);
    sendDoorFailure(format, res, reply);
  }
}

/**
 * Server-sent events as the model writes: the first piece opens the stream. Until then a failure (and any
 * fallback to another model) is an ordinary error answer; after it, an error event ends the stream.
 */
async function streamChat<S extends z.ZodType>(
  format: ChatDoorFormat<S>,
  deps: ChatDoorDeps,
  res: ServerResponse,
  command: ChatRequestCommand,
  stream: DoorStream,
): Promise<void> {
  let started = false;
  const reply = await deps.handleChatRequest.execute(command, (d) => {
    if (!started) {
      startEventStream(res, d.requestId, format.headers?.(d.requestId));
      for (const e of stream.open(d)) res.write(e);
      started = true;
    }
    for (const e of stream.delta(d)) res.write(e);
  });
  if (!reply.ok) {
    if (!started) return sendDoorFailure(format, res, reply);
    res.end(stream.failed(reply));
    return;
  }
  if (!started) startEventStream(res, reply.requestId, format.headers?.(reply.requestId));
  for (const e of stream.end(reply, started)) res.write(e);
  res.end();
}
