import type { Problem } from './problems.js';

// Deeper than any task, plan or config needs: the YAML parser would spend seconds on such a text
// (measured: ~1.3 s for 60,000 nested brackets, ~0.2 s for 3,000 levels of indentation), holding up
// every other task.
const MAX_FLOW_DEPTH = 64;
const MAX_INDENT = 256;
// Indicators and node properties in a row on one line (`- - - x`, `? ? x`, `!t &a x`): each opens a
// node (or dresses one) the parser must build: ~430 s for 20,000 `? `, ~0.2 s for 20,000 `- `.
const MAX_INLINE_NODES = 64;
// Anchors and aliases in a whole file: the library looks each alias up among all that came before it
// (5.6 s for 1,000 anchors each used 20 times; 2,000 in all cost ~70 ms). Task files need none.
const MAX_ANCHORS_AND_ALIASES = 1000;

const SPACE = 0x20;
const NEWLINE = 0x0a;

// A line indented past the limit, or more brackets or indicators in the whole text than one
// nesting or one line may hold: what any problem needs. Found by native scans (the walk below costs
// a CLI that reads 300 files ~15 ms before the JIT warms up); most texts have none of them.
const DEEP_INDENT = new RegExp(`^ {${MAX_INDENT + 1}}`, 'm');
const OPENERS = /[[{]/g;
// Every character the walk counts as an entry, tag, anchor or alias (and some it does not).
const INDICATORS = /[:!&*]|[-?](?=[ \t\n]|$)/g;

function mayBeTooDeep(text: string): boolean {
  return (
    DEEP_INDENT.test(text) ||
    (text.match(OPENERS)?.length ?? 0) > MAX_FLOW_DEPTH ||
    (text.match(INDICATORS)?.length ?? 0) > MAX_INLINE_NODES
  );
}

// A text nested too deep to be worth parsing, found without parsing it: flow brackets (`[`, `{`)
// that open collections, and indentation of structure lines. What is text to YAML is not counted:
// quoted scalars, comments, the content of `|` and `>` blocks, and brackets inside a plain scalar.
export function nestingProblem(text: string): Problem | undefined {
  return mayBeTooDeep(text) ? walkNesting(text) : undefined;
}

// The walk itself, character by character (exported for the test that holds the shortcut to it).
export function walkNesting(text: string): Problem | undefined {
  let line = 1;
  let flow = 0;
  let nodeStart = true;
  // The indentation of the line that opened a block scalar, while its content lines are skipped.
  let blockParent: number | undefined;
  let references = 0;
  for (let i = 0; i < text.length; i++) {
    // At the start of a line: its indentation, and whether it is a block scalar's content.
    let indent = 0;
    while (text.charCodeAt(i) === SPACE) {
      i++;
      indent++;
    }
    const blank = i >= text.length || text.charCodeAt(i) === NEWLINE;
    if (blockParent !== undefined && (blank || indent > blockParent)) {
      i = lineEnd(text, i);
      line++;
      continue;
    }
    blockParent = undefined;
    // In flow context too: a line that opens a bracket must not turn the check off for the rest.
    if (!blank && indent > MAX_INDENT)
      return {
        path: `line ${line}`,
        message: `indented more than ${MAX_INDENT} columns (a task file needs a few levels at most)`,
      };
    nodeStart = true;
    let inlineNodes = 0;
    for (; i < text.length && text.charCodeAt(i) !== NEWLINE; i++) {
      const char = text[i]!;
      const next = text[i + 1];
      const spaceBefore = i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t';
      if (char === '#' && spaceBefore) {
        i = lineEnd(text, i) - 1;
      } else if (nodeStart && (char === '"' || char === "'")) {
        const end = quoteEnd(text, i);
        for (let k = i; k < end; k++) if (text.charCodeAt(k) === NEWLINE) line++;
        i = end;
        nodeStart = false;
      } else if (
        nodeStart &&
        flow === 0 &&
        (char === '|' || char === '>') &&
        /^[|>][0-9+-]*\s*(#.*)?$/.test(text.slice(i, lineEnd(text, i)))
      ) {
        blockParent = indent;
        i = lineEnd(text, i) - 1;
      } else if ((char === '[' || char === '{') && (nodeStart || flow > 0)) {
        if (++flow > MAX_FLOW_DEPTH)
          return {
            path: `line ${line}`,
            message: `nested more than ${MAX_FLOW_DEPTH} brackets deep (a task file needs a few levels at most)`,
          };
        nodeStart = true;
      } else if ((char === ']' || char === '}') && flow > 0) {
        flow--;
      } else if (
        (char === ':' || char === '-' || char === '?') &&
        (next === undefined || next === ' ' || next === '\t' || next === '\n' || (flow > 0 && char === ':'))
      ) {
        if (nodeStart && ++inlineNodes > MAX_INLINE_NODES) return inlineProblem(line);
        nodeStart = char === ':' || nodeStart;
      } else if (nodeStart && (char === '!' || char === '&' || char === '*')) {
        // A tag or an anchor (the node it dresses starts after it), or an alias.
        if (++inlineNodes > MAX_INLINE_NODES) return inlineProblem(line);
        if (char !== '!' && ++references > MAX_ANCHORS_AND_ALIASES)
          return {
            path: `line ${line}`,
            message: `more than ${MAX_ANCHORS_AND_ALIASES} anchors and aliases (a task file needs none)`,
          };
        while (i + 1 < text.length && !/[\s,[\]{}]/.test(text[i + 1]!)) i++;
        nodeStart = char !== '*';
      } else if (char === ',' && flow > 0) {
        nodeStart = true;
      } else if (char !== ' ' && char !== '\t') {
        nodeStart = false;
      }
    }
    line++;
  }
  return undefined;
}

function inlineProblem(line: number): Problem {
  return {
    path: `line ${line}`,
    message: `more than ${MAX_INLINE_NODES} nested entries, tags or anchors on one line (a task file needs a few at most)`,
  };
}

// The index of the newline that ends the line holding `i` (or the text's length).
function lineEnd(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end < 0 ? text.length : end;
}

// The index of the quote that closes the quoted scalar opening at `start` (or the text's length):
// `\"` escapes in double quotes, `''` in single quotes.
function quoteEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}
