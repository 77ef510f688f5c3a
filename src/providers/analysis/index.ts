import type { Analyzer } from './analyzer.ts';
import { LlmAnalyzer, type LlmAnalyzerOptions } from './llm-analyzer.ts';
import { LocalAnalyzer } from './local-analyzer.ts';

export * from './analyzer.ts';
export { LlmAnalyzer, type LlmAnalyzerOptions } from './llm-analyzer.ts';
export { LocalAnalyzer } from './local-analyzer.ts';

/** The LLM analyzer when PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL are set, else the local one. */
export function analyzerFromConfig(config: { llm: LlmAnalyzerOptions | undefined }): Analyzer {
  return config.llm ? new LlmAnalyzer(config.llm) : new LocalAnalyzer();
}
