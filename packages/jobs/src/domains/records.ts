// ChatBotCustomDomainDNS: every record the platform created in a domain's zone, so deletion
// and audits know what exists. Keyed per zone: two claims of one name each have a zone.
import type { Prisma } from "@botgate/db";
import type { DnsRecord } from "@botgate/provisioning";

export async function recordDnsRecords(
  tx: Prisma.TransactionClient,
  domainId: number,
  zoneId: string,
  records: readonly DnsRecord[],
): Promise<void> {
  for (const record of records) {
    const recordValue = record.values.join("\n");
    await tx.chatBotCustomDomainDNS.upsert({
      where: {
        hostedZoneId_recordName_recordType: {
          hostedZoneId: zoneId,
          recordName: record.name,
          recordType: record.type,
        },
      },
      create: {
        customDomainId: domainId,
        hostedZoneId: zoneId,
        recordName: record.name,
        recordType: record.type,
        recordValue,
        recordTtl: record.ttl,
      },
      update: { customDomainId: domainId, recordValue, recordTtl: record.ttl },
    });
  }
}
