import { shellCommand } from '../../core/shell-quote.js';
import { closest } from '../../core/suggest.js';
import { CliError } from './errors.js';

// A word that can only be meant as an option: a dash, a letter, no space (`--agnet`, `-q`). A
// description word that merely starts with a dash (`- x`, `-1e3`, `-`) is taken as written.
const OPTION_LIKE = /^--?[A-Za-z][\w-]*(=\S*)?$/;

// `add` takes unknown options as description words (so `add "- x"` works); one that looks like an
// option is refused here, with the nearest known option and the way to mean it as text. Words after
// `--` in argv (the last ones) are text whatever they look like.
export function checkDescriptionWords(
  words: readonly string[],
  knownOptions: readonly string[],
  argv: readonly string[],
): void {
  const end = argv.indexOf('--');
  const literal = end < 0 ? 0 : argv.length - end - 1;
  const option = words.slice(0, words.length - literal).find((word) => OPTION_LIKE.test(word));
  if (option === undefined) return;
  const guess = closest(option.split('=')[0]!, knownOptions);
  const text = shellCommand(['orchestrate', 'add', '--', ...words]);
  const known = guess
    ? `did you mean ${guess}?`
    : 'see `orchestrate add --help`; other task fields go in a task file: `orchestrate add --file FILE`';
  throw new CliError(
    `orchestrate add has no option '${option}' (${known}); if it is part of the description, put it after --: ${text}`,
    2,
  );
}
