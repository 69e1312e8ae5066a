// `$NAME`, `${NAME}` and `${NAME:-default}` in orchestrator.yaml values, filled in from the daemon's
// environment the way a shell or docker compose would; `$$` is a literal `$`. A variable that is not
// set (and has no default) is a problem, not an empty string: a key that silently vanished would only
// show up later as an authentication failure of the agent.

export type Expansion = { ok: true; value: string } | { ok: false; problem: string };

const REFERENCE = /\$(?:(\$)|\{([^}]*)(\})?|([A-Za-z_][A-Za-z0-9_]*))/g;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-)(.*))?$/s;

// The text with each variable replaced by its value from `lookup`; the first problem otherwise.
export function expandVariables(text: string, lookup: (name: string) => string | undefined): Expansion {
  let problem: string | undefined;
  const value = text.replace(REFERENCE, (whole, dollar?: string, braced?: string, closed?: string, bare?: string) => {
    if (dollar !== undefined) return '$';
    if (bare !== undefined) return variableValue(bare, undefined) ?? whole;
    if (closed === undefined) return fail(`${whole} has no closing } (write \${NAME}, or $$ for a literal $)`, whole);
    const match = BRACED.exec(braced!);
    if (!match)
      return fail(`${whole} is not a variable (write \${NAME} or \${NAME:-default}, or $$ for a literal $)`, whole);
    return variableValue(match[1]!, match[2] === undefined ? undefined : match[3]!) ?? whole;
  });
  return problem === undefined ? { ok: true, value } : { ok: false, problem };

  function variableValue(name: string, fallback: string | undefined): string | undefined {
    const found = lookup(name);
    if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
    if (found !== undefined) return found;
    fail(
      `${name} is not set (add a line ${name}=... to the workspace's .env, or export it before starting the daemon; \${${name}:-} allows it empty)`,
      '',
    );
    return undefined;
  }

  function fail(message: string, keep: string): string {
    problem ??= message;
    return keep;
  }
}

// What is wrong with how a value writes its variables, whatever the environment (undefined: nothing).
export function variableSyntaxProblem(text: string): string | undefined {
  const expanded = expandVariables(text, () => '');
  return expanded.ok ? undefined : expanded.problem;
}
