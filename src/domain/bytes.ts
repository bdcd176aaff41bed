// Byte counts as the screen, the status line and messages show them: 1024-based, three digits.

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)}${UNITS[unit]}`;
}

export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** A size as the config writes it: bytes, or 500M, 80G, 1.5T (1024-based like formatBytes; "GB", "GiB" read the same). */
export function parseBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:i?B)?$/i.exec(text.trim());
  if (!match) return undefined;
  const power = match[2] ? UNITS.indexOf(match[2].toUpperCase()) : 0;
  return Number(match[1]) * 1024 ** power;
}
