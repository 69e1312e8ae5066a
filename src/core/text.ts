function shorten(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

// Colour, cursor and title codes (ESC sequences, C1 CSI) and the other control characters a CLI
// prints for a terminal; a carriage return ends a line, as a terminal shows it.
const TERMINAL_CODES =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[ -/]*[0-~]|\u009b[0-?]*[ -/]*[@-~]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

// The text a terminal would show, without the codes that colour it: task files, status lines and
// summaries hold text, never a CLI's escape sequences.
export function plainText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(TERMINAL_CODES, '');
}

// The first line of a text, cut to `width` characters: a table cell, the gist of an error.
export function firstLine(text: string, width: number): string {
  return shorten(text.split('\n')[0]!.trim(), width);
}

// The last non-empty line of a text as a terminal shows it, cut to `width` characters: what an agent said last.
export function lastLine(text: string, width: number): string {
  const lines = plainText(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return shorten(lines.at(-1) ?? '', width);
}
