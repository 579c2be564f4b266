import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MessageType } from "../dhcp/message.ts";
import { ipxeScripts } from "./ipxe-scripts.ts";
import { dhcpRequest, type EngineFixture, engineFixture, inventory, ip, nic, node } from "./test-support.ts";

const KNOWN = "52:54:00:be:ef:01";
const UNKNOWN = "52:54:00:00:00:99";
const URL = `http://10.0.0.1:8081/boot/v1/bootscript?mac=${KNOWN}`;

const YAML = `server4:
  server_id: 10.0.0.1
  subnet: 10.0.0.0/24
  coresmd:
    ipxe_base_uri: http://10.0.0.1:8081/
  bootloop:
    subnet_pool: ["10.0.0.0/24,10.0.0.200,10.0.0.210"]
`;

const CHAIN = `#!ipxe\necho Booting from ${URL}\nchain ${URL}\n`;
const REBOOT = "#!ipxe\nreboot\n";
// biome-ignore lint/suspicious/noTemplateCurlyInString: `${filename}` is iPXE's variable.
const DHCP_THEN_CHAIN = "#!ipxe\ndhcp\necho Booting from ${filename}\nchain ${filename}\n";

describe("generated iPXE scripts (§5.2)", () => {
  let f: EngineFixture;
  let script: (name: string, address: string) => string | undefined;

  before(async () => {
    f = await engineFixture(
      YAML,
      inventory(
        [node("x1000c0s0b0n0", 1), node("x1000c0s0b0n1", 2, { Enabled: false })],
        [nic(KNOWN, "x1000c0s0b0n0", "10.0.0.11"), nic("52:54:00:be:ef:02", "x1000c0s0b0n1", "10.0.0.12")],
      ),
    );
    const generate = ipxeScripts({
      hosts: f.hosts,
      bootloop: f.bootloop,
      bootScriptUrl: (mac) => f.engine.bootScriptUrl(mac),
    });
    script = (name, address) => generate(name, { address })?.toString("utf8");
    // An unknown client takes the first pool address.
    await f.engine.handle(dhcpRequest(MessageType.DISCOVER, UNKNOWN));
    assert.equal(f.bootloop?.lease(UNKNOWN)?.ip, ip("10.0.0.200"));
  });
  after(() => f.close());

  for (const name of ["config.ipxe", "autoexec.ipxe"]) {
    test(`${name}: chosen by the TFTP client's address`, () => {
      assert.equal(script(name, "10.0.0.11"), CHAIN, "known, enabled: its BSS script");
      assert.equal(script(name, "10.0.0.12"), DHCP_THEN_CHAIN, "disabled: treated as unknown");
      assert.equal(script(name, "10.0.0.200"), REBOOT, "a bootloop lease: reboot");
      assert.equal(script(name, "10.0.0.77"), DHCP_THEN_CHAIN, "anyone else: DHCP, then its boot file");
    });
  }

  test("an expired bootloop lease no longer selects the reboot script", () => {
    const now = f.clock.now;
    f.clock.now += 300_001;
    try {
      assert.equal(script("config.ipxe", "10.0.0.200"), DHCP_THEN_CHAIN);
    } finally {
      f.clock.now = now;
    }
  });

  test("`default` is the reboot script for everyone; other names are left to the disk", () => {
    for (const address of ["10.0.0.11", "10.0.0.200", "10.0.0.77"])
      assert.equal(script("default", address), REBOOT);
    for (const name of ["ipxe-x86_64.efi", "undionly.kpxe", "config.ipxe.bak", "boot/config.ipxe", ""]) {
      assert.equal(script(name, "10.0.0.11"), undefined, name);
    }
  });
});
