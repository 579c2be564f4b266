/**
 * DHCPv4 messages as the engine sees them (RFC 2131/2132). Addresses are uint32 numbers
 * (see ../ip.ts); option values are raw bytes, joined per RFC 3396 and with option 52's
 * overloaded `file`/`sname` areas already folded in.
 */

export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

export const Option = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  ROOT_PATH: 17,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_LIST: 55,
  MAX_MESSAGE_SIZE: 57,
  CLASS_ID: 60,
  BOOTFILE: 67,
  USER_CLASS: 77,
  RELAY_AGENT: 82,
  CLIENT_ARCH: 93,
  END: 255,
} as const;

/** Why a datagram was dropped (dhcp.md §3.1); the `reason` label of `dhcp_dropped_total`. */
export type DropReason =
  | "size"
  | "cookie"
  | "option_overrun"
  | "option_too_long"
  | "op"
  | "hardware"
  | "message_type";

/** The fixed BOOTP header plus options, as on the wire (requests and replies alike). */
export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** 16 bytes. */
  chaddr: Buffer;
  /** 64 bytes on the wire; here the bytes before the first NUL. */
  sname: Buffer;
  /** 128 bytes on the wire; here the bytes before the first NUL. */
  file: Buffer;
  /** Option code → value. Encoding writes them in insertion order (53 first), then 255. */
  options: Map<number, Buffer>;
}

/** A validated client request with the fields the engine reads pulled out. */
export interface DhcpRequest {
  packet: DhcpPacket;
  /** Option 53: DISCOVER, REQUEST, DECLINE, RELEASE or INFORM. */
  messageType: number;
  /** `chaddr[0..5]` as `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** Option 50. */
  requestedIp: number | undefined;
  /** Option 54. */
  serverId: number | undefined;
  /** Option 55 (empty when absent). */
  parameterList: Uint8Array;
  /** Option 77 is `iPXE`, or an RFC 3004 user-class list containing it. */
  ipxe: boolean;
  /** Option 93's first 16-bit entry. */
  arch: number | undefined;
  /** Option 57 (never below 576). */
  maxMessageSize: number;
}

export const BROADCAST_FLAG = 0x8000;
