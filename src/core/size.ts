// A size as people write it in orchestrator.yaml: a number of bytes, or a number with KB, MB or GB
// (powers of 1024; "256MB", "1.5 GB", "0"). Undefined when it is none of these.
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|K|M|G)?$/i;
const UNITS: Record<string, number> = {
  B: 1,
  K: 1024,
  KB: 1024,
  M: 1024 ** 2,
  MB: 1024 ** 2,
  G: 1024 ** 3,
  GB: 1024 ** 3,
};

export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'B').toUpperCase()]!);
}

// A byte count in the largest unit that keeps it readable ("256 MB", "1.5 GB", "512 B").
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}
