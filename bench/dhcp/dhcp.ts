/**
 * DHCP/TFTP benchmark (spec dhcp.md §8.3, §9): 10,000 known MACs in SMD, perfdhcp (Debian
 * kea-admin) driving DORA exchanges over a veth pair between two network namespaces, and 100
 * concurrent TFTP downloads of a 1 MiB file; with `--compare`, Kea and dnsmasq under the same
 * load. Needs root, iproute2, perfdhcp and curl; skips with the reason otherwise.
 *
 *   npm run bench:dhcp -- [--seconds 30] [--rates 5000,7500,10000] [--nodes 10000]
 *     [--tftp-count 100] [--tftp-bytes 1048576] [--log-level L] [--profile]
 *     [--compare | --no-compare] [--no-tftp]
 *
 * `openchami serve --no-auth --enable dhcp,tftp` runs in the server namespace at its default
 * log level (info: one line per ACK) unless --log-level says otherwise; each server's stdout
 * and stderr go to a file, so a terminal or a pipe is never the bottleneck. --profile writes a
 * V8 CPU profile of the openchami run into the kept work directory.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machineFacts } from "../lib/server.ts";
import { cleanup, cleanupOnExit, onCleanup } from "./cleanup.ts";
import { benchNodes, seedSmd } from "./inventory.ts";
import { CLIENT_ADDRESS, createLab, type Daemon, type Lab, labUnavailable, SERVER_ADDRESS } from "./lab.ts";
import { type PerfdhcpLoad, perfdhcpArgs, runPerfdhcp, waitForDora } from "./perfdhcp.ts";
import { cpuSeconds, udpCounters, udpDelta } from "./procstats.ts";
import { type DhcpRow, dhcpTable, doraPerSecond, meetsTarget, type TftpRow, tftpTable } from "./report.ts";
import {
  dnsmasqCommand,
  keaCommand,
  OPENCHAMI_HTTP,
  openchamiCommand,
  startDnsmasq,
  startKea,
  startOpenchami,
} from "./servers.ts";
import { runTftp, TFTP_CASES, writeTftpFile } from "./tftp.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    rates: { type: "string", default: "1000,5000,7500,10000" },
    nodes: { type: "string", default: "10000" },
    "tftp-count": { type: "string", default: "100" },
    "tftp-bytes": { type: "string", default: String(2 ** 20) },
    "log-level": { type: "string" },
    "cache-valid": { type: "string" },
    profile: { type: "boolean", default: false },
    compare: { type: "boolean", default: false },
    "no-compare": { type: "boolean", default: false },
    "no-tftp": { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const RATES = values.rates.split(",").map(Number);
const NODES = Number(values.nodes);
const TFTP_COUNT = Number(values["tftp-count"]);
const TFTP_BYTES = Number(values["tftp-bytes"]);
const TARGET_RATE = 5000;
/** Arch 7 (x86-64 UEFI), as OVMF's PXE sends: every reply carries the iPXE binary's name. */
const ARCH_OPTION = "93,0007";
/** Before measuring, each server gets this load, so V8's JIT has compiled openchami's hot path. */
const WARM_UP = { rate: 1000, seconds: 5 };

const installed = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

interface Contender {
  name: string;
  command: string[];
  start(): Daemon;
  /** Where its DHCP log lines go. */
  logFile: string;
  tftp: boolean;
  /** Lines worth printing after the runs (server-side counters). */
  after?(): string;
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  console.log(`  ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The DHCP counters openchami exposes, for where drops happened inside it. */
function openchamiCounters(lab: Lab): string {
  const result = lab.net.exec(lab.net.server, ["curl", "-s", `${OPENCHAMI_HTTP}/metrics`]);
  return result.stdout
    .split("\n")
    .filter((line) => /^(dhcp_\w+|tftp_\w+)(\{|\s)/.test(line))
    .map((line) => `    ${line}`)
    .join("\n");
}

async function dhcpRun(lab: Lab, name: string, daemon: Daemon, load: PerfdhcpLoad): Promise<DhcpRow> {
  const before = {
    cpu: cpuSeconds(daemon.pid),
    server: udpCounters(lab, "server"),
    client: udpCounters(lab, "client"),
  };
  const started = performance.now();
  const report = await runPerfdhcp(lab, load);
  const elapsed = (performance.now() - started) / 1000;
  const row: DhcpRow = {
    server: name,
    rate: load.rate,
    seconds: load.seconds,
    report,
    cpuPercent: ((cpuSeconds(daemon.pid) - before.cpu) / elapsed) * 100,
    serverUdp: udpDelta(before.server, udpCounters(lab, "server")),
    clientUdp: udpDelta(before.client, udpCounters(lab, "client")),
  };
  console.log(
    `  ${load.rate}/s for ${load.seconds} s: ${doraPerSecond(row).toFixed(0)} DORA/s, ` +
      `drops ${report.discover.drops}/${report.request.drops}, ` +
      `RA avg ${report.request.avgMs} ms, server CPU ${row.cpuPercent.toFixed(0)} %, ` +
      `server UDP rcvbuf errors ${row.serverUdp.RcvbufErrors}`,
  );
  return row;
}

async function main(): Promise<void> {
  const skip = labUnavailable();
  if (skip) {
    console.log(`bench:dhcp skipped: ${skip}`);
    return;
  }
  const comparable = installed("kea-dhcp4") && installed("dnsmasq");
  if (values.compare && !comparable) throw new Error("--compare needs kea-dhcp4 and dnsmasq installed");
  const compare = !values["no-compare"] && comparable;

  console.log(machineFacts());
  console.log(
    `load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
  );
  const dir = mkdtempSync(join(tmpdir(), "openchami-bench-dhcp-"));
  if (!values.profile) onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const nodes = benchNodes(NODES);
  const macsFile = join(dir, "macs.txt");
  writeFileSync(macsFile, nodes.map((n) => `${n.mac}\n`).join(""));
  const tftpDir = join(dir, "tftpboot");
  mkdirSync(tftpDir);
  const sha256 = writeTftpFile(tftpDir, TFTP_BYTES);
  const dataDir = join(dir, "data");

