/** A command line that cannot run as given (options that do not go together, a missing one): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
