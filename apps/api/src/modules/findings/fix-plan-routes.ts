import { FixPlanQuerySchema, FixPlanSchema } from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { FixPlanService } from './fix-plan-service.ts';

/** The fix plan: which single changes clear the most, for what the principal may see. */
export const fixPlanRoutes: FastifyPluginAsyncZod<{ service: FixPlanService }> = async (
  app,
  { service },
) => {
  app.get(
    '/api/v1/fix-plan',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['image-security'],
        operationId: 'getFixPlan',
        querystring: FixPlanQuerySchema,
        response: { 200: FixPlanSchema },
      },
    },
    async (request) => service.fixPlan({ ...request.query, visible: principalOf(request).visible }),
  );
};
