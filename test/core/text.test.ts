import { describe, expect, it } from 'vitest';
import { lastLine, plainText } from '../../src/core/text.js';

describe('plainText', () => {
  it('drops the colour codes a CLI prints for a terminal (gemini 0.61, refusing an untrusted folder)', () => {
    const printed =
      '\u001b[31mGemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`.\u001b[0m';
    expect(plainText(printed)).toBe(
      'Gemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`.',
    );
  });

  it('drops 256-colour and bold codes, window titles, charset switches and stray control characters, and keeps the text', () => {
    expect(
      plainText('\u001b[1;38;5;208mwarn\u001b[22m \u001b]0;claude\u0007ok\u001b(B \u0007bell\u0008 é ✗ → 日本\tTab'),
    ).toBe('warn ok bell é ✗ → 日本\tTab');
  });

  it('ends a line at a carriage return, as a terminal shows a progress line that was rewritten', () => {
    expect(lastLine('downloading 10%\rdownloading 100%\r\n\u001b[2K', 80)).toBe('downloading 100%');
  });
});
