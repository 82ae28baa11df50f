// The local CA: an ECDSA P-256 root created once and kept next to the DNS state, issuing real
// X.509 leaves once a request's DNS validation records exist in the local DNS provider and a
// short, configurable delay has passed (like ACM, only faster). Statuses are computed when read,
// so a job polling describe() sees PENDING_VALIDATION → ISSUED or FAILED.
import { createHash, randomUUID, webcrypto } from "node:crypto";
import "./reflect-metadata.ts";
import * as x509 from "@peculiar/x509";
import { z } from "zod";
import { normalizeName } from "../names.ts";
import type { CertificateProvider, CertificateRequest, CertificateState, DnsRecord } from "../types.ts";
import type { LocalDnsProvider } from "./dns-provider.ts";
import { readState, writeState } from "./state-file.ts";

type WebCrypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const crypto = webcrypto as unknown as WebCrypto;
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
/** ACM answers the same certificate for the same IdempotencyToken within an hour. */
const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;
const LEAF_VALIDITY_MS = 90 * 24 * 60 * 60 * 1000;

const recordSchema = z.object({
  name: z.string(),
  type: z.enum(["A", "AAAA", "CNAME", "TXT", "NS"]),
  values: z.array(z.string()),
  ttl: z.number(),
});

const certificateSchema = z.object({
  arn: z.string(),
  idempotencyToken: z.string(),
  domainName: z.string(),
  subjectAlternativeNames: z.array(z.string()),
  requestedAt: z.number(),
  validationRecords: z.array(recordSchema),
  status: z.enum(["PENDING_VALIDATION", "ISSUED", "FAILED"]),
  failureReason: z.string().nullable(),
  certificatePem: z.string().nullable(),
});

const stateSchema = z.object({
  version: z.literal(1),
  root: z.object({ privateKeyPkcs8: z.string(), certificatePem: z.string() }).nullable(),
  certificates: z.array(certificateSchema),
});

type StoredCertificate = z.infer<typeof certificateSchema>;
type State = z.infer<typeof stateSchema>;

export interface LocalCertificateProviderOptions {
  dns: LocalDnsProvider;
  /** JSON state file (root key, certificates); absent: memory only. */
  statePath?: string;
  /** How long after the request, at the earliest, a certificate is issued. */
  issueDelayMs: number;
  /** A certificate whose validation records have not appeared by then FAILS. */
  validationTimeoutMs: number;
  now?: () => number;
}

interface Root {
  key: webcrypto.CryptoKey;
  certificate: x509.X509Certificate;
}

export class LocalCertificateProvider implements CertificateProvider {
  readonly kind = "local" as const;
  readonly #dns: LocalDnsProvider;
  readonly #statePath: string | undefined;
  readonly #issueDelayMs: number;
  readonly #validationTimeoutMs: number;
  readonly #now: () => number;
  readonly #state: State;
  #root: Promise<Root> | undefined;

