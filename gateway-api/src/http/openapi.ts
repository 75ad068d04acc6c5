import { z } from 'zod';
import type { RouteSpec } from './route.js';

const ErrorEnvelope = z.object({
  error: z.object({ code: z.string(), message: z.string(), transactionId: z.string().optional() }),
});

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });
}

/** A documented response's content: its zod schema as JSON, or its non-JSON media type (a PDF). */
function responseContent(response: { schema?: z.ZodType; contentType?: string }): Record<string, unknown> {
  if (response.contentType) {
    return { content: { [response.contentType]: { schema: { type: 'string', format: 'binary' } } } };
  }
  return response.schema ? { content: { 'application/json': { schema: jsonSchema(response.schema) } } } : {};
}

/** One query parameter per key of the route's query schema. */
function queryParameters(route: RouteSpec): Record<string, unknown>[] {
  if (!route.query) return [];
  return Object.entries(route.query.shape).map(([name, schema]) => {
    const json = jsonSchema(schema as z.ZodType) as Record<string, unknown>;
    const { description, ...rest } = json;
    return {
      name,
      in: 'query',
      required: !(schema as z.ZodType).safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** The route's own prose, then who may call it. */
function operationDescription(route: RouteSpec): { description?: string } {
  const roles = route.access === 'public' ? undefined : `Roles: ${route.access.join(', ')}`;
  const text = [route.description, roles].filter((part) => part !== undefined).join('\n\n');
  return text ? { description: text } : {};
}

/** Sent on any authenticated write; see services/request-scope.ts for what it guarantees. */
const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Names this write so a retry is safe: the same key and body from the same caller is answered with the ' +
    'first outcome and written once, also after a gateway restart; the same key with another body is 422 ' +
    'IDEMPOTENCY_KEY_REUSED. 1-200 of A-Z a-z 0-9 . _ : - (a UUID is fine). ' +
    '同一调用方以相同幂等键和请求体重试时，只写入一次并返回首次结果。',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,200}$' },
};

/** OpenAPI 3.1 generated from the same route declarations and zod schemas the server uses. */
export function openApiDocument(routes: readonly RouteSpec[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...queryParameters(route),
      ...(route.method !== 'get' && route.access !== 'public' ? [IDEMPOTENCY_KEY_PARAMETER] : []),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses ?? { 200: { description: 'OK' } })) {
      responses[status] = { description: response.description, ...responseContent(response) };
    }
    const errorContent = { content: { 'application/json': { schema: jsonSchema(ErrorEnvelope) } } };
    responses['400'] ??= { description: 'Invalid request (INVALID_ARGUMENT)', ...errorContent };
    if (route.method !== 'get') {
      responses['429'] = {
        description: 'Too many requests from this token or address (RATE_LIMITED); see Retry-After',
        ...errorContent,
      };
    }
    if (route.method !== 'get' && route.access !== 'public') {
      responses['422'] ??= {
        description: 'The Idempotency-Key was first used with another request (IDEMPOTENCY_KEY_REUSED)',
        ...errorContent,
      };
    }
    if (route.access !== 'public') {
      responses['401'] = { description: 'Missing or unknown token (UNAUTHENTICATED)', ...errorContent };
      responses['403'] ??= { description: 'Wrong role or organisation', ...errorContent };
    }
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...operationDescription(route),
      ...(route.access === 'public' ? {} : { security: [{ bearer: [] }] }),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  paths['/openapi.json'] = {
    get: {
      summary: 'This document',
      tags: ['system'],
      responses: {
        200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Education credential and records ledger — gateway API',
      version: '0.1.0',
      description: 'W3C VC-API issue/verify, Bitstring Status List, personal-data vault and ledger audit.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
