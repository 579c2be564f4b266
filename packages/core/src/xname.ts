import type { HMSType } from "./enums.ts";

/**
 * The xname grammar of smd.md §4 in the spec's own notation, with "…" written out.
 * Lower-case letters, `.` and `_` are literal; N = [0-9]+, X = [0-9]{1,4}, C = [0-7],
 * M = [1-9][0-9]*; a digit or `[…]` is one digit from that set. `[jv]` in the spec
 * (NodePowerConnector) is spelled as two rows, since sets here hold digits only.
 *
 * Digit classes are checked on the normalised ID, i.e. after leading zeros are dropped:
 * the spec orders the steps "normalise → match the grammar", and it is the only order in
 * which leading zeros never change an ID's type. So `x00001` is Cabinet `x1` (its number
 * has one digit), `c07` is `c7`, while `w0`/`w00` stay `w0` and fail M.
 */
const CHASSIS = "xXcC";
const SLOT = `${CHASSIS}sN`;
const NODE = `${SLOT}bNnN`;
const ROUTER = `${CHASSIS}rN`;
const PDU_CONTROLLER = "xXm[0-3]";
const PDU = `${PDU_CONTROLLER}p[0-7]`;

export const XNAME_GRAMMAR: readonly (readonly [HMSType, string])[] = [
  ["CDU", "dN"],
  ["CDUMgmtSwitch", "dNwN"],
  ["Cabinet", "xX"],
  ["CabinetCDU", "xXd[01]"],
  ["CEC", "xXe[01]"],
  ["CabinetBMC", "xXb0"],
  ["CabinetPDUController", PDU_CONTROLLER],
  ["CabinetPDU", PDU],
  ["CabinetPDUNic", `${PDU_CONTROLLER}i[0-3]`],
  ["CabinetPDUPowerConnector", `${PDU}vM`],
  ["CabinetPDUOutlet", `${PDU}jM`],

  ["Chassis", CHASSIS],
  ["ChassisBMC", `${CHASSIS}b0`],
  ["ChassisBMCNic", `${CHASSIS}b0i[0-3]`],
  ["CMMFpga", `${CHASSIS}f0`],
  ["CMMRectifier", `${CHASSIS}t[0-9]`],
  ["MgmtSwitch", `${CHASSIS}wM`],
  ["MgmtSwitchConnector", `${CHASSIS}wNjM`],
  ["MgmtHLSwitchEnclosure", `${CHASSIS}hM`],
  ["MgmtHLSwitch", `${CHASSIS}hNs[1-9]`],

  ["ComputeModule", SLOT],
  ["NodePowerConnector", `${SLOT}j[12]`],
  ["NodePowerConnector", `${SLOT}v[12]`],
  ["NodeEnclosure", `${SLOT}eN`],
  ["NodeEnclosurePowerSupply", `${SLOT}eNtN`],
  ["NodeBMC", `${SLOT}bN`],
  ["NodeBMCNic", `${SLOT}bNi[0-3]`],
  ["NodeFpga", `${SLOT}bNf0`],

  ["Node", NODE],
  ["VirtualNode", `${NODE}vN`],
  ["Processor", `${NODE}p[0-3]`],
  ["NodeAccel", `${NODE}aN`],
  ["NodeAccelRiser", `${NODE}r[0-7]`],
  ["Memory", `${NODE}dN`],
  ["StorageGroup", `${NODE}gN`],
  ["Drive", `${NODE}gNkN`],
  ["NodeNic", `${NODE}i[0-3]`],
  ["NodeHsnNic", `${NODE}h[0-3]`],

  ["RouterModule", ROUTER],
  ["RouterBMC", `${ROUTER}bN`],
  ["RouterBMCNic", `${ROUTER}bNi[0-3]`],
  ["RouterFpga", `${ROUTER}f[01]`],
  ["RouterTOR", `${ROUTER}tN`],
  ["RouterTORFpga", `${ROUTER}tNf[01]`],
  ["RouterPowerConnector", `${ROUTER}v[12]`],
  ["HSNBoard", `${ROUTER}eN`],
  ["HSNAsic", `${ROUTER}a[0-3]`],
  ["HSNLink", `${ROUTER}aNlN`],
  ["HSNConnector", `${ROUTER}jM`],
  ["HSNConnectorPort", `${ROUTER}jNp[012]`],

  ["System", "s0"],
  ["SMSBox", "smsN"],
  ["Partition", "pN"],
  ["Partition", "pN.N"],
  ["All", "all"],
  ["AllComp", "all_comp"],
  ["AllSvc", "all_svc"],
];

/** Types outside the physical hierarchy: they have no parent. */
const SPECIAL_TYPES: ReadonlySet<HMSType> = new Set([
  "System",
  "SMSBox",
  "Partition",
  "All",
  "AllComp",
  "AllSvc",
]);

