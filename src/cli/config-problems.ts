// "orchestrator.yaml is invalid (max_concurrent: ...; and 2 more)": the gist of a config that cannot
// be used, for warnings and status lines (no YAML or zod here: `add` prints it).
export function invalidConfig(problems: readonly string[]): string {
  const more = problems.length > 1 ? `; and ${problems.length - 1} more` : '';
  return `orchestrator.yaml is invalid (${problems[0] ?? 'unreadable'}${more})`;
}
