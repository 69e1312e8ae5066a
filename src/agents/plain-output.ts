import { lastLine } from '../core/text.js';
import type { AgentReport, RunOutput } from './preset.js';

const SUMMARY_LENGTH = 200;

// The last non-empty line, shortened: what a person wants to see first.
export function summarize(text: string): string {
  return lastLine(text, SUMMARY_LENGTH);
}

// Reads a plain command's output: the exit code decides, stdout is the answer.
export function readPlainOutput(output: RunOutput): AgentReport {
  const success = output.exitCode === 0;
  const stderrLine = summarize(output.stderr);
  return {
    success,
    answer: output.stdout,
    summary: summarize(output.stdout) || (success ? '' : stderrLine),
    ...(success || stderrLine === '' ? {} : { error: stderrLine }),
  };
}
