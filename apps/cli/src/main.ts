import { runCli } from './program';

// A reader that stops early (`switchyard --help | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// process.exit: a command's connections (NATS, MongoDB, child services) must not keep the process up.
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`switchyard: ${err.message}\n`);
    process.exit(1);
  },
);
