#!/usr/bin/env node
import { readAddArgv } from '../cli/support/add-argv.js';
import { reportFailure } from '../cli/support/errors.js';
import { submitTask } from '../cli/support/submit-task.js';
import { existingWorkspace } from '../cli/support/workspace.js';

// The entry point. A plain `orchestrate add` (what agents run most) takes a lean path: this file is
// built as CommonJS with what `add` needs inlined, so it loads neither commander nor the ES module
// loader (a third of the command's time). Every other command, and any `add` line it does not read
// (help, an unknown option, a missing value), goes to the full program, which says what is wrong.
const argv = readAddArgv(process.argv.slice(2));
if (argv) {
  Promise.resolve()
    .then(() => submitTask(existingWorkspace(argv.root), argv.words, argv.options))
    .catch(reportFailure);
} else {
  void import('./program.js');
}
