import type { GlobalPosition } from './event';

/**
 * Global positions are encoded by each adapter as fixed-width lowercase hex
 * fields behind an adapter prefix (`pg:` or `kdb:`), so that plain string
 * comparison orders them. The encoding is the adapter's business; consumers
 * only store and compare.
 */
export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.length !== b.length || a.slice(0, a.indexOf(':')) !== b.slice(0, b.indexOf(':'))) {
    throw new TypeError('positions from different stores cannot be compared');
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hexField(value: bigint, width: number): string {
  if (value < 0n) throw new RangeError('position fields are unsigned');
  const hex = value.toString(16);
  if (hex.length > width) throw new RangeError('position field overflow');
  return hex.padStart(width, '0');
}

export function asGlobalPosition(value: string): GlobalPosition {
  return value as GlobalPosition;
}
