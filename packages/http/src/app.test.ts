import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { errors } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { buildHttp } from "./app.ts";
import { serviceOpenApi } from "./openapi.ts";
import { captureLogs, listen } from "./test-support.ts";

const Toggle = Type.Object({ Enabled: Type.Boolean() });
const Component = Type.Object({
  ID: Type.String(),
  Enabled: Type.Optional(Type.Boolean()),
  Nested: Type.Optional(Type.Object({ Name: Type.String() })),
  List: Type.Optional(Type.Array(Type.Object({ NID: Type.Integer() }))),
});

async function service(app: FastifyInstance): Promise<void> {
  serviceOpenApi(app, { title: "Test service", version: "1" });
  app.get("/State/Components", { config: { public: true } }, async () => ({ Components: [] }));
  app.post("/State/Components", { schema: { body: Toggle } }, async (request) => request.body);
  app.get(
    "/State/Components/:xname",
    { schema: { params: Type.Object({ xname: Type.String() }), summary: "One component" } },
    async (request) => ({ ID: (request.params as { xname: string }).xname }),
  );
  app.delete("/State/Components/:id", async () => ({ code: 0, message: "deleted 1 entry" }));
  app.post("/go", { schema: { body: Component }, config: { goJson: true } }, async (request) => request.body);
  app.get("/query", { schema: { querystring: Type.Object({ n: Type.Integer() }) } }, async (request) => ({
    type: typeof (request.query as { n: unknown }).n,
  }));
  app.get("/boom", async () => {
    throw new Error("database password hunter2 leaked in a message");
  });
  app.get("/conflict", async () => {
    throw errors.conflict("operation would conflict with an existing component");
  });
}

