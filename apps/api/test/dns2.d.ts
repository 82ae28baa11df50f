// The part of dns2 (which ships no types) the tests use: a UDP server answering from a handler.
declare module "dns2" {
  interface Question {
    name: string;
    type: number;
  }
  interface Answer {
    name: string;
    type: number;
    class: number;
    ttl: number;
    data?: string | string[];
    ns?: string;
    address?: string;
  }
  interface DnsPacket {
    questions: Question[];
    answers: Answer[];
  }
  interface DnsServer {
    listen(options: {
      udp?: { port: number; address: string };
    }): Promise<{ udp?: { address: string; port: number } }>;
    close(): Promise<void>;
  }
  const dns2: {
    Packet: {
      TYPE: { TXT: number; NS: number; A: number };
      CLASS: { IN: number };
      createResponseFromRequest(request: DnsPacket): DnsPacket;
    };
    createServer(options: {
      udp?: boolean;
      handle(request: DnsPacket, send: (response: DnsPacket) => void): void;
    }): DnsServer;
  };
  export default dns2;
}
