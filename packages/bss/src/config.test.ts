import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLogger } from "@openchami/core";
import { bssConfigFromEnv, DEFAULT_BSS_CONFIG } from "./config.ts";

describe("bssConfigFromEnv (§7)", () => {
  test("defaults when nothing is set; empty variables count as unset, except BSS_GW_URI", () => {
    assert.deepEqual(bssConfigFromEnv({}), DEFAULT_BSS_CONFIG);
    assert.deepEqual(bssConfigFromEnv({ BSS_IPXE_SERVER: "", BSS_RETRY_DELAY: " " }), DEFAULT_BSS_CONFIG);
    assert.equal(bssConfigFromEnv({ BSS_GW_URI: "" }).gatewayUri, "");
  });

  test("every variable", () => {
    assert.deepEqual(
      bssConfigFromEnv({
        BSS_IPXE_SERVER: "demo.openchami.cluster",
        BSS_CHAIN_PROTO: "HTTP",
        BSS_GW_URI: "/apis/bss",
        BSS_RETRY_DELAY: "1m",
        BSS_HSM_RETRIEVAL_DELAY: "5",
        BSS_ADVERTISE_ADDRESS: "http://10.0.0.1:8081/cloud-init",
        BSS_MAX_RETRIES: "10",
        BSS_RETRY_BACKOFF: "exponential",
        BSS_RETRY_MAX_DELAY: "600",
        BSS_ENDPOINT_HISTORY_MAX: "20",
      }),
      {
        ipxeServer: "demo.openchami.cluster",
        chainProto: "http",
        gatewayUri: "/apis/bss",
        retryDelay: 60,
        hsmRetrievalDelay: 5,
        advertiseAddress: "http://10.0.0.1:8081/cloud-init",
        maxRetries: 10,
        retryBackoff: "exponential",
        retryMaxDelay: 600,
        endpointHistoryMax: 20,
      },
    );
  });

  test("invalid values name their variable", () => {
    assert.throws(
      () => bssConfigFromEnv({ BSS_CHAIN_PROTO: "ftp" }),
      /^Error: BSS_CHAIN_PROTO: must be one of http, https/,
    );
    assert.throws(
      () => bssConfigFromEnv({ BSS_MAX_RETRIES: "-1" }),
      /^Error: BSS_MAX_RETRIES: invalid number/,
    );
    assert.throws(
      () => bssConfigFromEnv({ BSS_RETRY_DELAY: "soon" }),
      /^Error: BSS_RETRY_DELAY: invalid duration/,
    );
    assert.throws(
      () => bssConfigFromEnv({ BSS_RETRY_BACKOFF: "linear" }),
      /BSS_RETRY_BACKOFF: must be one of none, exponential/,
    );
  });

  test("upstream variables with no meaning here are logged as ignored", () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "warn",
      destination: { write: (line: string) => lines.push(line) },
    });
    bssConfigFromEnv(
      { BSS_USESQL: "true", ETCD_HOST: "etcd", BSS_OAUTH2_ADMIN_BASE_URL: "x", PATH: "/bin" },
      logger,
    );
    const ignored = lines.map((line) => JSON.parse(line).variable);
    assert.deepEqual(ignored, ["BSS_USESQL", "ETCD_HOST", "BSS_OAUTH2_ADMIN_BASE_URL"]);
  });
});
