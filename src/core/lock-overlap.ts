// Two lock patterns overlap when one's literal prefix (before any glob character) starts the other's.
// This over-approximates real glob overlap, which is the safe direction: it may serialise, never collide.
export interface LockKey {
  prefix: string;
  exact: boolean;
}

// A pattern reduced to what overlap needs; computed once per pattern, compared many times.
export function lockKey(pattern: string): LockKey {
  const path = pattern.replace(/^\.\//, '');
  const index = path.search(/[*?[{]/);
  return index < 0 ? { prefix: path, exact: true } : { prefix: path.slice(0, index), exact: false };
}

// Whether two reduced lock patterns may name the same resource.
export function keysOverlap(left: LockKey, right: LockKey): boolean {
  if (left.exact && right.exact)
    return left.prefix === right.prefix || isInside(left.prefix, right.prefix) || isInside(right.prefix, left.prefix);
  return left.prefix.startsWith(right.prefix) || right.prefix.startsWith(left.prefix);
}

// Whether two lock patterns may name the same resource.
export function locksOverlap(a: string, b: string): boolean {
  return keysOverlap(lockKey(a), lockKey(b));
}

function isInside(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}
