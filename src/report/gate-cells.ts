/** The cells every metric-gate table starts with, so both traffic strategies read a window alike. */
import type { GateResult } from '../strategies/blue-green/gates.js';

export function gateCells(g: GateResult): string[] {
  return [
    g.window,
    String(g.minutes),
    String(g.requests),
    String(g.errors5xx),
    g.p95Ms === undefined ? '—' : `${Math.round(g.p95Ms)} ms`,
  ];
}
