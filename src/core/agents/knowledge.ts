import type { Driver } from '../../store/driver.ts';
import type { KnowledgeDocument, KnowledgePassage } from '../../store/knowledge.ts';
import type { AgentVersion } from '../../store/agent-versions.ts';
import { stores } from '../../store/index.ts';
import { invalidArgument, notFound } from '../../kernel/errors.ts';
import { AGENT_LIMITS, type KnowledgeInput } from './agent-input.ts';
import type { Agent, AgentScope, AgentService, VersionSelector } from './agents.ts';

export type { KnowledgeDocument, KnowledgePassage };
export { KNOWLEDGE_MEDIA_TYPES, type KnowledgeMediaType } from '../../store/knowledge.ts';

/**
 * An agent's knowledge base: documents cut into passages and indexed with PostgreSQL full-text
 * search in the same database, so every process searches one index (PGlite too). Adding or
 * removing a document is a change of the agent: a new version whose set of documents says what
 * it knows; searching a version searches only that set.
 */
export class KnowledgeService {
  constructor(private readonly db: Driver, private readonly agents: AgentService) {}

  /** Adds documents; the agent's new edge version holds them beside the ones it had. */
  async add(scope: AgentScope, agentId: string, documents: KnowledgeInput[]): Promise<{ agent: Agent; documents: KnowledgeDocument[] }> {
    if (documents.length === 0) throw invalidArgument('knowledge', 'must add at least one document');
    const { agent, added } = await this.agents.change(scope, agentId, {}, { add: documents });
    return { agent, documents: await stores(this.db).knowledge.listDocuments(scope.customerId, agentId, added) };
  }

  /** The documents of a version (default: the edge, what the agent knows now), in the order it holds them. */
  async list(scope: AgentScope, agentId: string, selector: VersionSelector = 'edge'): Promise<KnowledgeDocument[]> {
    const version = await this.agents.version(scope, agentId, selector);
    return stores(this.db).knowledge.listDocuments(scope.customerId, agentId, version.documentIds);
  }

  /** A document of the agent's current knowledge base. */
  async get(scope: AgentScope, agentId: string, documentId: string): Promise<KnowledgeDocument> {
    const version = await this.agents.version(scope, agentId, 'edge');
    const [doc] = version.documentIds.includes(documentId)
      ? await stores(this.db).knowledge.listDocuments(scope.customerId, agentId, [documentId])
      : [];
    if (!doc) throw notFound('knowledge document');
    return doc;
  }

  /** Drops a document from the knowledge base: a new edge version without it (older versions keep it). */
  async remove(scope: AgentScope, agentId: string, documentId: string): Promise<Agent> {
    return this.agents.update(scope, agentId, {}, { remove: [documentId] });
  }

  /**
   * The passages of a version's knowledge that best match `query`, best first (score: ts_rank,
   * higher is better, not comparable across queries). Nothing when no passage shares a word with
   * the query once stemmed and stop words are dropped.
   */
  async search(scope: AgentScope, agentId: string, selector: VersionSelector, query: string, limit = 5): Promise<KnowledgePassage[]> {
    if (query.length > AGENT_LIMITS.searchQuery) throw invalidArgument('query', `at most ${AGENT_LIMITS.searchQuery} characters`);
    if (!Number.isInteger(limit) || limit < 1 || limit > AGENT_LIMITS.searchResults) {
      throw invalidArgument('limit', `must be from 1 to ${AGENT_LIMITS.searchResults}`);
    }
    return this.searchVersion(await this.agents.version(scope, agentId, selector), query, limit);
  }

  /** search, in a version the caller holds (a turn's: the agent version its conversation runs). */
  async searchVersion(version: AgentVersion, query: string, limit = 5): Promise<KnowledgePassage[]> {
    if (version.documentIds.length === 0 || query.trim() === '') return [];
    return stores(this.db).knowledge.searchPassages(version.customerId, version.agentId, version.documentIds, query, limit);
  }
}