  console.log(`seeding SMD with ${NODES} nodes and interfaces (openchami serve --only smd)`);
  await timed("seeded", () => seedSmd(dataDir, nodes));

  const lab = createLab();
  const openchamiOptions = {
    dataDir,
    tftpDir,
    logLevel: values["log-level"],
    cacheValid: values["cache-valid"],
    profile: values.profile,
  };
  const contenders: Contender[] = [
    {
      name: "openchami",
      command: openchamiCommand(dir, openchamiOptions),
      start: () => startOpenchami(lab, dir, openchamiOptions),
      logFile: join(dir, "openchami.log"),
      tftp: true,
      after: () => openchamiCounters(lab),
    },
  ];
  if (compare) {
    contenders.push(
      {
        name: "Kea 2.2",
        command: keaCommand(dir, nodes),
        start: () => startKea(lab, dir, nodes),
        logFile: join(dir, "kea-dhcp4.log"),
        tftp: false,
      },
      {
        name: "dnsmasq",
        command: dnsmasqCommand(dir, nodes, tftpDir),
        start: () => startDnsmasq(lab, dir, nodes, tftpDir),
        logFile: join(dir, "dnsmasq.log"),
        tftp: true,
      },
    );
  }

  const load = (rate: number, seconds = SECONDS): PerfdhcpLoad => ({
    server: SERVER_ADDRESS,
    local: CLIENT_ADDRESS,
    macsFile,
    rate,
    clients: NODES,
    seconds,
    options: [ARCH_OPTION],
  });
  const netnsPrefix = (ns: string) => lab.net.prefix(ns).join(" ");
  console.log(`load: ${netnsPrefix(lab.net.client)} ${perfdhcpArgs(load(RATES[0]!)).join(" ")}`);

  const dhcpRows: DhcpRow[] = [];
  const tftpRows: TftpRow[] = [];
  for (const contender of contenders) {
    console.log(`\n${contender.name}: ${netnsPrefix(lab.net.server)} ${contender.command.join(" ")}`);
    const daemon = contender.start();
    try {
      await timed("first DORA answered", () =>
        waitForDora(lab, SERVER_ADDRESS, CLIENT_ADDRESS, macsFile, () => !daemon.exited()),
      );
      console.log(`  warm-up, not counted:`);
      await dhcpRun(lab, contender.name, daemon, load(WARM_UP.rate, WARM_UP.seconds));
      console.log(`  measured:`);
      for (const rate of RATES) {
        dhcpRows.push(await dhcpRun(lab, contender.name, daemon, load(rate)));
        await pause(2000);
      }
      if (contender.tftp && !values["no-tftp"]) {
        for (const c of TFTP_CASES) {
          const result = await runTftp(lab, SERVER_ADDRESS, TFTP_COUNT, sha256, c);
          tftpRows.push({ server: contender.name, case: c, result });
          console.log(
            `  TFTP ${TFTP_COUNT} × ${TFTP_BYTES} B, blksize ${c.blksize} windowsize ${c.windowsize}: ` +
              `${result.ok} ok, ${result.errors.length} errors, ${(result.totalMs / 1000).toFixed(2)} s`,
          );
        }
      }
      const counters = contender.after?.();
      if (counters) console.log(`  server counters:\n${counters}`);
    } catch (error) {
      throw new Error(`${contender.name}: ${(error as Error).message}\n--- log tail ---\n${daemon.tail()}`);
    } finally {
      await daemon.stop();
      const logged = existsSync(contender.logFile) ? statSync(contender.logFile).size / 2 ** 20 : 0;
      console.log(`  log: ${logged.toFixed(1)} MiB in ${contender.logFile}`);
    }
  }

  console.log(`\n## DHCP: perfdhcp, ${NODES} known MACs, ${SECONDS} s per rate, after a warm-up\n`);
  console.log(dhcpTable(dhcpRows));
  if (tftpRows.length > 0) {
    console.log(`\n## TFTP: ${TFTP_COUNT} concurrent transfers of ${TFTP_BYTES} random bytes\n`);
    console.log(tftpTable(tftpRows, TFTP_BYTES));
  }
  const ours = dhcpRows.filter((r) => r.server === "openchami" && r.rate >= TARGET_RATE);
  const met = ours.some((r) => meetsTarget(r, TARGET_RATE));
  console.log(`\ntarget ≥ ${TARGET_RATE} DORA/s with zero drops: ${met ? "met" : "NOT met"}`);
  if (values.profile) console.log(`CPU profile and logs kept in ${dir}`);
}

cleanupOnExit();
try {
  await main();
} finally {
  cleanup();
}
