// Asking `lsof` which files are open and reading its answer (pure: no process is started here).

// One descriptor as `lsof -F` lists it.
export interface LsofFile {
  pid: number;
  command: string;
  // The descriptor: a number for an open file (cwd, txt, mem... for the rest).
  fd: string;
  // r, w or u (read and write); empty when lsof does not say.
  access: string;
  inode?: number;
}

// The fields asked of lsof -F: process id, command, descriptor, access mode, inode.
const FIELDS = 'pcfai';

// The arguments that list the files other processes hold open in folder `dir` (its top level).
export function lsofFolderArgs(dir: string): string[] {
  return ['-w', '-n', '-P', '-F', FIELDS, '+d', dir];
}

// The arguments that list one descriptor of one process.
export function lsofDescriptorArgs(pid: number, fd: string): string[] {
  return ['-w', '-n', '-P', '-F', FIELDS, '-a', '-p', String(pid), '-d', fd];
}

// The descriptors in `lsof -F` output: a `p` line starts a process (its `c` follows), an `f` line
// starts one of its descriptors (its `a` and `i` follow); fields not asked for are skipped.
export function parseLsofOutput(output: string): LsofFile[] {
  const files: LsofFile[] = [];
  let pid = 0;
  let command = '';
  let file: LsofFile | undefined;
  for (const line of output.split('\n')) {
    const value = line.slice(1);
    switch (line[0]) {
      case 'p':
        pid = Number(value);
        command = '';
        file = undefined;
        break;
      case 'c':
        command = value;
        break;
      case 'f':
        file = { pid, command, fd: value, access: '' };
        files.push(file);
        break;
      case 'a':
        if (file) file.access = value.trim();
        break;
      case 'i':
        if (file && /^\d+$/.test(value)) file.inode = Number(value);
        break;
    }
  }
  return files;
}

// Whether a descriptor writes: opened for writing, or for reading and writing.
export function isWriting(file: LsofFile): boolean {
  return /^\d+$/.test(file.fd) && (file.access === 'w' || file.access === 'u');
}
