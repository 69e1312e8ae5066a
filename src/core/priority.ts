// Priorities are ordered numbers inside, words for people: 0 runs first.
export const PRIORITY_NAMES = ['high', 'normal', 'low'] as const;
export type PriorityName = (typeof PRIORITY_NAMES)[number];
export type PriorityLevel = 0 | 1 | 2;

// Maps a person's priority (a word or 0 | 1 | 2) to its level, or undefined when it is neither.
export function priorityLevel(value: unknown): PriorityLevel | undefined {
  if (value === 0 || value === 1 || value === 2) return value;
  if (typeof value === 'string') {
    const index = PRIORITY_NAMES.indexOf(value.toLowerCase() as PriorityName);
    if (index >= 0) return index as PriorityLevel;
    if (/^[012]$/.test(value)) return Number(value) as PriorityLevel;
  }
  return undefined;
}

// The word for a level.
export function priorityName(level: PriorityLevel): PriorityName {
  return PRIORITY_NAMES[level];
}
