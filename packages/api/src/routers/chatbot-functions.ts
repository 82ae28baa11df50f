import { chatbotFunctionInput, chatbotFunctionsInput } from "../inputs/chatbot-functions.ts";
import { listChatbotFunctions, setChatbotFunction } from "../services/chatbot-functions.ts";
import { protectedProcedure, router } from "../trpc.ts";

/** chatbot.functions.*: within the chatbot's scope (its owner, or an account admin). */
export const chatbotFunctionsRouter = router({
  list: protectedProcedure
    .input(chatbotFunctionsInput)
    .query(({ ctx, input }) => listChatbotFunctions(ctx.services, ctx.auth, input.chatbotId)),
  enable: protectedProcedure
    .input(chatbotFunctionInput)
    .mutation(({ ctx, input }) => setChatbotFunction(ctx.services, ctx.auth, input, true)),
  disable: protectedProcedure
    .input(chatbotFunctionInput)
    .mutation(({ ctx, input }) => setChatbotFunction(ctx.services, ctx.auth, input, false)),
});