describe("buildHttp", () => {
  const logs = captureLogs();
  let app: ReturnType<typeof buildHttp>;
  let base: string;

  before(async () => {
    app = buildHttp({ logger: logs.logger, bodyLimit: 4096 });
    app.metrics.counter("test_widgets_total", "Widgets made.").inc();
    await app.register(service, { prefix: "/svc" });
    base = await listen(app);
  });
  after(() => app.close());

  const problem = async (response: Response) => {
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    return (await response.json()) as { type: string; title: string; detail: string; status: number };
  };
  const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  test("an unknown path is Go's plain-text 404", async () => {
    for (const path of ["/nope", "/svc/nope", "/svc/State/Components/x/y"]) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await response.text(), "404 page not found\n");
    }
  });

  test("a known path with the wrong method is 405 with Allow, templated or not", async () => {
    const cases = [
      ["PUT", "/svc/State/Components/x1000c0s0b0n0", "GET,DELETE"],
      ["PUT", "/svc/State/Components/x1000c0s0b0n0/", "GET,DELETE"],
      ["DELETE", "/svc/State/Components", "GET,POST"],
      ["PATCH", "/svc/State/Components/", "GET,POST"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${base}${path}`, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.deepEqual(await problem(response), {
        type: "about:blank",
        title: "Method Not Allowed",
        detail: `allow ${allow}`,
        status: 405,
      });
      assert.equal(response.headers.get("allow"), allow);
    }
  });

  test("OPTIONS on a known path answers 204 with Allow", async () => {
    const response = await fetch(`${base}/svc/State/Components`, { method: "OPTIONS" });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("allow"), "GET,POST");
  });

  test("trailing slashes are ignored and HEAD answers every GET", async () => {
    const slash = await fetch(`${base}/svc/State/Components/`);
    assert.equal(slash.status, 200);
    assert.deepEqual(await slash.json(), { Components: [] });
    const head = await fetch(`${base}/svc/State/Components/x1`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });

  test("malformed or missing JSON bodies are 400 error decoding JSON", async () => {
    const malformed = await postJson("/svc/State/Components", '{"Enabled": tru');
    assert.equal(malformed.status, 400);
    assert.match((await problem(malformed)).detail, /^error decoding JSON \S/);

    const empty = await postJson("/svc/State/Components", "");
    assert.equal(empty.status, 400);
    assert.equal((await problem(empty)).detail, "error decoding JSON EOF");

    const poisoned = await postJson("/svc/State/Components", '{"__proto__":{"x":1},"Enabled":true}');
    assert.equal(poisoned.status, 400);
    assert.match((await problem(poisoned)).detail, /^error decoding JSON /);
  });

  test("a body-less route ignores an empty JSON body (Go clients always send Content-Type)", async () => {
    const response = await fetch(`${base}/svc/State/Components/x1`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
    });
    assert.equal(response.status, 200);
  });

  test("strict routes validate without coercion or key folding", async () => {
    const wrongType = await postJson("/svc/State/Components", '{"Enabled":"fake"}');
    assert.equal(wrongType.status, 400);
    assert.equal((await problem(wrongType)).detail, "body/Enabled must be boolean");

    const folded = await postJson("/svc/State/Components", '{"enabled":true}');
    assert.equal(folded.status, 400);
    assert.match((await problem(folded)).detail, /^body must have required properties Enabled/);

    const ok = await postJson("/svc/State/Components", '{"Enabled":true}');
    assert.deepEqual(await ok.json(), { Enabled: true });
  });

  test("goJson routes decode like Go: folded keys, unknown keys dropped, no coercion", async () => {
    const body = JSON.stringify({
      id: "x1",
      ENABLED: false,
      extra: 1,
      nested: { name: "n", junk: true },
      list: [{ nid: 3, junk: 1 }],
    });
    const response = await postJson("/svc/go", body);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      ID: "x1",
      Enabled: false,
      Nested: { Name: "n" },
      List: [{ NID: 3 }],
    });

    const wrongType = await postJson("/svc/go", '{"ID":"x1","enabled":"fake"}');
    assert.equal(wrongType.status, 400);
    assert.equal((await problem(wrongType)).detail, "error decoding JSON body/Enabled must be boolean");

    const missing = await fetch(`${base}/svc/go`, { method: "POST" });
    assert.equal(missing.status, 400);
    assert.equal((await problem(missing)).detail, "error decoding JSON EOF");

    const duplicate = await postJson("/svc/go", '{"ID":"a","ID":"b"}');
    assert.deepEqual(await duplicate.json(), { ID: "b" });
  });

  test("query strings are coerced, and invalid ones are 400 problem+json", async () => {
    assert.deepEqual(await (await fetch(`${base}/svc/query?n=5`)).json(), { type: "number" });
    const bad = await fetch(`${base}/svc/query?n=five`);
    assert.equal(bad.status, 400);
    assert.match((await problem(bad)).detail, /^querystring\/n /);
  });

  test("oversize bodies are 413, other media types 415", async () => {
    const big = await postJson(
      "/svc/State/Components",
      JSON.stringify({ Enabled: true, pad: "x".repeat(5000) }),
    );
    assert.equal(big.status, 413);
    assert.equal((await problem(big)).status, 413);
    const text = await fetch(`${base}/svc/State/Components`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: "<a/>",
    });
    assert.equal(text.status, 415);
    await problem(text);
  });

  test("a malformed URL is a 400 problem, with a request id and a log line", async () => {
    const response = await fetch(`${base}/svc/State/Components/%zz`, {
      headers: { "x-request-id": "bad-url" },
    });
    assert.equal(response.status, 400);
    assert.equal((await problem(response)).status, 400);
    assert.equal(response.headers.get("x-request-id"), "bad-url");
    assert.ok(logs.lines().some((line) => line.reqId === "bad-url" && line.msg === "request"));
  });

  test("a thrown Problem renders as itself", async () => {
    const response = await fetch(`${base}/svc/conflict`);
    assert.equal(response.status, 409);
    assert.deepEqual(await problem(response), {
      type: "about:blank",
      title: "Conflict",
      detail: "operation would conflict with an existing component",
      status: 409,
    });
  });

  test("an unexpected error is a bare 500; the cause goes to the log only", async () => {
    const response = await fetch(`${base}/svc/boom`);
    assert.equal(response.status, 500);
    const raw = await response.text();
    assert.doesNotMatch(raw, /hunter2|stack|at /);
    assert.deepEqual(JSON.parse(raw), {
      type: "about:blank",
      title: "Internal Server Error",
      detail: "internal server error",
      status: 500,
    });
    const logged = logs.lines().find((line) => line.msg === "unhandled error");
    assert.ok(logged);
    assert.equal(logged.level, 50);
    assert.match(String((logged.err as { stack?: string }).stack), /hunter2[\s\S]*app\.test\.ts/);
  });

  test("x-request-id is echoed when sane and generated otherwise", async () => {
    const echoed = await fetch(`${base}/svc/State/Components`, { headers: { "x-request-id": "abc-123" } });
    assert.equal(echoed.headers.get("x-request-id"), "abc-123");
    const generated = await fetch(`${base}/nope`);
    assert.match(generated.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const tooLong = await fetch(`${base}/svc/State/Components`, {
      headers: { "x-request-id": "a".repeat(200) },
    });
    assert.match(tooLong.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const onError = await fetch(`${base}/svc/State/Components`, {
      method: "PUT",
      headers: { "x-request-id": "e-1" },
    });
    assert.equal(onError.headers.get("x-request-id"), "e-1");
  });

  test("/metrics exposes request counters, latency, memory and registered metrics", async () => {
    await fetch(`${base}/svc/State/Components`);
    await fetch(`${base}/nope`);
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(
      text,
      /^http_requests_total\{method="GET",route="\/svc\/State\/Components",status="200"\} \d+$/m,
    );
    assert.match(text, /^http_requests_total\{method="GET",route="unmatched",status="404"\} \d+$/m);
    assert.match(
      text,
      /^http_request_duration_seconds_bucket\{method="GET",route="\/svc\/State\/Components",le="\+Inf"\} \d+$/m,
    );
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    assert.match(text, /^test_widgets_total 1$/m);
  });

  test("the service's OpenAPI document lists its routes", async () => {
    const response = await fetch(`${base}/svc/openapi.json`);
    assert.equal(response.status, 200);
    const doc = (await response.json()) as {
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(doc.servers, [{ url: "/svc" }]);
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      "/State/Components",
      "/State/Components/{id}",
      "/State/Components/{xname}",
      "/boom",
      "/conflict",
      "/go",
      "/query",
    ]);
    assert.deepEqual(Object.keys(doc.paths["/State/Components"]!).sort(), ["get", "post"]);
    assert.deepEqual(doc.paths["/State/Components"]!.get!.security, []);
    const one = doc.paths["/State/Components/{xname}"]!.get!;
    assert.equal(one.summary, "One component");
    assert.deepEqual(one.parameters, [
      { name: "xname", in: "path", required: true, schema: { type: "string" } },
    ]);
    assert.deepEqual(doc.paths["/go"]!.post!.requestBody, {
      required: true,
      content: { "application/json": { schema: JSON.parse(JSON.stringify(Component)) } },
    });
    assert.deepEqual((doc.paths["/query"]!.get!.parameters as unknown[])[0], {
      name: "n",
      in: "query",
      required: true,
      schema: { type: "integer" },
    });
  });

  test("one log line per request, without secrets or bodies", async () => {
    const before = logs.lines().filter((line) => line.msg === "request").length;
    await postJson("/svc/go?token=s3cr3t-query&x=1", JSON.stringify({ ID: "body-marker" }), {
      authorization: "Bearer s3cr3t-bearer",
      cookie: "jwt=s3cr3t-cookie",
      "x-request-id": "log-test-1",
    });
    const lines = logs.lines().filter((line) => line.msg === "request");
    assert.equal(lines.length, before + 1);
    const line = lines.at(-1)!;
    assert.equal(line.level, 30);
    assert.equal(line.reqId, "log-test-1");
    assert.equal(line.method, "POST");
    assert.equal(line.url, "/svc/go?token&x");
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, "number");
    assert.equal(line.remote, "127.0.0.1");
    assert.doesNotMatch(logs.text(), /s3cr3t|body-marker/);
    // Fastify's own "incoming request" / "request completed" lines are off.
    assert.equal(
      logs.lines().filter((l) => /incoming request|request completed/.test(String(l.msg))).length,
      0,
    );
  });

  test("app.inject sees the same behaviour", async () => {
    const response = await app.inject({ method: "PUT", url: "/svc/State/Components" });
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers["content-type"], "application/problem+json");
  });
});

describe("buildHttp timeouts", () => {
  test("a handler slower than requestTimeoutMs is answered 503", async () => {
    const app = buildHttp({ logger: captureLogs().logger, requestTimeoutMs: 100 });
    app.get("/slow", async (request) => {
      await new Promise((resolve) => request.signal.addEventListener("abort", resolve));
      return "late";
    });
    const base = await listen(app);
    try {
      const response = await fetch(`${base}/slow`);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("content-type"), "application/problem+json");
    } finally {
      await app.close();
    }
  });
});
