/** One figure printed by `npm run bench`. */
export interface BenchRow {
  /** Which benchmark group it belongs to, e.g. `bundle`, `rolling`. */
  group: string;
  name: string;
  value: number;
  unit: string;
  /** What to compare it with, or how it was measured. */
  note?: string;
}

/** Every `bench/*.bench.ts` module exports this. */
export type Bench = () => Promise<BenchRow[]>;
