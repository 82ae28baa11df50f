// The TXT record that proves a customer controls a domain. One definition, shared by the
// instructions domain.create shows and the verifier that looks the record up.

const OWNERSHIP_RECORD_LABEL = "_botgate-challenge";
const OWNERSHIP_VALUE_PREFIX = "botgate-verification=";

export interface OwnershipRecord {
  name: string;
  type: "TXT";
  value: string;
}

export function ownershipRecord(domainName: string, verificationToken: string): OwnershipRecord {
  return {
    name: `${OWNERSHIP_RECORD_LABEL}.${domainName}`,
    type: "TXT",
    value: `${OWNERSHIP_VALUE_PREFIX}${verificationToken}`,
  };
}
