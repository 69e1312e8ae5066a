// Why a file named on the command line could not be read, said as people say it.
export function unreadableFile(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${file}: no such file (check the path)`;
  if (code === 'EACCES') return `${file}: cannot be read (permission denied)`;
  if (code === 'EISDIR') return `${file}: is a folder, not a file`;
  return `${file}: cannot be read (${code ?? (error as Error).message})`;
}
