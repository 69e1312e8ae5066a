// A task id is its file name without `.yaml`; this is the one place that rule lives.
const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_ID_LENGTH = 200;

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

// Generated ids stay short enough to read and type.
export const SLUG_LENGTH = 40;

// Turns a description into a readable id stem ("Fix the login bug" -> "fix-the-login-bug"), cut at a
// word boundary; accents are dropped, not turned into breaks ("résumé" -> "resume").
export function slugify(text: string, maxLength = SLUG_LENGTH): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    // Letters NFKD leaves whole that have a usual ASCII spelling.
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd')
    .replace(/þ/g, 'th')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'task' : cutAtWord(slug, maxLength);
}

// An id shortened to `maxLength` at its last "-", "." or "_" that fits, so no word is cut in two;
// only a first word longer than that is cut.
function cutAtWord(id: string, maxLength: number): string {
  if (id.length <= maxLength) return id;
  const head = id.slice(0, maxLength + 1);
  const boundary = Math.max(head.lastIndexOf('-'), head.lastIndexOf('.'), head.lastIndexOf('_'));
  return boundary > 0 ? id.slice(0, boundary).replace(/[-._]+$/, '') : id.slice(0, maxLength);
}

// The ids to try, in order, for something new named after `stem`: the stem, then stem-2, stem-3, ...,
// each within `maxLength` (the stem is cut at a word boundary to make room for the number).
export function* idCandidates(stem: string, maxLength = MAX_ID_LENGTH): Generator<string, never> {
  yield cutAtWord(stem, maxLength);
  for (let n = 2; ; n++) yield `${cutAtWord(stem, maxLength - String(n).length - 1)}-${n}`;
}

// Ids that differ only in case name one file on case-insensitive file systems (macOS, Windows):
// they count as one id everywhere. Ids are ASCII, so lower case is how those systems compare them.
export function foldCase(id: string): string {
  return id.toLowerCase();
}

// Why `id` cannot be used beside its case twin at `twinPath`; the caller adds how to fix it.
export function caseTwinProblem(id: string, twinPath: string): string {
  return `the id "${id}" differs only in case from ${twinPath}: on macOS and Windows the two are one file`;
}
