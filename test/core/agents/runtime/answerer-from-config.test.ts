import assert from 'node:assert/strict';
import { it } from 'node:test';
import { answererFromConfig } from '../../../../src/core/agents/runtime/answerer-from-config.ts';
import { loadConfig } from '../../../../src/config.ts';

it('runs the local retrieval agent without PARLEY_LLM_*, the LLM answerer with them', () => {
  assert.equal(answererFromConfig(loadConfig({})).name, 'local-retrieval');
  const llm = loadConfig({ PARLEY_LLM_BASE_URL: 'http://127.0.0.1:9/v1', PARLEY_LLM_MODEL: 'gpt-test' });
  assert.equal(answererFromConfig(llm).name, 'llm:gpt-test');
});
