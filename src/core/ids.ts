// A task id is its file name without `.yaml`; this is the one place that rule lives.
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_ID_LENGTH = 200;

// Maildir rule: submitters write under such names and rename into place, so they are never read.
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.tmp') || name.endsWith('~') || name.endsWith('.swp');
}

// The id of a task file name, or undefined when the name is not a task file at all.
export function taskIdOf(fileName: string): string | undefined {
  if (isIgnoredName(fileName) || !fileName.endsWith('.yaml')) return undefined;
  return fileName.slice(0, -'.yaml'.length);
}

// Why an id cannot be used, or undefined when it can.
export function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'the id is empty (name the file <id>.yaml)';
  if (id.length > MAX_ID_LENGTH) return `the id is longer than ${MAX_ID_LENGTH} characters (use a shorter file name)`;
  if (!TASK_ID_PATTERN.test(id)) {
    return 'the id must start with a letter or digit and use only letters, digits, ".", "_" and "-" (rename the file)';
  }
  return undefined;
}

// Turns a description into a readable id stem ("Fix the login bug" -> "fix-the-login-bug").
export function slugify(text: string, maxLength = 40): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
  return slug === '' ? 'task' : slug;
}
