function shorten(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

// The first line of a text, cut to `width` characters: a table cell, the gist of an error.
export function firstLine(text: string, width: number): string {
  return shorten(text.split('\n')[0]!.trim(), width);
}

// The last non-empty line of a text, cut to `width` characters: what an agent said last.
export function lastLine(text: string, width: number): string {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return shorten(lines.at(-1) ?? '', width);
}
