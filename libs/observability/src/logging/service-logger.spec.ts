import { Logger } from '@nestjs/common';
import { contextFromTraceparent } from '../trace-context';
import { registerContextManager } from '../context-manager';
import { withSpan } from '../tracing';
import { contentForLog, errorForLog, textForLog } from './content';
import { annotateLogContext, withRequestLogContext, withServiceLogContext } from './log-scope';
import { type LogLevelName, type LoggerOptions, ServiceLogger, createLogger } from './service-logger';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const PROMPT = 'please summarise the quarterly figures of the northern region for the board';

/** Stands in for standard output: pino writes each line to it as one string, synchronously. */
function capture(service = 'analyzer', level: LogLevelName = 'info', options: LoggerOptions = {}) {
  const lines: string[] = [];
  const sut = createLogger(service, level, { ...options, destination: { write: (s: string) => lines.push(s) } });
  return { sut, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), raw: lines };
}

describe(ServiceLogger.name, () => {
  beforeAll(() => registerContextManager());

  describe('a line', () => {
    it('has time, level, service, msg and the class that wrote it, one JSON object per line', () => {
      const { sut, records, raw } = capture();
      sut.log('policy 7 in force', 'PolicyStore');
      expect(raw[0].endsWith('\n')).toBe(true);
      expect(records()[0]).toMatchObject({
        level: 'info',
        service: 'analyzer',
        msg: 'policy 7 in force',
        context: 'PolicyStore',
      });
      expect(Date.parse(records()[0]['time'] as string)).not.toBeNaN();
      expect(records()[0]).not.toHaveProperty('requestId');
      expect(records()[0]).not.toHaveProperty('traceId');
    });

    it("keeps an exception's stack when Nest reports one", () => {
      const { sut, records } = capture();
      const err = new Error('boom');
      sut.error('boom', err.stack, 'ExceptionsHandler');
      expect(records()[0]).toMatchObject({ level: 'error', msg: 'boom', context: 'ExceptionsHandler' });
      expect(records()[0]['stack']).toMatch(/^Error: boom\n\s+at /);
    });
  });

  describe('inside a log context', () => {
    it('carries the request id, tenant and the active trace, across await', async () => {
      const { sut, records } = capture('decision-engine');
      await withRequestLogContext({ service: 'decision-engine' }, () =>
        withSpan('test', 'handle', contextFromTraceparent(TRACEPARENT), {}, async () => {
          annotateLogContext({ requestId: 'req-1', tenant: 'acme' });
          await new Promise((r) => setTimeout(r, 1));
          sut.debug('ignored at info');
          sut.warn('quota store slow', 'MakeDecision');
        }),
      );
      expect(records()).toEqual([
        expect.objectContaining({
          level: 'warn',
          service: 'decision-engine',
          requestId: 'req-1',
          tenant: 'acme',
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
        }),
      ]);
    });

    it("names the sender's trace on lines written outside any span", () => {
      const { sut, records } = capture();
      withRequestLogContext({ traceparent: TRACEPARENT }, () => sut.error('payload not valid'));
      expect(records()[0]).toMatchObject({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
      });
    });

    it("names the handler's span on lines written after it ended, once the request was annotated in it", async () => {
      const { sut, records } = capture();
      await withRequestLogContext({}, async () => {
        await withSpan('test', 'handle', contextFromTraceparent(undefined), {}, async () =>
          annotateLogContext({ requestId: 'req-2' }),
        );
        sut.error('handler failed');
      });
      expect(records()[0]).toMatchObject({
        requestId: 'req-2',
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
    });

    it("keeps requests apart, and a service's own lines free of any request id", async () => {
      const { sut, records } = capture();
      await withServiceLogContext('analyzer', async () => {
        annotateLogContext({ requestId: 'not-a-request' });
        // a starts first and logs only after b has logged: the two are in flight at once, in a set order
        // (timers of 5 ms against 1 ms gave that order only on an idle machine).
        let bLogged = (): void => undefined;
        const afterB = new Promise<void>((resolve) => (bLogged = resolve));
        await Promise.all(
          ['a', 'b'].map((id) =>
            withRequestLogContext({}, async () => {
              annotateLogContext({ requestId: id, tenant: `t-${id}` });
              await new Promise((r) => setTimeout(r, 1));
              if (id === 'a') await afterB;
              sut.log(`handled ${id}`);
              if (id === 'b') bLogged();
            }),
          ),
        );
        sut.log('idle');
      });
      expect(records().map((r) => [r['msg'], r['requestId'], r['tenant']])).toEqual([
        ['handled b', 'b', 't-b'],
        ['handled a', 'a', 't-a'],
        ['idle', undefined, undefined],
      ]);
    });

    it("names the service whose context the line is written in, whichever service's logger Nest holds (co-located)", () => {
      const ingress = capture('ingress');
      // Nest keeps one logger per process: the last service started hands it its own.
      Logger.overrideLogger(ingress.sut);
      withServiceLogContext('analyzer', () => new Logger('AnalyzeRequest').log('started'));
      withRequestLogContext({ service: 'provider-adapters' }, () => new Logger('CallModel').warn('slow'));
      new Logger('Host').log('outside any service');
      expect(ingress.records().map((r) => [r['service'], r['context']])).toEqual([
        ['analyzer', 'AnalyzeRequest'],
        ['provider-adapters', 'CallModel'],
        ['ingress', 'Host'],
      ]);
    });
  });

  describe('content', () => {
    it('is censored in structured messages unless LOG_CONTENT=true', () => {
      const off = capture('ingress', 'debug');
      off.sut.debug({ prompt: PROMPT, request: { messages: [{ role: 'user', content: PROMPT }] } }, 'X');
      expect(off.raw.join('')).not.toContain('quarterly');
      expect(off.records()[0]).toMatchObject({
        prompt: `[${PROMPT.length} chars, not logged: LOG_CONTENT=false]`,
        request: { messages: '[not logged: LOG_CONTENT=false]' },
      });
      const on = capture('ingress', 'debug', { content: true });
      on.sut.debug({ prompt: PROMPT }, 'X');
      expect(on.records()[0]).toMatchObject({ prompt: PROMPT });
    });

    it('shows as its length unless LOG_CONTENT=true, then bounded', () => {
      capture('ingress', 'info', { content: false });
      expect(contentForLog(PROMPT)).toBe(`[${PROMPT.length} chars, not logged: LOG_CONTENT=false]`);
      capture('ingress', 'info', { content: true });
      expect(contentForLog(PROMPT)).toBe(PROMPT);
      expect(contentForLog('x'.repeat(5000))).toMatch(/^x{2000}… \(3000 more chars\)$/);
    });

    it('is masked and cut short in error texts that may echo it (provider bodies, dead letters)', () => {
      capture('provider-adapters', 'info', { content: false });
      const echoed = `openai refused the call with 400: Invalid value "${PROMPT}" at messages[0]`;
      expect(textForLog(echoed)).toBe(
        `openai refused the call with 400: Invalid value "[${PROMPT.length} chars]" at messages[0]`,
      );
      expect(textForLog(`not JSON: ${'<html>'.repeat(100)}`)).toHaveLength(300 + '… (307 more chars)'.length);
      const err = new TypeError(`cannot read "${PROMPT}"`);
      const shown = errorForLog(err);
      expect(shown).not.toContain('quarterly');
      expect(shown).toMatch(/^TypeError: cannot read "\[\d+ chars\]"\n\s+at /);
      capture('provider-adapters', 'info', { content: true });
      expect(textForLog(echoed)).toBe(echoed);
    });

    it('is masked in the message and stack of an exception Nest reports', () => {
      const { sut, raw } = capture();
      const err = new SyntaxError(`Unexpected token 'p', "${PROMPT}" is not valid JSON`);
      sut.error(err.message, err.stack, 'ExceptionsHandler');
      expect(raw.join('')).not.toContain('quarterly');
    });
  });

  describe('levels', () => {
    it.each<[LogLevelName, string[]]>([
      ['error', ['error']],
      ['warn', ['error', 'warn']],
      ['info', ['error', 'warn', 'info']],
      ['debug', ['error', 'warn', 'info', 'debug', 'debug']],
    ])('LOG_LEVEL=%s writes %j', (level, written) => {
      const { sut, records } = capture('analyzer', level);
      sut.error('e');
      sut.warn('w');
      sut.log('i');
      sut.debug('d');
      sut.verbose('v');
      expect(records().map((r) => r['level'])).toEqual(written);
    });

    it("follows Nest's setLogLevels", () => {
      const { sut, records } = capture('analyzer', 'debug');
      sut.setLogLevels(['error', 'warn']);
      sut.log('dropped');
      sut.warn('kept');
      expect(records().map((r) => r['msg'])).toEqual(['kept']);
    });
  });
});
