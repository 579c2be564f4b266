import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Type } from "typebox";
import { Settings } from "typebox/system";
import { parseBoolean, parseCsv, parseDuration, validateConfig } from "./config.ts";

describe("parseDuration", () => {
  const cases = [
    ["90s", 90],
    ["15m", 900],
    ["1h", 3600],
    ["7d", 604_800],
    ["3600", 3600],
    ["0", 0],
    ["1h30m", 5400],
    [" 2H ", 7200],
  ] as const;
  for (const [raw, seconds] of cases) {
    it(`${JSON.stringify(raw)} is ${seconds} s`, () => assert.equal(parseDuration(raw), seconds));
  }

  for (const raw of ["", "1.5h", "-5", "5 m", "5w", "h", "1h-", "ten", "99999999999999999999"]) {
    it(`rejects ${JSON.stringify(raw)}`, () =>
      assert.throws(() => parseDuration(raw), {
        message: `invalid duration "${raw}" (use e.g. 90s, 15m, 1h, 7d or 3600)`,
      }));
  }

  it("names the setting when told", () => {
    assert.throws(() => parseDuration("soon", "--ttl"), { message: /^--ttl: invalid duration "soon"/ });
  });

  it("reads back what it is given", () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.constantFrom(["s", 1], ["m", 60], ["h", 3600], ["d", 86_400]),
        (n, [unit, size]) => {
          assert.equal(parseDuration(`${n}${unit}`), n * (size as number));
        },
      ),
    );
  });
});

describe("parseBoolean", () => {
  for (const raw of ["true", "TRUE", "1", "yes", "Yes", " true "]) {
    it(`${JSON.stringify(raw)} is true`, () => assert.equal(parseBoolean(raw), true));
  }
  for (const raw of ["false", "False", "0", "no", "NO"]) {
    it(`${JSON.stringify(raw)} is false`, () => assert.equal(parseBoolean(raw), false));
  }
  it("rejects anything else, naming the setting when told", () => {
    assert.throws(() => parseBoolean("maybe"), {
      message: 'invalid boolean "maybe" (use true/false, 1/0 or yes/no)',
    });
    assert.throws(() => parseBoolean("", "OPENCHAMI_NO_AUTH"), {
      message: /^OPENCHAMI_NO_AUTH: invalid boolean ""/,
    });
  });
});

describe("parseCsv", () => {
  it("trims items and drops empty ones", () => {
    assert.deepEqual(parseCsv(" smd, bss,,cloud-init ,"), ["smd", "bss", "cloud-init"]);
    assert.deepEqual(parseCsv(""), []);
    assert.deepEqual(parseCsv(" , "), []);
    assert.deepEqual(parseCsv("one"), ["one"]);
  });
});

describe("validateConfig", () => {
  const schema = Type.Object(
    {
      port: Type.Integer({ minimum: 1, maximum: 65_535 }),
      database: Type.Object({ url: Type.String() }),
      logLevel: Type.Union([Type.Literal("info"), Type.Literal("debug")]),
      listen: Type.Union([Type.String(), Type.Number()]),
      mode: Type.Enum(["pglite", "postgres"]),
      tags: Type.Optional(Type.Array(Type.String())),
    },
    { additionalProperties: false },
  );
  const good = { port: 27779, database: { url: "memory://" }, logLevel: "info", listen: 0, mode: "pglite" };

  it("returns a valid value unchanged and typed", () => {
    const config = validateConfig(schema, good, "config.yaml");
    assert.equal(config, good);
    assert.equal(config.database.url, "memory://");
  });

  it("lists every problem, one `<source>: <path>: <message>` line each", () => {
    const bad = {
      port: 0,
      database: {},
      logLevel: "loud",
      listen: true,
      mode: "sqlite",
      tags: ["a", 2],
      colour: "blue",
    };
    assert.throws(() => validateConfig(schema, bad, "/etc/openchami/config.yaml"), {
      message: [
        "/etc/openchami/config.yaml: /colour: is not allowed",
        "/etc/openchami/config.yaml: /port: must be >= 1",
        "/etc/openchami/config.yaml: /database/url: is required",
        '/etc/openchami/config.yaml: /logLevel: must be one of "info", "debug"',
        "/etc/openchami/config.yaml: /listen: must be string or must be number",
        '/etc/openchami/config.yaml: /mode: must be one of "pglite", "postgres"',
        "/etc/openchami/config.yaml: /tags/1: must be string",
      ].join("\n"),
    });
  });

  it("reports missing properties and a wrong root", () => {
    assert.throws(() => validateConfig(schema, {}, "environment"), {
      message: [
        "environment: /port: is required",
        "environment: /database: is required",
        "environment: /logLevel: is required",
        "environment: /listen: is required",
        "environment: /mode: is required",
      ].join("\n"),
    });
    assert.throws(() => validateConfig(schema, "nope", "flags"), { message: "flags: /: must be object" });
  });

  it("leaves TypeBox's error cap for request validation as it was", () => {
    const before = Settings.Get().maxErrors;
    assert.throws(() => validateConfig(schema, {}, "environment"));
    assert.equal(Settings.Get().maxErrors, before);
  });
});