  constructor(options: LocalCertificateProviderOptions) {
    this.#dns = options.dns;
    this.#statePath = options.statePath;
    this.#issueDelayMs = options.issueDelayMs;
    this.#validationTimeoutMs = options.validationTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#state = readState(
      options.statePath,
      (raw) => stateSchema.parse(raw),
      () => ({
        version: 1 as const,
        root: null,
        certificates: [],
      }),
    );
  }

  async request(input: CertificateRequest): Promise<string> {
    const now = this.#now();
    const same = this.#state.certificates.find(
      (c) => c.idempotencyToken === input.idempotencyToken && now - c.requestedAt < IDEMPOTENCY_WINDOW_MS,
    );
    if (same !== undefined) return same.arn;
    const arn = `local:cert/${randomUUID()}`;
    const domainName = normalizeName(input.domainName);
    const subjectAlternativeNames = [
      ...new Set([domainName, ...input.subjectAlternativeNames.map(normalizeName)]),
    ];
    this.#state.certificates.push({
      arn,
      idempotencyToken: input.idempotencyToken,
      domainName,
      subjectAlternativeNames,
      requestedAt: now,
      validationRecords: validationRecords(arn, subjectAlternativeNames),
      status: "PENDING_VALIDATION",
      failureReason: null,
      certificatePem: null,
    });
    this.#save();
    return arn;
  }

  async describe(arn: string): Promise<CertificateState | null> {
    const certificate = this.#state.certificates.find((c) => c.arn === arn);
    if (certificate === undefined) return null;
    if (certificate.status === "PENDING_VALIDATION") await this.#advance(certificate);
    return {
      arn: certificate.arn,
      status: certificate.status,
      domainName: certificate.domainName,
      subjectAlternativeNames: [...certificate.subjectAlternativeNames],
      validationRecords: certificate.validationRecords.map((r) => ({ ...r, values: [...r.values] })),
      failureReason: certificate.failureReason,
    };
  }

  async delete(arn: string): Promise<void> {
    const index = this.#state.certificates.findIndex((c) => c.arn === arn);
    if (index === -1) return;
    this.#state.certificates.splice(index, 1);
    this.#save();
  }

  async list(): Promise<string[]> {
    return this.#state.certificates.map((c) => c.arn);
  }

  /** The issued leaf (PEM) with the chain up to the local root; null until ISSUED. */
  async certificatePem(arn: string): Promise<{ certificate: string; chain: string } | null> {
    const certificate = this.#state.certificates.find((c) => c.arn === arn);
    if (certificate === undefined) return null;
    if (certificate.status === "PENDING_VALIDATION") await this.#advance(certificate);
    if (certificate.certificatePem === null) return null;
    return { certificate: certificate.certificatePem, chain: await this.rootCertificatePem() };
  }

  /** The local root, for a browser or curl to trust (`curl --cacert`). */
  async rootCertificatePem(): Promise<string> {
    return (await this.#rootCa()).certificate.toString("pem");
  }

  async #advance(certificate: StoredCertificate): Promise<void> {
    const age = this.#now() - certificate.requestedAt;
    const missing = certificate.validationRecords.filter((r) => !this.#present(r));
    if (missing.length === 0 && age >= this.#issueDelayMs) {
      const pem = await this.#issue(certificate);
      // describe() may run concurrently: the first issuance wins.
      if (certificate.status !== "PENDING_VALIDATION") return;
      certificate.status = "ISSUED";
      certificate.certificatePem = pem;
      this.#save();
    } else if (missing.length > 0 && age >= this.#validationTimeoutMs) {
      certificate.status = "FAILED";
      const records = missing.map((r) => `${r.name} CNAME ${r.values[0] ?? ""}`).join("; ");
      const minutes = Math.max(1, Math.round(this.#validationTimeoutMs / 60_000));
      certificate.failureReason =
        `The DNS validation record was not found within ${minutes} minute${minutes === 1 ? "" : "s"} ` +
        `of the request: ${records}. Add it to the domain's DNS and request the certificate again.`;
      this.#save();
    }
  }

  #present(record: DnsRecord): boolean {
    const held = this.#dns.lookup(record.name, record.type);
    return held !== undefined && record.values.every((v) => held.values.includes(normalizeName(v)));
  }

  async #issue(certificate: StoredCertificate): Promise<string> {
    const root = await this.#rootCa();
    const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
    const now = this.#now();
    const leaf = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerial(),
        subject: `CN=${certificate.domainName}`,
        issuer: root.certificate.subject,
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + LEAF_VALIDITY_MS),
        signingAlgorithm: ALGORITHM,
        publicKey: keys.publicKey,
        signingKey: root.key,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(
            certificate.subjectAlternativeNames.map((value) => ({ type: "dns" as const, value })),
          ),
        ],
      },
      crypto,
    );
    return leaf.toString("pem");
  }

  #rootCa(): Promise<Root> {
    this.#root ??= this.#loadOrCreateRoot();
    return this.#root;
  }

  async #loadOrCreateRoot(): Promise<Root> {
    const stored = this.#state.root;
    if (stored !== null) {
      const key = await crypto.subtle.importKey(
        "pkcs8",
        Buffer.from(stored.privateKeyPkcs8, "base64"),
        ALGORITHM,
        false,
        ["sign"],
      );
      return { key, certificate: new x509.X509Certificate(stored.certificatePem) };
    }
    const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
    const now = this.#now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomSerial(),
        name: "CN=botgate local CA, O=botgate",
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 10 * 365 * 24 * 60 * 60 * 1000),
        signingAlgorithm: ALGORITHM,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        ],
      },
      crypto,
    );
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
    this.#state.root = { privateKeyPkcs8: pkcs8, certificatePem: certificate.toString("pem") };
    this.#save();
    return { key: keys.privateKey, certificate };
  }

  #save(): void {
    writeState(this.#statePath, this.#state);
  }
}

/** ACM-like validation CNAMEs: one per name, the wildcard sharing its base name's record. */
function validationRecords(arn: string, names: readonly string[]): DnsRecord[] {
  const records = new Map<string, DnsRecord>();
  for (const name of names) {
    const base = name.startsWith("*.") ? name.slice(2) : name;
    if (records.has(base)) continue;
    const hash = (salt: string) =>
      createHash("sha256").update(`${arn}|${base}|${salt}`).digest("hex").slice(0, 32);
    records.set(base, {
      name: `_${hash("name")}.${base}`,
      type: "CNAME",
      values: [`_${hash("value")}.validation.local-ca.invalid`],
      ttl: 300,
    });
  }
  return [...records.values()];
}

function randomSerial(): string {
  // Positive (first bit clear) 16-byte serial, as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}
