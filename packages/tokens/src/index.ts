export { type IssuerOptions, type MintRequest, openTokenIssuer, type TokenIssuer } from "./issuer.ts";
export { tokenRoutes } from "./routes.ts";
export { ROLE_SCOPES } from "./scopes.ts";
