import { ADD_OPTIONS } from './add-options.js';

// An `orchestrate add` command line as the lean path reads it.
export interface AddArgv {
  // -C / --root
  root: string | undefined;
  words: string[];
  // By commander's attribute names (--max-retries: maxRetries).
  options: Record<string, string>;
}

// Each option's short and long flag, with its attribute name.
const FLAGS = new Map<string, string>();
for (const { flags } of ADD_OPTIONS) {
  const long = flags.match(/--([\w-]+)/)![1]!;
  const name = long.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
  FLAGS.set(`--${long}`, name);
  const short = flags.match(/^(-\w),/)?.[1];
  if (short) FLAGS.set(short, name);
}

const isOptionLike = (word: string) => word.startsWith('-');

// Reads `[-C DIR | --root DIR | --root=DIR]... (add|submit) [OPTION VALUE | --option=VALUE | WORD]... [-- WORD...]`,
// where no value and no word before `--` starts with a dash. Anything else (help, the version, an
// unknown or misspelt option, a missing value, global options after `add`) is left to commander,
// which says what is wrong as it always has: undefined.
export function readAddArgv(args: readonly string[]): AddArgv | undefined {
  let root: string | undefined;
  let i = 0;
  for (; args[i] === '-C' || args[i] === '--root' || args[i]?.startsWith('--root=') === true; i++) {
    if (args[i]!.startsWith('--root=')) root = args[i]!.slice('--root='.length);
    else if (args[i + 1] === undefined || isOptionLike(args[i + 1]!)) return undefined;
    else root = args[++i];
  }
  if (args[i] !== 'add' && args[i] !== 'submit') return undefined;
  const words: string[] = [];
  const options: Record<string, string> = {};
  for (i++; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      words.push(...args.slice(i + 1));
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
    else if (args[i + 1] === undefined || isOptionLike(args[i + 1]!)) return undefined;
    else options[name] = args[++i]!;
  }
  return { root, words, options };
}
