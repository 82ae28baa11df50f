// What both chat surfaces (routes/origin.ts: config/ and chat/; routes/openai.ts: /v1) share,
// built once per runtime: the chatbot cache, the chat rate limiter, one provider resolver (and
// so one cache of provider records), the chat bounds and stream timings, and the function runner.
import { egressPolicyOf, type Runtime } from "../runtime.ts";
import { chatLimiterOf } from "./chat-limits.ts";
import { ChatbotCache } from "./chatbot-cache.ts";
import { chatLimitsOf } from "./inputs.ts";
import { platformProviderOf, providerResolver } from "./provider.ts";
import { toolRunnerOf } from "./tools.ts";

function build(runtime: Runtime) {
  const limits = chatLimitsOf(runtime.env);
  return {
    chatbots: new ChatbotCache(runtime.db),
    limiter: chatLimiterOf(runtime),
    providers: providerResolver({
      db: runtime.db,
      secrets: runtime.secrets,
      platform: platformProviderOf(runtime.env),
      egress: egressPolicyOf(runtime),
    }),
    limits,
    timings: { idleMs: limits.streamIdleMs, pingMs: limits.streamPingMs },
    toolRunner: toolRunnerOf(runtime.env),
  };
}

export type ChatServices = ReturnType<typeof build>;

const built = new WeakMap<Runtime, ChatServices>();

export function chatServicesOf(runtime: Runtime): ChatServices {
  let services = built.get(runtime);
  if (services === undefined) {
    services = build(runtime);
    built.set(runtime, services);
  }
  return services;
}
