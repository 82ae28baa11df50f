// chatbot.functions.* inputs: a chatbot and one of the seed's function names.
import { ChatBotFunctionName } from "@botgate/db";
import { z } from "zod";
import { idSchema } from "./common.ts";

export const functionNameSchema = z.enum(
  Object.values(ChatBotFunctionName) as [ChatBotFunctionName, ...ChatBotFunctionName[]],
);

export const chatbotFunctionsInput = z.strictObject({ chatbotId: idSchema });

export const chatbotFunctionInput = z.strictObject({ chatbotId: idSchema, name: functionNameSchema });
