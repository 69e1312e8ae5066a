// A command's output on stdout, ending in exactly one newline.
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

// A command's --json output, indented for people who read it.
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