/**
 * The grammar compiled into a trie over segments: a segment is a run of non-digits (the
 * edge's label) followed by a run of digits (checked by the edge's class). Matching an ID
 * is one walk along it; a label can carry several classes (`wM` is a switch, `wN` leads
 * to its connectors), so the walk backtracks between them.
 */
interface TrieNode {
  type?: HMSType;
  readonly edges: Map<string, Edge[]>;
}

interface Edge {
  readonly digits: string;
  readonly accepts: (digits: string) => boolean;
  readonly next: TrieNode;
}

const DIGIT_CLASSES: Readonly<Record<string, (digits: string) => boolean>> = {
  "": (d) => d === "",
  N: (d) => d !== "",
  X: (d) => d !== "" && d.length <= 4,
  C: (d) => d.length === 1 && d <= "7",
  M: (d) => d !== "" && d !== "0",
};

/** `0`, `[01]`, `[0-3]`: one digit from the set. */
function digitSet(spec: string): (digits: string) => boolean {
  const body = spec.startsWith("[") ? spec.slice(1, -1) : spec;
  const range = /^(\d)-(\d)$/.exec(body);
  const allowed = range ? { has: (d: string) => d >= range[1]! && d <= range[2]! } : new Set(body);
  return (d) => d.length === 1 && allowed.has(d);
}

const PATTERN_SEGMENT = /([a-z._]+)([NXCM]|\d|\[[\d-]+\])?/y;

function compile(grammar: typeof XNAME_GRAMMAR): TrieNode {
  const root: TrieNode = { edges: new Map() };
  for (const [type, pattern] of grammar) {
    let node = root;
    PATTERN_SEGMENT.lastIndex = 0;
    while (PATTERN_SEGMENT.lastIndex < pattern.length) {
      const match = PATTERN_SEGMENT.exec(pattern);
      if (!match) throw new Error(`xname grammar: cannot read ${pattern} (${type})`);
      const [, label = "", digits = ""] = match;
      const edges = node.edges.get(label) ?? [];
      node.edges.set(label, edges);
      let edge = edges.find((e) => e.digits === digits);
      if (!edge) {
        edge = { digits, accepts: DIGIT_CLASSES[digits] ?? digitSet(digits), next: { edges: new Map() } };
        edges.push(edge);
      }
      node = edge.next;
    }
    if (node.type) throw new Error(`xname grammar: ${pattern} is both ${node.type} and ${type}`);
    node.type = type;
  }
  return root;
}

const TRIE = compile(XNAME_GRAMMAR);

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The type the rest of `id` from `start` reaches from `node`, or undefined. */
function walk(node: TrieNode, id: string, start: number): HMSType | undefined {
  if (start === id.length) return node.type;
  let labelEnd = start;
  while (labelEnd < id.length && !isDigit(id.charCodeAt(labelEnd))) labelEnd++;
  let digitsEnd = labelEnd;
  while (digitsEnd < id.length && isDigit(id.charCodeAt(digitsEnd))) digitsEnd++;
  const edges = node.edges.get(id.slice(start, labelEnd));
  if (!edges) return undefined;
  const digits = id.slice(labelEnd, digitsEnd);
  for (const edge of edges) {
    if (!edge.accepts(digits)) continue;
    const type = walk(edge.next, id, digitsEnd);
    if (type) return type;
  }
  return undefined;
}

/** A zero run that starts a number and is followed by another digit. */
const LEADING_ZEROS = /(^|\D)0+(?=\d)/g;

/** Trim, lower-case, drop leading zeros from every number (`X0001C0` → `x1c0`). Does not validate. */
export function normalizeXname(raw: string): string {
  return raw.trim().toLowerCase().replace(LEADING_ZEROS, "$1");
}

/** The normalised ID and its type, or undefined when it matches no row of the grammar. */
export function parseXname(raw: string): { id: string; type: HMSType } | undefined {
  const id = normalizeXname(raw);
  const type = walk(TRIE, id, 0);
  return type ? { id, type } : undefined;
}

/** The HMS type of `raw` after normalisation, or "INVALID". */
export function xnameType(raw: string): HMSType {
  return parseXname(raw)?.type ?? "INVALID";
}

export function isValidXname(raw: string): boolean {
  return parseXname(raw) !== undefined;
}

/**
 * The enclosing component: strip the trailing number, then the trailing letters
 * (`x1c0s0b0n0` → `x1c0s0b0`); Cabinet and CDU sit under `s0`. Undefined for `s0`,
 * the other special IDs and invalid ones. The result is the structural prefix and is
 * not re-validated: a few rows let a child widen its parent's digits (`x0c0w0j1` is a
 * valid connector, but `x0c0w0` is not a valid MgmtSwitch).
 */
export function xnameParent(raw: string): string | undefined {
  const parsed = parseXname(raw);
  if (!parsed || SPECIAL_TYPES.has(parsed.type)) return undefined;
  if (parsed.type === "Cabinet" || parsed.type === "CDU") return "s0";
  return parsed.id.replace(/\d+$/, "").replace(/[a-z]+$/, "");
}
