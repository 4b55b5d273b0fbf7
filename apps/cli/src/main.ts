import { parseArgs } from 'node:util';
import { runDemo } from './demo/demo.command';

const USAGE = `usage: switchyard <command> [options]

commands:
  demo    start the six services, send a mixed workload over NATS and HTTP, print where it went and what it cost
          --requests N     requests to send (default 200)
          --concurrency N  requests in flight at once (default 16)

environment: NATS_URL, REDIS_URL, MONGODB_URI (server part used), as for the services.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({
        args: rest,
        options: { requests: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '16' } },
      });
      const requests = positiveInt(values.requests, '--requests');
      const concurrency = positiveInt(values.concurrency, '--concurrency');
      return runDemo({
        requests,
        concurrency,
        natsUrl: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
        redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
        mongoServer: (process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017').replace(
          /^(mongodb(\+srv)?:\/\/[^/]+).*$/,
          '$1',
        ),
      });
    }
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`switchyard: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

function positiveInt(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`switchyard: ${err.message}\n`);
    process.exit(1);
  },
);
