import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { endpointForPut, endpointToWire, patchEndpoint, validateEndpoint } from "./redfish-endpoint.ts";
import { expectBadRequest } from "./test-helpers.ts";

const nodeBmc = fc
  .tuple(fc.nat(9999), fc.nat(7), fc.nat(64), fc.nat(7))
  .map(([cabinet, chassis, slot, bmc]) => `x${cabinet}c${chassis}s${slot}b${bmc}`);
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const domain = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join("."));

test("FQDN is Hostname.Domain, and validating an endpoint's own fields changes nothing", () => {
  fc.assert(
    fc.property(nodeBmc, domain, fc.boolean(), (id, dom, byFqdn) => {
      const input = byFqdn ? { FQDN: `${id}.${dom}` } : { Hostname: id, Domain: `${dom}.` };
      const endpoint = validateEndpoint(input);
      assert.equal(endpoint.id, id);
      assert.equal(endpoint.type, "NodeBMC");
      assert.equal(endpoint.fqdn, `${id}.${dom}`);
      const wire = endpointToWire({ ...endpoint, discoveryInfo: { LastDiscoveryStatus: "NotYetQueried" } });
      assert.deepEqual(validateEndpoint(wire as Parameters<typeof validateEndpoint>[0]), endpoint);
      assert.deepEqual(patchEndpoint(endpoint, {}), { ...endpoint, password: "" });
    }),
  );
});

test("IDs are normalised before their type is checked", () => {
  fc.assert(
    fc.property(nodeBmc, (id) => {
      const padded = id.replace(/\d+/g, (digits) => `00${digits}`).toUpperCase();
      assert.equal(validateEndpoint({ ID: ` ${padded}.` }).id, id);
      assert.match(
        expectBadRequest(() => validateEndpoint({ ID: `${id}n0` })),
        /has wrong type for RF endpoint: Node$/,
      );
    }),
  );
});

test("an FQDN whose host disagrees with the ID-derived hostname is rejected", () => {
  fc.assert(
    fc.property(nodeBmc, label, domain, (id, other, dom) => {
      fc.pre(other !== id);
      const detail = expectBadRequest(() =>
        validateEndpoint({ ID: id, Hostname: id, FQDN: `${other}.${dom}` }),
      );
      assert.equal(
        detail,
        `couldn't validate endpoint data: host/domain conflicts with FQDN: '${id}' != '${other}.${dom}'`,
      );
    }),
  );
});

test("PUT takes the path's ID; a different body ID is a 400", () => {
  assert.equal(endpointForPut({}, "X0C0S0B0").id, "x0c0s0b0");
  assert.equal(endpointForPut({ ID: "x0c0s00b0" }, "x0c0s0b0").id, "x0c0s0b0");
  assert.equal(
    expectBadRequest(() => endpointForPut({ ID: "x0c0s1b0" }, "x0c0s0b0")),
    "xname in URL and PUT body do not match",
  );
});
