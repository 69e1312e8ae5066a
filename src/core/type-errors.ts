// Messages for a value of the wrong type, for zod's `error` option. YAML reads `1e3`, `yes`, `~` or
// `0x10` as a number, a boolean or null, so a field meant as text gets something else: the message
// says what YAML made of it and how to keep it as text, instead of "is required" or "Invalid input".

type Issue = { input?: unknown };

// What YAML made of a value, for a message: `the number 1000`, `the boolean true`, `a list`.
function describeValue(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

// For a field that must be text: `missing` when it is absent, else what it was read as, and the fix.
export function textError(missing: string, expected = 'text') {
  return (issue: Issue): string => {
    if (issue.input === undefined) return missing;
    if (issue.input === null) return `must be ${expected}, but it is empty (write the value after the colon)`;
    const scalar = issue.input === null || typeof issue.input === 'number' || typeof issue.input === 'boolean';
    return `must be ${expected}, but YAML read it as ${describeValue(issue.input)}${scalar ? ' (put the value in quotes to keep it as text)' : ''}`;
  };
}

// For a field of another type: `expected` (say, "high, normal or low"), and what it was read as.
export function typeError(expected: string) {
  return (issue: Issue): string => {
    if (issue.input === undefined) return `must be ${expected}`;
    return issue.input === null
      ? `must be ${expected}, but it is empty (write the value after the colon)`
      : `must be ${expected}, not ${describeValue(issue.input)}`;
  };
}
