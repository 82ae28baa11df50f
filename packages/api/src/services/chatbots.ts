// chatbot.list/get/create/update/delete. Routing-relevant changes (name, custom domain,
// existence) are written through to the routing cache after the transaction commits.
import { dnsStatusToSeed, type Prisma } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import type {
  ChatbotFieldsInput,
  CreateChatbotInput,
  ListChatbotsInput,
  UpdateChatbotInput,
} from "../inputs/chatbot.ts";
import { type Page, toPage } from "../inputs/common.ts";
import type { Principal } from "./auth.ts";
import { type ChatbotView, chatbotInclude, toChatbotView } from "./chatbot-view.ts";
import { NEXT_DEPLOYMENT_GENERATION } from "./deployment-generation.ts";
import { dnsRecordOfRow, enqueueDeploymentJob } from "./deployment-jobs.ts";
import { recordEvents, statusChange } from "./events.ts";
import { type HostWrite, hostLabelOf, writingHosts } from "./host-names.ts";
import { assertChatbotProvider, PLATFORM_PROVIDER_NAME } from "./providers.ts";
import { buildRouteRecord, publishRoutes, routeRowSelect, routeTargetsOfRow } from "./routing.ts";
import { assertDomainInScope, chatbotScope, notFound } from "./scope.ts";
import { tagsByName } from "./tags.ts";

const MODE_FILTERS: Record<NonNullable<ListChatbotsInput["mode"]>, Prisma.ChatBotWhereInput> = {
  sandbox: { deployed: false },
  custom: { deployed: true, customDomain: { isVerified: true } },
  default: { deployed: true, OR: [{ customDomainId: null }, { customDomain: { isVerified: false } }] },
};

/** LIKE treats %, _ and \ as special; a search matches them literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export async function listChatbots(
  services: ApiServices,
  principal: Principal,
  input: ListChatbotsInput,
): Promise<Page<ChatbotView>> {
  const filters: Prisma.ChatBotWhereInput[] = [chatbotScope(principal)];
  if (input.cursor !== undefined) filters.push({ id: { gt: input.cursor } });
  if (input.deployed !== undefined) filters.push({ deployed: input.deployed });
  if (input.mode !== undefined) filters.push(MODE_FILTERS[input.mode]);
  if (input.tag !== undefined) filters.push({ tags: { some: { name: input.tag } } });
  if (input.search) filters.push({ name: { contains: escapeLike(input.search), mode: "insensitive" } });
  const rows = await services.db.chatBot.findMany({
    where: { AND: filters },
    orderBy: { id: "asc" },
    take: input.limit + 1,
    include: chatbotInclude,
  });
  return toPage(rows, input.limit, (row) => toChatbotView(row, principal.accountNumber, services.config));
}

export async function getChatbot(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<ChatbotView> {
  const row = await services.db.chatBot.findFirst({
    where: { id, ...chatbotScope(principal) },
    include: chatbotInclude,
  });
  if (!row) throw notFound("chatbot", id);
  return toChatbotView(row, principal.accountNumber, services.config);
}

/** Column values for the fields the caller passed; tags and the domain are handled by the caller. */
function columns(input: ChatbotFieldsInput) {
  const { tags: _tags, customDomainId: _domain, ...rest } = input;
  return rest;
}

export async function createChatbot(
  services: ApiServices,
  principal: Principal,
  input: CreateChatbotInput,
): Promise<ChatbotView> {
  const hostLabel = hostLabelOf(input.name, {
    username: principal.username,
    isAccountAdmin: principal.isAccountAdmin,
  });
  const hostWrite: HostWrite = {
    hostLabel,
    accountNumber: principal.accountNumber,
    customDomainId: input.customDomainId ?? null,
    fields: { default: "name", custom: "customDomainId" },
  };
  // The host indexes decide (concurrent creates included): a clash is a CONFLICT naming the host.
  const row = await writingHosts(
    services,
    () => hostWrite,
    () =>
      services.db.$transaction(async (tx) => {
        if (input.customDomainId != null) await assertDomainInScope(tx, principal, input.customDomainId);
        if (input.provider !== undefined || input.defaultModel != null) {
          await assertChatbotProvider(tx, services, principal.accountId, {
            // The column's default when none is named.
            provider: input.provider ?? PLATFORM_PROVIDER_NAME,
            defaultModel: input.defaultModel ?? null,
            providerNamed: input.provider !== undefined,
          });
        }
        const created = await tx.chatBot.create({
          data: {
            ...columns(input),
            name: input.name,
            hostLabel,
            userProfileId: principal.userProfileId,
            accountId: principal.accountId,
            customDomainId: input.customDomainId ?? null,
            tags: { connect: await tagsByName(tx, input.tags ?? []) },
          },
          include: chatbotInclude,
        });
        await recordEvents(tx, principal.accountId, [
          {
            type: "chatbot.created",
            chatbotId: created.id,
            data: { name: created.name, by: principal.username },
          },
        ]);
        return created;
      }),
  );
  // Clears negative entries cached for the new chatbot's targets before it existed.
  await publishRoutes(services, [{ chatbotId: row.id, previousTargets: [] }]);
  return toChatbotView(row, principal.accountNumber, services.config);
}

