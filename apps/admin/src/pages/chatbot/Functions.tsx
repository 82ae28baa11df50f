// chatbot.functions.*: the tools a chatbot's model may call.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../trpc.ts";
import { ErrorMessage, Loading } from "../../ui/common.tsx";
import { CheckboxField } from "../../ui/fields.tsx";

export function Functions({ chatbotId }: { chatbotId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.chatbot.functions.list.queryOptions({ chatbotId }));
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: trpc.chatbot.functions.pathKey() });
  const enable = useMutation(trpc.chatbot.functions.enable.mutationOptions({ onSuccess }));
  const disable = useMutation(trpc.chatbot.functions.disable.mutationOptions({ onSuccess }));
  return (
    <section aria-labelledby="functions-heading" className="card">
      <h2 id="functions-heading">Functions</h2>
      <p className="hint">Tools the model may call while answering.</p>
      {list.isPending ? <Loading what="functions" /> : null}
      <ErrorMessage error={list.error ?? enable.error ?? disable.error} />
      {list.data?.functions.map((fn) => (
        <CheckboxField
          key={fn.name}
          label={fn.name}
          name={fn.name}
          checked={fn.enabled}
          onChange={(on) => (on ? enable : disable).mutate({ chatbotId, name: fn.name })}
        />
      ))}
    </section>
  );
}
