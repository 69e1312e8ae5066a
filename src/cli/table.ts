// Aligned columns for terminal output; the last column is never padded.
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

// Cuts text to one line of at most `width` characters.
export function oneLine(text: string, width: number): string {
  const first = text.split('\n')[0]!.trim();
  return first.length > width ? `${first.slice(0, width - 1)}…` : first;
}
