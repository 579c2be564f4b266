import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";

export interface TestIssuer {
  jwks: JSONWebKeySet;
  /** A valid RS256 token for these scopes (iss `test`, aud `smd bss cloud-init`, 1 h). */
  mint(scopes: string[], subject?: string): Promise<string>;
}

/** A throwaway signing key for service tests that run with auth on. */
export async function testIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  return {
    jwks: { keys: [jwk] },
    mint: (scopes, subject = "tester") =>
      new SignJWT({ scope: scopes })
        .setProtectedHeader({ alg: "RS256", kid: "test-key" })
        .setIssuer("test")
        .setSubject(subject)
        .setAudience(["smd", "bss", "cloud-init"])
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
  };
}
