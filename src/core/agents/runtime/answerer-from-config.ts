import { OpenAiChat, type LlmOptions } from '../../../providers/llm/openai-chat.ts';
import type { Answerer } from './answerer.ts';
import { LlmAnswerer } from './llm-answerer.ts';
import { LocalAnswerer } from './local-answerer.ts';

/**
 * The agent runtime as configured: the LLM answerer when PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL
 * are set (the same endpoint insights use, analyzerFromConfig), else the local retrieval agent.
 */
export function answererFromConfig(config: { llm: LlmOptions | undefined }): Answerer {
  return config.llm ? new LlmAnswerer(new OpenAiChat(config.llm)) : new LocalAnswerer();
}
