import type { AgentConfig } from '../core/config-schema.js';
import { claudePreset } from './claude-preset.js';
import { codexPreset } from './codex-preset.js';
import { commandAgent } from './command-agent.js';
import { copilotPreset } from './copilot-preset.js';
import { geminiPreset } from './gemini-preset.js';
import type { AgentPreset } from './preset.js';
import { qwenPreset } from './qwen-preset.js';
import { shellPreset } from './shell-preset.js';

const PRESETS: Record<string, AgentPreset> = {
  shell: shellPreset,
  claude: claudePreset,
  codex: codexPreset,
  gemini: geminiPreset,
  qwen: qwenPreset,
  copilot: copilotPreset,
};

// The preset names orchestrator.yaml may use.
export const PRESET_NAMES = Object.keys(PRESETS);

// The preset that drives an agent: its named preset, or the generic command runner.
export function presetFor(agent: AgentConfig): AgentPreset {
  return agent.preset === undefined ? commandAgent : PRESETS[agent.preset]!;
}