export async function updateChatbot(
  services: ApiServices,
  principal: Principal,
  input: UpdateChatbotInput,
): Promise<ChatbotView> {
  const { id, ...fields } = input;
  let hostWrite: HostWrite | null = null;
  const { before, row } = await writingHosts(
    services,
    () => hostWrite,
    () =>
      services.db.$transaction(async (tx) => {
        const before = await tx.chatBot.findFirst({
          where: { id, ...chatbotScope(principal) },
          select: { ...routeRowSelect, hostLabel: true, provider: true, defaultModel: true },
        });
        if (!before) throw notFound("chatbot", id);
        if (fields.customDomainId != null) await assertDomainInScope(tx, principal, fields.customDomainId);
        if (fields.provider !== undefined || fields.defaultModel !== undefined) {
          await assertChatbotProvider(tx, services, principal.accountId, {
            provider: fields.provider ?? before.provider,
            defaultModel: fields.defaultModel === undefined ? before.defaultModel : fields.defaultModel,
            providerNamed: fields.provider !== undefined && fields.provider !== before.provider,
          });
        }
        const renamed = fields.name !== undefined && fields.name !== before.name;
        const hostLabel = renamed
          ? hostLabelOf(fields.name ?? before.name, {
              username: before.userProfile.user.username,
              isAccountAdmin: before.userProfile.isAccountAdmin,
            })
          : before.hostLabel;
        const domainChanged =
          fields.customDomainId !== undefined && fields.customDomainId !== before.customDomainId;
        if (hostLabel !== null) {
          hostWrite = {
            hostLabel,
            accountNumber: principal.accountNumber,
            customDomainId:
              fields.customDomainId === undefined ? before.customDomainId : fields.customDomainId,
            fields: { default: "name", custom: domainChanged ? "customDomainId" : "name" },
          };
        }
        // A deployed chatbot renamed has a new default host: deployed again there by the job,
        // which also removes the old host's record and certificate.
        const redeploy = renamed && before.deployed;
        const row = await tx.chatBot.update({
          where: { id },
          data: {
            ...columns(fields),
            ...(renamed ? { hostLabel } : {}),
            ...(fields.customDomainId === undefined ? {} : { customDomainId: fields.customDomainId }),
            ...(fields.tags === undefined ? {} : { tags: { set: await tagsByName(tx, fields.tags) } }),
            ...(redeploy
              ? {
                  dnsVerificationStatus: "Verifying",
                  ...NEXT_DEPLOYMENT_GENERATION,
                }
              : {}),
          },
          include: chatbotInclude,
        });
        if (redeploy) {
          await recordEvents(
            tx,
            principal.accountId,
            statusChange(
              "dns.status_changed",
              id,
              dnsStatusToSeed(before.dnsVerificationStatus),
              "Verifying",
            ),
          );
          await enqueueDeploymentJob(services, tx, {
            action: "deploy",
            chatbotId: id,
            generation: row.deploymentGeneration,
            attempt: 0,
            mismatches: 0,
          });
        }
        return { before, row };
      }),
  );
  if (
    row.name !== before.name ||
    row.customDomainId !== before.customDomainId ||
    row.appEmbedOrigins.join(" ") !== before.appEmbedOrigins.join(" ")
  ) {
    await publishRoutes(services, [
      { chatbotId: id, previousTargets: routeTargetsOfRow(before, services.config) },
    ]);
  }
  return toChatbotView(row, principal.accountNumber, services.config);
}

export async function deleteChatbot(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<{ id: number }> {
  const before = await services.db.chatBot.findFirst({
    where: { id, ...chatbotScope(principal) },
    select: routeRowSelect,
  });
  if (!before) throw notFound("chatbot", id);
  const previousTargets = routeTargetsOfRow(before, services.config);
  await services.db.$transaction(async (tx) => {
    const held = await tx.chatBot.findUnique({
      where: { id },
      select: { certificateArn: true, subdomain: true },
    });
    await recordEvents(tx, principal.accountId, [
      // chatbotId stays empty: the row is about to go; the id lives on in data.
      { type: "chatbot.deleted", data: { chatbotId: id, name: before.name, by: principal.username } },
    ]);
    // What the provider holds for it goes with a job committed with the delete: nothing dangles.
    await enqueueDeploymentJob(services, tx, {
      action: "delete",
      chatbotId: id,
      hosts: [buildRouteRecord(before, services.config).defaultHost],
      records: held?.subdomain ? [dnsRecordOfRow(held.subdomain)] : [],
      certificateArns: held?.certificateArn ? [held.certificateArn] : [],
    });
    if (held?.subdomain) await tx.chatBotCustomDomainDNS.delete({ where: { id: held.subdomain.id } });
    await tx.chatBot.delete({ where: { id } });
  });
  await publishRoutes(services, [{ chatbotId: id, previousTargets }]);
  return { id };
}
