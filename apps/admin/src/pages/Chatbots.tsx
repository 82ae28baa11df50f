// chatbot.list with its filters and pages, and chatbot.create.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { fieldErrorsOf } from "../errors.ts";
import { FALLBACK_POLL_MS } from "../live.tsx";
import { useTRPC } from "../trpc.ts";
import { Badge, ErrorMessage, Loading, usePager } from "../ui/common.tsx";
import { SelectField, TextField } from "../ui/fields.tsx";

type Mode = "sandbox" | "default" | "custom";

export function ChatbotsPage() {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [tag, setTag] = useState("");
  const [mode, setMode] = useState("");
  const [deployed, setDeployed] = useState("");
  const pager = usePager("Chatbot");
  const filters = {
    limit: 20,
    cursor: pager.cursor,
    ...(search ? { search } : {}),
    ...(tag ? { tag } : {}),
    ...(mode ? { mode: mode as Mode } : {}),
    ...(deployed ? { deployed: deployed === "yes" } : {}),
  };
  const list = useQuery({ ...trpc.chatbot.list.queryOptions(filters), refetchInterval: FALLBACK_POLL_MS });
  const onFilter = (set: (value: string) => void) => (value: string) => {
    set(value);
    pager.reset();
  };
  return (
    <>
      <h1>Chatbots</h1>
      <CreateChatbot />
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Your chatbots</h2>
        <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
          <TextField
            label="Name contains"
            name="search"
            type="search"
            value={search}
            onChange={onFilter(setSearch)}
          />
          <TextField
            label="Tag"
            name="tag"
            value={tag}
            onChange={onFilter(setTag)}
            errors={fieldErrorsOf(list.error)}
          />
          <SelectField
            label="Mode"
            name="mode"
            value={mode}
            onChange={onFilter(setMode)}
            options={[
              { value: "", label: "Any" },
              { value: "sandbox", label: "Sandbox" },
              { value: "default", label: "Default host" },
              { value: "custom", label: "Custom host" },
            ]}
          />
          <SelectField
            label="Deployed"
            name="deployed"
            value={deployed}
            onChange={onFilter(setDeployed)}
            options={[
              { value: "", label: "Any" },
              { value: "yes", label: "Deployed" },
              { value: "no", label: "Not deployed" },
            ]}
          />
        </form>
        {list.isPending ? <Loading what="chatbots" /> : null}
        {list.error && !fieldErrorsOf(list.error).tag ? <ErrorMessage error={list.error} /> : null}
        {list.data ? (
          list.data.items.length === 0 ? (
            <p>No chatbots match.</p>
          ) : (
            <div className="table-scroll">
              <table>
                <caption className="visually-hidden">Chatbots</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Status</th>
                    <th scope="col">URL</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((bot) => (
                    <tr key={bot.id}>
                      <td>
                        <Link href={`/chatbots/${bot.id}`}>{bot.name}</Link>
                      </td>
                      <td>{bot.mode}</td>
                      <td>
                        <Badge ok={bot.ready}>
                          {bot.ready ? "ready" : bot.deployed ? "deploying" : "not deployed"}
                        </Badge>
                      </td>
                      <td className="url">{bot.url}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        ) : null}
        {list.data ? pager.controls(list.data.nextCursor) : null}
      </section>
    </>
  );
}

function CreateChatbot() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation(
    trpc.chatbot.create.mutationOptions({
      onSuccess: async (bot) => {
        await queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() });
        navigate(`/chatbots/${bot.id}`);
      },
    }),
  );
  const errors = fieldErrorsOf(create.error);
  return (
    <section aria-labelledby="create-heading" className="card">
      <h2 id="create-heading">New chatbot</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name, description });
        }}
      >
        <TextField
          label="Name"
          name="name"
          value={name}
          onChange={setName}
          errors={errors}
          required
          hint="Letters and digits, camelCase (e.g. supportBot). It names the chatbot's host."
        />
        <TextField
          label="Description"
          name="description"
          value={description}
          onChange={setDescription}
          errors={errors}
        />
        <ErrorMessage error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Create chatbot
        </button>
      </form>
    </section>
  );
}
