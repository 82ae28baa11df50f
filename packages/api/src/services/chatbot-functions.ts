// chatbot.functions.*: which of the platform's functions (calculator, date_calculator,
// get_current_weather) a chatbot offers its model as tools. Enabling and disabling are
// idempotent; every answer lists all functions with their state.
import { ChatBotFunctionName } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import type { Principal } from "./auth.ts";
import { assertChatbotInScope } from "./scope.ts";

export interface ChatbotFunctionsView {
  chatbotId: number;
  functions: Array<{ name: ChatBotFunctionName; enabled: boolean }>;
  /** The enabled ones' names, as chatbot.get shows them. */
  enabled: ChatBotFunctionName[];
}

const ALL = Object.values(ChatBotFunctionName).sort();

async function view(services: ApiServices, chatbotId: number): Promise<ChatbotFunctionsView> {
  const rows = await services.db.chatBotFunctions.findMany({ where: { chatbotId }, select: { name: true } });
  const enabled = new Set(rows.map((row) => row.name));
  return {
    chatbotId,
    functions: ALL.map((name) => ({ name, enabled: enabled.has(name) })),
    enabled: ALL.filter((name) => enabled.has(name)),
  };
}

export async function listChatbotFunctions(
  services: ApiServices,
  principal: Principal,
  chatbotId: number,
): Promise<ChatbotFunctionsView> {
  await assertChatbotInScope(services.db, principal, chatbotId);
  return view(services, chatbotId);
}

export async function setChatbotFunction(
  services: ApiServices,
  principal: Principal,
  input: { chatbotId: number; name: ChatBotFunctionName },
  enabled: boolean,
): Promise<ChatbotFunctionsView> {
  await assertChatbotInScope(services.db, principal, input.chatbotId);
  if (enabled) {
    // ON CONFLICT DO NOTHING: concurrent enables of one function meet at the unique index.
    await services.db.chatBotFunctions.createMany({ data: [input], skipDuplicates: true });
  } else {
    await services.db.chatBotFunctions.deleteMany({ where: input });
  }
  return view(services, input.chatbotId);
}
