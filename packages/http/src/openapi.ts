import { STATUS_CODES } from "node:http";
import type { FastifyInstance, RouteOptions } from "fastify";

export interface OpenApiInfo {
  title: string;
  version: string;
  /** Where the document is served, relative to the service prefix. */
  path?: string;
}

type Json = Record<string, unknown>;

/**
 * Serves an OpenAPI 3.1 document for the calling plugin's routes at `<prefix>/openapi.json`
 * (public). Call it inside a service plugin before its routes: it sees the routes
 * registered after it, in this scope and its children. `schema.hide` leaves a route out.
 */
export function serviceOpenApi(app: FastifyInstance, info: OpenApiInfo): void {
  const prefix = app.prefix;
  const routes: RouteOptions[] = [];
  app.addHook("onRoute", (route) => {
    if (route.schema?.hide !== true) routes.push(route);
  });
  let document: Json | undefined;
  app.get(info.path ?? "/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => {
    document ??= buildDocument(prefix, info, routes);
    return document;
  });
}

function buildDocument(prefix: string, info: OpenApiInfo, routes: readonly RouteOptions[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.url.slice(prefix.length) || "/");
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Every GET answers HEAD too; listing HEAD would only double the document.
    for (const method of methods.filter((m) => m !== "HEAD")) {
      paths[path] ??= {};
      paths[path][method.toLowerCase()] = operation(route, path);
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version },
    servers: [{ url: prefix || "/" }],
    paths,
    components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    security: [{ bearerAuth: [] }],
  };
}

/** `/State/Components/:xname` -> `/State/Components/{xname}`; a wildcard becomes `{wildcard}`. */
function toOpenApiPath(path: string): string {
  return path.replace(/:(\w+)(\([^)]*\))?/g, "{$1}").replace(/\*$/, "{wildcard}");
}

function operation(route: RouteOptions, path: string): Json {
  const schema = route.schema ?? {};
  const op: Json = {};
  for (const key of ["operationId", "summary", "description", "tags"] as const) {
    if (schema[key] !== undefined) op[key] = schema[key];
  }
  const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: propertiesOf(schema.params).get(name!) ?? { type: "string" },
  }));
  const parameters = [
    ...pathParams,
    ...objectParameters(schema.querystring, "query"),
    ...objectParameters(schema.headers, "header"),
  ];
  if (parameters.length > 0) op.parameters = parameters;
  if (schema.body !== undefined) {
    op.requestBody = { required: true, content: { "application/json": { schema: schema.body } } };
  }
  op.responses = responses(schema.response);
  if (route.config?.public) op.security = [];
  return op;
}

function objectParameters(schema: unknown, location: "query" | "header"): Json[] {
  const required = new Set(isRecord(schema) && Array.isArray(schema.required) ? schema.required : []);
  return [...propertiesOf(schema)].map(([name, property]) => ({
    name,
    in: location,
    required: required.has(name),
    schema: property,
  }));
}

function responses(schema: unknown): Json {
  if (!isRecord(schema)) return { 200: { description: "OK" } };
  const out: Json = {};
  for (const [status, body] of Object.entries(schema)) {
    const description =
      (isRecord(body) && typeof body.description === "string" && body.description) ||
      STATUS_CODES[status] ||
      "Response";
    out[status] =
      status === "204" ? { description } : { description, content: { "application/json": { schema: body } } };
  }
  return out;
}

function propertiesOf(schema: unknown): Map<string, unknown> {
  return new Map(isRecord(schema) && isRecord(schema.properties) ? Object.entries(schema.properties) : []);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
