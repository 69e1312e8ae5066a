// Splits a command line into words the way a shell would quote them, without running a shell:
// prompts are later substituted per word, so they can never be parsed as shell syntax.
export type SplitResult = { ok: true; argv: string[] } | { ok: false; problem: string };

const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '`', '$']);

// Shell-style word splitting with '...', "..." and backslash escapes; shell operators are refused.
export function splitCommandLine(line: string): SplitResult {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, problem: 'has an unclosed single quote' };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (char === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) return { ok: false, problem: 'has an unclosed double quote' };
      inWord = true;
      i = j;
    } else if (char === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else if (OPERATORS.has(char)) {
      return {
        ok: false,
        problem: `uses shell syntax (${char}); write it as an argv list such as ["sh", "-c", "..."]`,
      };
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, problem: 'is empty' };
  return { ok: true, argv };
}
