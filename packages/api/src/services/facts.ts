// The facts core derives a chatbot's hosts, URLs and readiness from, read off a chatbot row
// with its owner and custom domain. The admin views, the routing table and the chat origin
// all derive through this one function.
import type { ChatbotFacts } from "@botgate/core";
import { dnsStatusToSeed, tlsStatusToSeed } from "@botgate/db";

export interface ChatbotFactsRow {
  id: number;
  name: string;
  deployed: boolean;
  dnsVerificationStatus: Parameters<typeof dnsStatusToSeed>[0];
  tlsCertificateIssuanceStatus: Parameters<typeof tlsStatusToSeed>[0];
  userProfile: { isAccountAdmin: boolean; user: { username: string } };
  customDomain: { domainName: string; isVerified: boolean } | null;
}

export function chatbotFactsOf(row: ChatbotFactsRow, accountNumber: string): ChatbotFacts {
  return {
    id: row.id,
    name: row.name,
    owner: { username: row.userProfile.user.username, isAccountAdmin: row.userProfile.isAccountAdmin },
    accountNumber,
    deployed: row.deployed,
    customDomain: row.customDomain,
    dnsVerificationStatus: dnsStatusToSeed(row.dnsVerificationStatus),
    tlsCertificateIssuanceStatus: tlsStatusToSeed(row.tlsCertificateIssuanceStatus),
  };
}
