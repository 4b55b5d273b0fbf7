import { UPSTREAM_CONTENT, checkCompletion, instantCompletion } from './chat-completion';

describe(checkCompletion.name, () => {
  const good = JSON.stringify(instantCompletion('gpt-4o-mini', 'chatcmpl-1', 1_700_000_000));

  it('accepts what the instant upstream sends and says which model answered', () => {
    expect(checkCompletion(200, good)).toEqual({ ok: true, model: 'gpt-4o-mini' });
  });

  it('accepts a gateway that adds fields of its own around the same answer', () => {
    const routed = { ...JSON.parse(good), switchyard: { requestId: 'r1' } };
    expect(checkCompletion(200, JSON.stringify(routed))).toEqual({ ok: true, model: 'gpt-4o-mini' });
  });

  it('passes on where Switchyard says the time went when its answer says so', () => {
    const latency = { totalMs: 4.5, routingMs: 1.25, providerMs: 0.75 };
    const routed = { ...JSON.parse(good), switchyard: { requestId: 'r1', latency } };
    expect(checkCompletion(200, JSON.stringify(routed))).toEqual({ ok: true, model: 'gpt-4o-mini', reported: latency });
  });

  it('refuses a status outside 2xx even with a good body', () => {
    expect(checkCompletion(502, good)).toMatchObject({ ok: false, reason: expect.stringContaining('HTTP 502') });
  });

  it('refuses a 200 whose body is not JSON', () => {
    expect(checkCompletion(200, '<html>ok</html>')).toMatchObject({ ok: false });
  });

  it('refuses an answer that did not come from the upstream', () => {
    const other = JSON.parse(good) as ReturnType<typeof instantCompletion>;
    other.choices[0].message.content = `${UPSTREAM_CONTENT} (simulated)`;
    expect(checkCompletion(200, JSON.stringify(other))).toMatchObject({ ok: false });
  });

  it('refuses an error object sent with status 200', () => {
    expect(checkCompletion(200, JSON.stringify({ error: { message: 'no' } }))).toMatchObject({ ok: false });
  });
});

describe(instantCompletion.name, () => {
  it('is a finished chat.completion with usage that adds up', () => {
    const sut = instantCompletion('m', 'id-1', 5);
    expect(sut).toMatchObject({ id: 'id-1', object: 'chat.completion', created: 5, model: 'm' });
    expect(sut.choices[0]).toMatchObject({ message: { role: 'assistant' }, finish_reason: 'stop' });
    expect(sut.usage.total_tokens).toBe(sut.usage.prompt_tokens + sut.usage.completion_tokens);
  });
});
