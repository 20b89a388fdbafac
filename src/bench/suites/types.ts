import type { BenchSettings, SuiteResult } from '../types.js';

export interface Suite {
  name: string;
  description: string;
  run(settings: BenchSettings): Promise<SuiteResult>;
}
