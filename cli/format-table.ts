/**
 * The one table style of the CLI: a header row first, columns two spaces apart, numbers
 * right-aligned and text left-aligned, one line per row.
 */
export function formatTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^-?\d+$/.test(r[i] ?? '')),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) =>
          numeric[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
