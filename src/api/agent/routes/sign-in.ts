import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponses, OrganizationParams, SignInHeaders, SignInResponse } from '../schemas.ts';

const tags = ['Agent: user'];

export async function signInRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // No body: Amigo's SDK sends content-length 0 and no content-type; a body sent anyway is ignored.
  r.post('/user/signin_with_api_key', {
    config: { anonymous: true, openapi: { security: [] } },
    schema: {
      tags, operationId: 'sign-in-with-api-key',
      summary: 'Trade an API key for a token acting as an end user (created on first sign-in)',
      params: OrganizationParams, headers: SignInHeaders,
      response: { 200: SignInResponse, ...errorResponses },
    },
  }, async (request) => {
    const signedIn = await core.endUsers.signIn({
      customerId: request.params.organization,
      apiKey: request.headers['x-api-key'],
      apiKeyId: request.headers['x-api-key-id'],
      userId: request.headers['x-user-id'],
    });
    return { id_token: signedIn.idToken, expires_at: signedIn.expiresAt.toISOString() };
  });
}
