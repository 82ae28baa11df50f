import { z } from "zod";
import {
  chatbotIdInput,
  createChatbotInput,
  listChatbotsInput,
  updateChatbotInput,
} from "../inputs/chatbot.ts";
import { idSchema, pageInput } from "../inputs/common.ts";
import {
  createChatbot,
  deleteChatbot,
  getChatbot,
  listChatbots,
  updateChatbot,
} from "../services/chatbots.ts";
import { deployChatbot, undeployChatbot } from "../services/deployments.ts";
import { listChatbotEvents } from "../services/event-log.ts";
import { protectedProcedure, router } from "../trpc.ts";
import { chatbotFunctionsRouter } from "./chatbot-functions.ts";

export const chatbotRouter = router({
  list: protectedProcedure
    .input(listChatbotsInput)
    .query(({ ctx, input }) => listChatbots(ctx.services, ctx.auth, input)),
  get: protectedProcedure
    .input(chatbotIdInput)
    .query(({ ctx, input }) => getChatbot(ctx.services, ctx.auth, input.id)),
  create: protectedProcedure
    .input(createChatbotInput)
    .mutation(({ ctx, input }) => createChatbot(ctx.services, ctx.auth, input)),
  update: protectedProcedure
    .input(updateChatbotInput)
    .mutation(({ ctx, input }) => updateChatbot(ctx.services, ctx.auth, input)),
  delete: protectedProcedure
    .input(chatbotIdInput)
    .mutation(({ ctx, input }) => deleteChatbot(ctx.services, ctx.auth, input.id)),
  deploy: protectedProcedure
    .input(chatbotIdInput)
    .mutation(({ ctx, input }) => deployChatbot(ctx.services, ctx.auth, input.id)),
  undeploy: protectedProcedure
    .input(chatbotIdInput)
    .mutation(({ ctx, input }) => undeployChatbot(ctx.services, ctx.auth, input.id)),
  functions: chatbotFunctionsRouter,
  /** The chatbot's status changes (old → new, reason, time), newest first. */
  events: protectedProcedure
    .input(z.strictObject({ id: idSchema, ...pageInput }))
    .query(({ ctx, input }) => listChatbotEvents(ctx.services, ctx.auth, input)),
});
