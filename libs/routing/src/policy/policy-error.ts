/** A policy that cannot be used, with every problem found, each naming its field. */
export class PolicyError extends Error {
  constructor(readonly problems: Array<{ field: string; message: string }>) {
    super(`invalid policy: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'PolicyError';
  }
}
