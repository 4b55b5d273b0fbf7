/** A plain text table, right-aligning numbers, for terminal reports. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  // A cell without a header would print unaligned under no name (it did once: simulate's canary column); a
  // short row's missing cells are empty.
  const over = rows.findIndex((r) => r.length > headers.length);
  if (over >= 0) throw new Error(`table row ${over + 1} has ${rows[over].length} cells for ${headers.length} headers`);
  const cells = rows.map((r) => headers.map((_, i) => (r[i] === undefined ? '' : String(r[i]))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const isNum = headers.map(
    (_, i) => cells.some((r) => r[i] !== '') && cells.every((r) => r[i] === '' || /^[-$\d.,%×x ]+$/.test(r[i])),
  );
  const fmt = (r: string[]) => r.map((c, i) => (isNum[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

export const usd = (x: number) => `$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`;
/** A share as a percentage; `n/a` for a share with nothing to divide by (a saving against a free model). */
export const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
