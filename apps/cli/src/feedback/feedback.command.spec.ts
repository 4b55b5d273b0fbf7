import { type FakeIngress, sendJson, startFakeIngress } from '../testing/fake-ingress';
import { runInProcess } from '../testing/run-in-process';
import { runFeedback } from './feedback.command';

describe(runFeedback.name, () => {
  let door: FakeIngress;
  let status: number;
  let reply: unknown;
  const env = () => ({ SWITCHYARD_URL: door.url, SWITCHYARD_API_KEY: 'sk-acme' });

  beforeEach(async () => {
    status = 202;
    reply = { ok: true, feedbackId: 'fb-1', requestId: 'req-1' };
    door = await startFakeIngress((_req, res) => sendJson(res, status, reply));
  });
  afterEach(() => door.close());

  it('posts the rating, success and comment with the key, and says it was accepted', async () => {
    const sut = await runInProcess(
      ['feedback', 'req-1', '--rating', '5', '--success', 'true', '--comment', 'spot on'],
      { env: env() },
    );
    expect(sut).toEqual({ code: 0, stdout: 'feedback fb-1 on request req-1 accepted\n', stderr: '' });
    expect(door.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/feedback',
        headers: expect.objectContaining({ authorization: 'Bearer sk-acme', 'content-type': 'application/json' }),
        body: { requestId: 'req-1', rating: 5, success: true, comment: 'spot on' },
      }),
    ]);
  });

  it('prints the answer as JSON with --json', async () => {
    const sut = await runInProcess(['feedback', 'req-1', '--success', 'false', '--json'], { env: env() });
    expect(sut.code).toBe(0);
    expect(JSON.parse(sut.stdout)).toEqual({ ok: true, feedbackId: 'fb-1', requestId: 'req-1' });
    expect(door.requests[0]?.body).toEqual({ requestId: 'req-1', success: false });
  });

  it('exits 2 without sending anything when there is neither a rating nor success', async () => {
    const sut = await runInProcess(['feedback', 'req-1', '--comment', 'meh'], { env: env() });
    expect(sut).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: feedback needs --rating 1-5, --success true|false, or both\n',
    });
    expect(door.requests).toEqual([]);
  });

  it('exits 2 naming the option when a value is out of range', async () => {
    expect(await runInProcess(['feedback', 'req-1', '--rating', '6'], { env: env() })).toMatchObject({
      code: 2,
      stderr: "switchyard: option '--rating <n>' argument '6' is invalid. Expected a whole number from 1 to 5.\n",
    });
    expect((await runInProcess(['feedback', 'req-1', '--success', 'yes'], { env: env() })).code).toBe(2);
    expect((await runInProcess(['feedback', 'req 1', '--rating', '4'], { env: env() })).code).toBe(2);
    expect(door.requests).toEqual([]);
  });

  it("exits 1 with the server's message when the feedback is refused", async () => {
    status = 400;
    reply = {
      error: {
        message: 'no request req-1 for tenant acme',
        type: 'invalid_request',
        code: 'invalid_request',
        param: 'requestId',
      },
    };
    const sut = await runInProcess(['feedback', 'req-1', '--rating', '1'], { env: env() });
    expect(sut).toEqual({
      code: 1,
      stdout: '',
      stderr: 'switchyard: feedback refused: HTTP 400 invalid_request: no request req-1 for tenant acme\n',
    });
  });
});
