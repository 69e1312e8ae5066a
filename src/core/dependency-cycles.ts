// Finds dependency cycles among waiting tasks, so they can be reported instead of waiting forever.
// Returns, for each task on a cycle, the cycle as a path of ids ("a -> b -> a").
export function findCycles(dependsOn: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const cycles = new Map<string, string>();
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of dependsOn.get(id) ?? []) {
      if (!dependsOn.has(dep)) continue;
      const seen = state.get(dep);
      if (seen === 'visiting') {
        const loop = [...stack.slice(stack.indexOf(dep)), dep];
        for (const member of loop) if (!cycles.has(member)) cycles.set(member, loop.join(' -> '));
      } else if (seen === undefined) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of dependsOn.keys()) if (!state.has(id)) visit(id);
  return cycles;
}
