// dns2 ships no types: the part of it this package uses, typed here and loaded with require so
// no ambient `declare module "dns2"` can clash with another package's (apps/api/test has one).

import type { Socket as UdpSocket } from "node:dgram";
import { createRequire } from "node:module";
import type { Server as TcpServer } from "node:net";

export interface Dns2Question {
  name: string;
  type: number;
  class: number;
}

export interface Dns2Resource {
  name: string;
  type: number;
  class: number;
  ttl: number;
  address?: string;
  data?: string | string[];
  ns?: string;
  domain?: string;
  primary?: string;
  admin?: string;
  serial?: number;
  refresh?: number;
  retry?: number;
  expiration?: number;
  minimum?: number;
}

export interface Dns2Header {
  id: number;
  qr: number;
  opcode: number;
  aa: number;
  tc: number;
  rd: number;
  ra: number;
  rcode: number;
}

export interface Dns2Packet {
  header: Dns2Header;
  questions: Dns2Question[];
  answers: Dns2Resource[];
  authorities: Dns2Resource[];
  additionals: Dns2Resource[];
}

export type Dns2Send = (response: Dns2Packet) => unknown;
export type Dns2Handler = (request: Dns2Packet, send: Dns2Send) => void;

/** A dgram socket that also emits `request` (Dns2Handler's arguments) and `requestError`. */
export type Dns2UdpServer = UdpSocket;
/** A net.Server that also emits `request` and `requestError`. */
export type Dns2TcpServer = TcpServer;

export interface Dns2 {
  Packet: {
    TYPE: Record<"A" | "NS" | "CNAME" | "SOA" | "TXT" | "AAAA" | "ANY", number>;
    CLASS: { IN: number };
    createResponseFromRequest(request: Dns2Packet): Dns2Packet;
  };
  UDPServer: new (options: { type: "udp4" | "udp6" }) => Dns2UdpServer;
  TCPServer: new () => Dns2TcpServer;
  UDPClient: Dns2ClientFactory;
  TCPClient: Dns2ClientFactory;
}

/** dns2's clients (used by tests to read raw headers: AA flag, RCODE). */
export type Dns2ClientFactory = (options: {
  dns: string;
  port: number;
}) => (name: string, type?: string) => Promise<Dns2Packet>;

export const dns2 = createRequire(import.meta.url)("dns2") as Dns2;

/** DNS response codes (RFC 1035 4.1.1). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
