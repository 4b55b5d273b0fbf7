import { z } from 'zod';
import { chatDeltaSchema, chatFailureSchema, chatReplySchema } from '../payloads/chat-reply';
import { feedbackAcceptedSchema } from '../payloads/feedback';
import { optimizerRunAcceptedSchema } from '../payloads/optimizer';
import { statsAnswerSchema } from '../payloads/stats';
import { SCHEMA_BY_SUBJECT } from '../schemas-by-subject';
import { SUBJECTS } from './subjects';

/** One public contract as JSON Schema, and the file name it is kept under (docs/schemas/). */
export interface ContractJsonSchema {
  fileName: string;
  schema: Record<string, unknown>;
}

type Part = 'request' | 'reply' | 'delta';

interface PublicContract {
  subject: string;
  part: Part;
  schema: z.ZodType;
  description: string;
}

// Every subject a product team may use (the "Public:" ones of SUBJECTS). A refused request answers
// `{ ok: false, error }` on each of them (ChatFailure's shape), so every reply is the success or that.
const PUBLIC_CONTRACTS: readonly PublicContract[] = [
  {
    subject: SUBJECTS.request,
    part: 'request',
    schema: SCHEMA_BY_SUBJECT[SUBJECTS.request],
    description: 'A chat request (request-reply; HTTP: POST /v1/chat/completions takes the OpenAI shape instead).',
  },
  {
    subject: SUBJECTS.request,
    part: 'reply',
    schema: chatReplySchema,
    description: 'The answer to a chat request, with its routing decision and cost, or why it failed.',
  },
  {
    subject: SUBJECTS.request,
    part: 'delta',
    schema: chatDeltaSchema,
    description: 'A piece of a streamed answer (requests with stream: true), sent before the reply.',
  },
  {
    subject: SUBJECTS.feedback,
    part: 'request',
    schema: SCHEMA_BY_SUBJECT[SUBJECTS.feedback],
    description: 'Feedback on an earlier request (request-reply; also the body of POST /v1/feedback).',
  },
  {
    subject: SUBJECTS.feedback,
    part: 'reply',
    schema: z.union([feedbackAcceptedSchema, chatFailureSchema]),
    description: 'Feedback accepted (stored durably), or why it was refused.',
  },
  {
    subject: SUBJECTS.optimizerRunRequested,
    part: 'request',
    schema: SCHEMA_BY_SUBJECT[SUBJECTS.optimizerRunRequested],
    description: 'Ask rule-optimizer to run a job now (request-reply).',
  },
  {
    subject: SUBJECTS.optimizerRunRequested,
    part: 'reply',
    schema: z.union([optimizerRunAcceptedSchema, chatFailureSchema]),
    description: 'The job queued, or why it was refused.',
  },
  {
    subject: SUBJECTS.statsQuery,
    part: 'request',
    schema: SCHEMA_BY_SUBJECT[SUBJECTS.statsQuery],
    description: 'A stats query over the rollups (request-reply; also GET /v1/stats as a query string).',
  },
  {
    subject: SUBJECTS.statsQuery,
    part: 'reply',
    schema: z.union([statsAnswerSchema, chatFailureSchema]),
    description: 'The stats of the window, or why the query was refused.',
  },
];

/**
 * The public NATS contracts as JSON Schema (draft 2020-12), one per subject and part, for clients in other
 * languages. Every part is described as its schema accepts it: a request's defaults are optional, and a
 * reply stays open to fields a later release adds within the same subject version (zod's output mode would
 * close it, and a client validating replies would break on the next added field). Checks written as code
 * (refinements) have no JSON Schema form: the service still applies them. Committed under docs/schemas/
 * (`switchyard schema --out docs/schemas`).
 */
export function contractJsonSchemas(): ContractJsonSchema[] {
  return PUBLIC_CONTRACTS.map(({ subject, part, schema, description }) => {
    const { $schema, ...body } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'any',
    });
    return {
      fileName: `${subject}.${part}.json`,
      schema: {
        $schema,
        $id: `urn:switchyard:schema:${subject}:${part}`,
        title: `${subject} ${part}`,
        description: `${description} Subject: ${subject}.`,
        ...body,
      },
    };
  });
}
