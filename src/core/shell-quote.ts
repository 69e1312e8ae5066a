// Characters no POSIX shell gives a meaning to inside a word: such a word is shown as it is.
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// One word in single quotes, which a POSIX shell reads back exactly: inside them nothing is special
// (not `$`, a backquote or a newline); a ' itself is written '\''. Never an assignment or a keyword.
export function quoteWord(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

// One word as a POSIX shell reads it back exactly: as it is when that is safe, else quoted, so a
// hint naming a path with a space, a quote or a `$` still works when pasted.
export function shellQuote(word: string): string {
  return SAFE_WORD.test(word) ? word : quoteWord(word);
}

// A command line to paste into a shell, each word quoted as it needs.
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
