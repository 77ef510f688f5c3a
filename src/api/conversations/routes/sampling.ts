import type { FastifyInstance } from 'fastify';
import type { SurfaceOptions } from '../index.ts';

export async function samplingRoutes(_app: FastifyInstance, _options: SurfaceOptions) {
  // Routes are added here.
}
