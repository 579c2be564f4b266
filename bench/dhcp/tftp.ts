/** The TFTP part: N concurrent downloads of one file, by tftp-client.ts in the client namespace. */
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "./lab.ts";
import type { TftpRunResult } from "./tftp-client.ts";

const CLIENT = new URL("./tftp-client.ts", import.meta.url).pathname;
export const TFTP_FILE = "ipxe-x86_64.efi";

/** A 1 MiB file of random bytes under the name DHCP hands out; returns its SHA-256. */
export function writeTftpFile(tftpDir: string, bytes: number): string {
  const data = randomBytes(bytes);
  writeFileSync(join(tftpDir, TFTP_FILE), data);
  return createHash("sha256").update(data).digest("hex");
}

export interface TftpCase {
  blksize: number;
  windowsize: number;
}

export const TFTP_CASES: readonly TftpCase[] = [
  { blksize: 512, windowsize: 1 },
  { blksize: 1468, windowsize: 1 },
  { blksize: 1468, windowsize: 8 },
];

export interface TftpLoad {
  server: string;
  count: number;
  sha256: string;
  case: TftpCase;
}

export function tftpClientArgs(load: TftpLoad): string[] {
  return [
    process.execPath,
    ...["--import", "tsx", CLIENT],
    ...["--server", load.server, "--file", TFTP_FILE, "--count", String(load.count), "--sha256", load.sha256],
    ...["--blksize", String(load.case.blksize), "--windowsize", String(load.case.windowsize)],
  ];
}

export async function runTftp(lab: Lab, load: TftpLoad): Promise<TftpRunResult> {
  const result = await lab.client(tftpClientArgs(load), 300_000);
  if (result.code !== 0) throw new Error(`TFTP client exited with ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as TftpRunResult;
}
