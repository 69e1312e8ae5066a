import { ADD_OPTIONS } from './add-options.js';

// The command lines the entry point runs itself (see src/bin/orchestrate.ts): what they may hold is
// read here; any other line is left to commander.

// Each add option's short and long flag, with its attribute name.
const FLAGS = new Map<string, string>();
for (const { flags } of ADD_OPTIONS) {
  const long = flags.match(/--([\w-]+)/)![1]!;
  const name = long.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
  FLAGS.set(`--${long}`, name);
  const short = flags.match(/^(-\w),/)?.[1];
  if (short) FLAGS.set(short, name);
}

const isOptionLike = (word: string) => word.startsWith('-');

// The workspace option before the command (-C DIR, --root DIR, --root=DIR, any number of times),
// and the words after it; undefined when it is given in another form or lacks its value.
function readRoot(args: readonly string[]): { root: string | undefined; rest: readonly string[] } | undefined {
  let root: string | undefined;
  let i = 0;
  for (; args[i] === '-C' || args[i] === '--root' || args[i]?.startsWith('--root=') === true; i++) {
    if (args[i]!.startsWith('--root=')) root = args[i]!.slice('--root='.length);
    else if (args[i + 1] === undefined || isOptionLike(args[i + 1]!)) return undefined;
    else root = args[++i];
  }
  return { root, rest: args.slice(i) };
}

// An `orchestrate add` command line as the lean path reads it.
export interface AddArgv {
  // -C / --root
  root: string | undefined;
  words: string[];
  // By commander's attribute names (--max-retries: maxRetries).
  options: Record<string, string>;
}

// Reads `[-C DIR]... (add|submit) [OPTION VALUE | --option=VALUE | WORD]... [-- WORD...]`, where no
// value and no word before `--` starts with a dash. Anything else (help, the version, an unknown or
// misspelt option, a missing value, global options after `add`) is left to commander, which says
// what is wrong as it always has: undefined.
export function readAddArgv(args: readonly string[]): AddArgv | undefined {
  const read = readRoot(args);
  if (read?.rest[0] !== 'add' && read?.rest[0] !== 'submit') return undefined;
  const { rest } = read;
  const words: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 1; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      words.push(...rest.slice(i + 1));
      break;
    }
    if (!isOptionLike(arg)) {
      words.push(arg);
      continue;
    }
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = FLAGS.get(equals < 0 ? arg : arg.slice(0, equals));
    if (name === undefined) return undefined;
    if (equals >= 0) options[name] = arg.slice(equals + 1);
    else if (rest[i + 1] === undefined || isOptionLike(rest[i + 1]!)) return undefined;
    else options[name] = rest[++i]!;
  }
  return { root: read.root, words, options };
}

// Reads `[-C DIR]... status [--json]`; anything else is commander's (undefined).
export function readStatusArgv(args: readonly string[]): { root: string | undefined; json: boolean } | undefined {
  const read = readRoot(args);
  if (read?.rest[0] !== 'status' || read.rest.length > 2) return undefined;
  if (read.rest.length === 2 && read.rest[1] !== '--json') return undefined;
  return { root: read.root, json: read.rest.length === 2 };
}
