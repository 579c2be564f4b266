import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { TokenIssuer } from "./issuer.ts";
import { grantScopes } from "./scopes.ts";

/** RFC 6749 §5.2 error codes this endpoint answers with. */
type OAuthErrorCode = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope";

/** A token endpoint error, rendered as RFC 6749 §5.2 JSON rather than problem+json: OAuth clients parse it. */
class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

const FORM = "application/x-www-form-urlencoded";
/** Tokens from the endpoint live an hour (as upstream's Hydra and TokenSmith), capped by the issuer. */
const ENDPOINT_TTL_SECONDS = 3600;
/** A token request is a handful of short parameters. */
const BODY_LIMIT = 16 * 1024;
const BAD_CLIENT = "client authentication failed";

/**
 * The issuer's routes, registered at the root: the JWKS and an OAuth2 client-credentials
 * token endpoint (RFC 6749 §4.4) at `/token` and `/oauth2/token`. Register without
 * fastify-plugin so the form parser and error handler stay in this scope.
 */
export function tokenRoutes(issuer: TokenIssuer): FastifyPluginAsync {
  return async (app) => {
    if (app.hasContentTypeParser(FORM)) app.removeContentTypeParser(FORM); // ours keeps repeats, to refuse them
    app.addContentTypeParser(FORM, { parseAs: "string" }, (_req, body, done) => {
      done(null, new URLSearchParams(body as string));
    });

    app.setErrorHandler<FastifyError | OAuthError>((err, _req, reply) => {
      if (err instanceof OAuthError) return sendOAuthError(reply, err);
      // Fastify's own 4xx (bad JSON, wrong media type, too large). Its message may quote the body.
      if (err.statusCode !== undefined && err.statusCode < 500) {
        return sendOAuthError(
          reply,
          new OAuthError(
            "invalid_request",
            `the body must be ${FORM} or a JSON object, at most ${BODY_LIMIT} bytes`,
          ),
        );
      }
      throw err; // to the application's problem+json handler
    });

    app.get("/.well-known/jwks.json", async (_req, reply) => {
      // Short, so verifiers that cache it see a rotation soon.
      reply.header("cache-control", "public, max-age=60");
      return issuer.jwks();
    });

    const issueToken = async (req: FastifyRequest, reply: FastifyReply) => {
      const params = requestParams(req.body);
      const grantType = params.get("grant_type");
      if (grantType === undefined) throw new OAuthError("invalid_request", "grant_type is required");
      if (grantType !== "client_credentials") {
        throw new OAuthError("unsupported_grant_type", "only client_credentials is supported");
      }
      const credentials = clientCredentials(req.headers.authorization, params);
      const client = await issuer.authenticateClient(credentials.id, credentials.secret);
      if (!client) {
        req.log.warn({ clientId: credentials.id }, "token request with bad client credentials");
        throw new OAuthError("invalid_client", BAD_CLIENT);
      }
      const grant = grantScopes(params.get("scope"), client.scopes);
      if ("refused" in grant) {
        throw new OAuthError(
          "invalid_scope",
          `scope not allowed for this client: ${grant.refused.join(" ")}`,
        );
      }
      const ttlSeconds = Math.min(ENDPOINT_TTL_SECONDS, issuer.maxTtlSeconds);
      const token = await issuer.mint({ subject: client.id, scopes: grant.granted, ttlSeconds });
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
      return {
        access_token: token,
        token_type: "Bearer",
        expires_in: ttlSeconds,
        scope: grant.granted.join(" "),
      };
    };
    app.post("/token", { bodyLimit: BODY_LIMIT }, issueToken);
    app.post("/oauth2/token", { bodyLimit: BODY_LIMIT }, issueToken);
  };
}

function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  // RFC 6749 §5.2 allows 401 only for invalid_client; OAuth clients expect the Basic challenge.
  if (err.code === "invalid_client") reply.code(401).header("www-authenticate", 'Basic realm="openchami"');
  else reply.code(400);
  return reply
    .header("cache-control", "no-store")
    .send({ error: err.code, error_description: err.description });
}

/** The body's parameters, from a form or a JSON object; each may appear once (RFC 6749 §3.2). */
function requestParams(body: unknown): Map<string, string> {
  const params = new Map<string, string>();
  if (body === undefined || body === null) return params;
  const entries =
    body instanceof URLSearchParams
      ? [...body]
      : typeof body === "object" && !Array.isArray(body)
        ? Object.entries(body)
        : undefined;
  if (!entries) throw new OAuthError("invalid_request", "the body must be a form or a JSON object");
  for (const [name, value] of entries) {
    if (typeof value !== "string") throw new OAuthError("invalid_request", `${name} must be a string`);
    if (params.has(name)) throw new OAuthError("invalid_request", `${name} is repeated`);
    params.set(name, value);
  }
  return params;
}

/**
 * The client's id and secret from HTTP Basic (`client_secret_basic`) or the body
 * (`client_secret_post`). Using both is an error (RFC 6749 §2.3).
 */
function clientCredentials(authorization: string | undefined, params: Map<string, string>) {
  if (authorization === undefined) {
    const id = params.get("client_id");
    const secret = params.get("client_secret");
    if (id === undefined || secret === undefined) throw new OAuthError("invalid_client", BAD_CLIENT);
    return { id, secret };
  }
  if (params.has("client_secret")) {
    throw new OAuthError("invalid_request", "authenticate with HTTP Basic or client_secret, not both");
  }
  const [scheme, encoded] = authorization.split(" ", 2);
  const decoded =
    scheme?.toLowerCase() === "basic" ? Buffer.from(encoded ?? "", "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new OAuthError("invalid_client", BAD_CLIENT);
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  const bodyId = params.get("client_id");
  if (bodyId !== undefined && bodyId !== id) {
    throw new OAuthError("invalid_request", "client_id does not match the Authorization header");
  }
  return { id, secret };
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    throw new OAuthError("invalid_client", BAD_CLIENT);
  }
}
