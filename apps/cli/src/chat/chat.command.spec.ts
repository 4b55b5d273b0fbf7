import type { ServerResponse } from 'node:http';
import { type FakeIngress, sendJson, startFakeIngress } from '../testing/fake-ingress';
import { runInProcess } from '../testing/run-in-process';
import { runChat } from './chat.command';

const ROUTING = {
  requestId: 'req-1',
  tenant: 'acme',
  provider: 'simulated',
  decision: { method: 'rule', rule: 'greeting', policyVersion: 'default@1' },
  costUsd: 0.000021,
  replayed: false,
};

const COMPLETION = {
  id: 'chatcmpl-req-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
  switchyard: ROUTING,
};

/** OpenAI chat.completion.chunk events as ingress streams them: role, pieces, the end with routing, [DONE]. */
function streamAnswer(res: ServerResponse, pieces: string[], end: 'done' | 'error' = 'done'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: object, extra: object = {}, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-req-1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }));
  for (const piece of pieces) res.write(chunk({ content: piece }));
  if (end === 'error') {
    res.end(`data: ${JSON.stringify({ error: { message: 'upstream hung up', code: 'provider_error' } })}\n\n`);
    return;
  }
  res.write(chunk({}, { usage: COMPLETION.usage, switchyard: ROUTING }, 'stop'));
  res.end('data: [DONE]\n\n');
}

describe(runChat.name, () => {
  let door: FakeIngress;
  let answer: (res: ServerResponse, body: { stream?: boolean }) => void;
  const env = () => ({ SWITCHYARD_URL: door.url, SWITCHYARD_API_KEY: 'sk-acme' });

  beforeEach(async () => {
    answer = (res) => sendJson(res, 200, COMPLETION);
    door = await startFakeIngress((req, res) => answer(res, req.body as { stream?: boolean }));
  });
  afterEach(() => door.close());

  it('sends one OpenAI request with the key, and prints the answer then the routing on stderr', async () => {
    const sut = await runInProcess(['chat', 'hello', 'there', '--system', 'be brief', '--max-tokens', '50'], {
      env: env(),
    });
    expect(sut).toEqual({
      code: 0,
      stdout: 'Hello there!\n',
      stderr: 'model gpt-4o-mini, method rule (greeting), cost $0.000021, request req-1\n',
    });
    expect(door.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: expect.objectContaining({ authorization: 'Bearer sk-acme', 'content-type': 'application/json' }),
        body: {
          model: 'auto',
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: 'hello there' },
          ],
          max_tokens: 50,
        },
      }),
    ]);
  });

  it('reads the message from stdin when none is given, and takes --url, --api-key and --model over the environment', async () => {
    const sut = await runInProcess(['chat', '--url', `${door.url}/`, '--api-key', 'sk-other', '--model', 'gpt-4o'], {
      env: { SWITCHYARD_URL: 'http://127.0.0.1:9', SWITCHYARD_API_KEY: 'sk-acme' },
      stdin: 'what is 2+2?\n',
    });
    expect(sut.code).toBe(0);
    expect(door.requests[0]).toMatchObject({
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-other' },
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'what is 2+2?' }] },
    });
  });

  it('exits 2 without sending anything when there is no message', async () => {
    const sut = await runInProcess(['chat'], { env: env(), stdin: '  \n' });
    expect(sut).toMatchObject({
      code: 2,
      stderr: 'switchyard: chat needs a message: give MESSAGE, or pipe it on stdin\n',
    });
    expect(door.requests).toEqual([]);
  });

  it('prints the whole response as one JSON document with --json', async () => {
    const sut = await runInProcess(['chat', 'hello', '--json'], { env: env() });
    expect(sut.code).toBe(0);
    expect(sut.stderr).toBe('');
    expect(JSON.parse(sut.stdout)).toEqual(COMPLETION);
  });

  it('prints the pieces of a streamed answer as they come, then the routing', async () => {
    answer = (res) => streamAnswer(res, ['Hel', 'lo ', 'there!']);
    const sut = await runInProcess(['chat', 'hello', '--stream'], { env: env() });
    expect(sut).toEqual({
      code: 0,
      stdout: 'Hello there!\n',
      stderr: 'model gpt-4o-mini, method rule (greeting), cost $0.000021, request req-1\n',
    });
    expect(door.requests[0]).toMatchObject({
      headers: { accept: 'text/event-stream' },
      body: { stream: true, model: 'auto' },
    });
  });

  it('assembles a streamed answer into the shape of a whole one with --json', async () => {
    answer = (res) => streamAnswer(res, ['Hello', ' there!']);
    const sut = await runInProcess(['chat', 'hello', '--stream', '--json'], { env: env() });
    expect(sut.code).toBe(0);
    expect(JSON.parse(sut.stdout)).toEqual(COMPLETION);
  });

  it('exits 1 when a streamed answer breaks off, saying why', async () => {
    answer = (res) => streamAnswer(res, ['Hel'], 'error');
    const sut = await runInProcess(['chat', 'hello', '--stream'], { env: env() });
    expect(sut).toEqual({
      code: 1,
      stdout: 'Hel\n',
      stderr: 'switchyard: the answer broke off (provider_error): upstream hung up\n',
    });
  });

  it("exits 1 with the server's message when the door refuses", async () => {
    answer = (res) =>
      sendJson(res, 401, {
        error: { message: 'a tenant key is required', type: 'unauthorized', code: 'unauthorized', param: null },
      });
    const sut = await runInProcess(['chat', 'hello'], { env: env() });
    expect(sut).toEqual({
      code: 1,
      stdout: '',
      stderr: 'switchyard: chat refused: HTTP 401 unauthorized: a tenant key is required\n',
    });
  });

  it('exits 1 when no answer comes within --timeout-ms', async () => {
    answer = () => undefined; // never answers
    const sut = await runInProcess(['chat', 'hello', '--timeout-ms', '200'], { env: env() });
    expect(sut).toEqual({
      code: 1,
      stdout: '',
      stderr: `switchyard: no answer from ${door.url}/v1/chat/completions within 200 ms (--timeout-ms)\n`,
    });
  });

  it('exits 1 naming the address when nothing listens there', async () => {
    const url = door.url;
    await door.close();
    const sut = await runInProcess(['chat', 'hello'], { env: { SWITCHYARD_URL: url } });
    expect(sut.code).toBe(1);
    expect(sut.stderr).toContain(`switchyard: cannot reach ${url}/v1/chat/completions: ECONNREFUSED`);
  });
});
