// What tells one version of a file from another without reading it: a rewrite changes the size or
// the mtime, a replacement the inode.
export interface FileSignature {
  size: number;
  mtimeMs: number;
  ino: number;
}

// Whether two looks at a file saw the same version of it (a Stats is a signature too).
export function sameSignature(a: FileSignature, b: FileSignature): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}
