// Two lock patterns overlap when one's literal prefix (before any glob character) starts the other's.
// This over-approximates real glob overlap, which is the safe direction: it may serialise, never collide.
function literalPrefix(pattern: string): { prefix: string; exact: boolean } {
  const index = pattern.search(/[*?[{]/);
  return index < 0 ? { prefix: pattern, exact: true } : { prefix: pattern.slice(0, index), exact: false };
}

// Whether two lock patterns may name the same resource.
export function locksOverlap(a: string, b: string): boolean {
  const left = literalPrefix(a.replace(/^\.\//, ''));
  const right = literalPrefix(b.replace(/^\.\//, ''));
  if (left.exact && right.exact) return left.prefix === right.prefix || isInside(left.prefix, right.prefix) || isInside(right.prefix, left.prefix);
  return left.prefix.startsWith(right.prefix) || right.prefix.startsWith(left.prefix);
}

function isInside(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}
