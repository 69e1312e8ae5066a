// A workspace's .env: `NAME=value` lines, `#` comments, an optional `export ` prefix, values in
// single quotes (taken as written) or double quotes (with \n, \t, \" and \\), unquoted values up to a
// ` #` comment. Values are literal: no variables are filled in, so a key is never altered by a `$` in it.

export interface DotenvLineProblem {
  line: number;
  message: string;
}

export interface Dotenv {
  values: Record<string, string>;
  problems: DotenvLineProblem[];
}

const ASSIGNMENT = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/s;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

// Every well-formed line's variable (a later line wins), and one problem per malformed line.
export function parseDotenv(text: string): Dotenv {
  const values: Record<string, string> = {};
  const problems: DotenvLineProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parsed = parseLine(line);
    if ('problem' in parsed) problems.push({ line: index + 1, message: parsed.problem });
    else values[parsed.name] = parsed.value;
  });
  return { values, problems };
}

function parseLine(line: string): { name: string; value: string } | { problem: string } {
  const assignment = ASSIGNMENT.exec(line);
  if (!assignment) return { problem: 'not a NAME=value line (write NAME=value; lines starting with # are comments)' };
  const name = assignment[1]!;
  if (!NAME.test(name))
    return { problem: `"${name}" is not a variable name (letters, digits and _, not starting with a digit)` };
  const value = parseValue(assignment[2]!);
  return 'problem' in value ? value : { name, value: value.value };
}

function parseValue(text: string): { value: string } | { problem: string } {
  const quote = text[0];
  if (quote !== '"' && quote !== "'") return { value: text.replace(/\s+#.*$/s, '').trim() };
  let value = '';
  let end = 1;
  for (; end < text.length && text[end] !== quote; end++) {
    const escaped = quote === '"' && text[end] === '\\' ? ESCAPES[text[end + 1] ?? ''] : undefined;
    if (escaped !== undefined) end++;
    value += escaped ?? text[end];
  }
  if (end >= text.length) return { problem: `the value has no closing ${quote} (a value is one line)` };
  const rest = text.slice(end + 1).trim();
  if (rest !== '' && !rest.startsWith('#'))
    return { problem: `text after the closing ${quote} (put a # before a comment)` };
  return { value };
}
