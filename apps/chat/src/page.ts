// The chat page at every chatbot address. Everything the chatbot shows comes from config/;
// text from chatbot fields is set as text, model answers go through renderMarkdown. The
// session key survives reloads (localStorage), an API key stays for the tab (sessionStorage).
import { ApiError, type ChatConfig, loadConfig, sendChat, type Turn } from "./api.ts";
import { renderMarkdown } from "./markdown.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $<HTMLDivElement>("log");
const form = $<HTMLFormElement>("form");
const input = $<HTMLTextAreaElement>("text");
const send = $<HTMLButtonElement>("send");
const stop = $<HTMLButtonElement>("stop");
const notice = $<HTMLParagraphElement>("notice");
const announce = $<HTMLDivElement>("announce");
const keyForm = $<HTMLFormElement>("keyform");
const keyInput = $<HTMLInputElement>("key");

const scope = `${location.host}${location.pathname}`;
const SESSION = `botgate:session:${scope}`;
const KEY = `botgate:key:${scope}`;
/** Turns sent along with a new message: the origin keeps the session and caps messages per call. */
const RECENT_TURNS = 20;

const state = {
  sessionKey: localStorage.getItem(SESSION),
  key: sessionStorage.getItem(KEY) ?? "",
  turns: [] as Turn[],
  assistant: "Assistant",
  busy: null as AbortController | null,
};

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** Only absolute http(s) URLs from chatbot fields are used, and only as attributes. */
function safeUrl(v: unknown): string | null {
  try {
    const url = new URL(text(v));
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function say(message: string, kind: "error" | "info" = "error") {
  notice.textContent = message;
  notice.dataset.kind = kind;
}

function addMessage(role: Turn["role"], content: string): HTMLElement {
  const item = document.createElement("article");
  item.className = `msg ${role}`;
  const who = document.createElement("h2");
  who.className = "who";
  who.textContent = role === "user" ? "You" : state.assistant;
  const body = document.createElement("div");
  body.className = "content";
  if (role === "assistant") body.innerHTML = renderMarkdown(content);
  else body.textContent = content;
  item.append(who, body);
  log.append(item);
  item.scrollIntoView({ block: "end" });
  return body;
}

function setBusy(controller: AbortController | null) {
  state.busy = controller;
  send.hidden = controller !== null;
  stop.hidden = controller === null;
  log.setAttribute("aria-busy", String(controller !== null));
}

/** Resolves once the visitor typed a key into the page's own form. */
function askForKey(message: string): Promise<void> {
  say(message);
  keyForm.hidden = false;
  keyInput.focus();
  return new Promise((resolve) => {
    keyForm.onsubmit = (event) => {
      event.preventDefault();
      const key = keyInput.value.trim();
      if (!key) return;
      state.key = key;
      sessionStorage.setItem(KEY, key);
      keyInput.value = "";
      keyForm.hidden = true;
      say("", "info");
      input.focus();
      resolve();
    };
  });
}

async function withKey<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiError) || !error.needsKey) throw error;
      if (state.key) sessionStorage.removeItem(KEY);
      await askForKey(state.key ? `That key was refused: ${error.message}` : error.message);
    }
  }
}

function show(config: ChatConfig) {
  const bot = config.chatbot;
  const title = text(bot.app_name) || text(bot.name) || "Chat";
  document.title = title;
  $("title").textContent = title;
  state.assistant = text(bot.app_assistant) || "Assistant";
  const placeholder = text(bot.app_placeholder);
  if (placeholder) input.placeholder = placeholder;
  const logo = safeUrl(bot.app_logo_url);
  if (logo) {
    const img = $<HTMLImageElement>("logo");
    img.src = logo;
    img.hidden = false;
  }
  const info = safeUrl(bot.app_info_url);
  if (info) {
    const link = $<HTMLAnchorElement>("info");
    link.href = info;
    link.hidden = false;
  }
  const background = safeUrl(bot.app_background_image_url);
  // A URL from new URL().href has its quotes percent-encoded, so it cannot leave the string.
  if (background) document.body.style.backgroundImage = `url("${background}")`;

  if (config.sessionKey) {
    state.sessionKey = config.sessionKey;
    localStorage.setItem(SESSION, config.sessionKey);
  }
  const welcome = text(bot.app_welcome_message);
  if (welcome) addMessage("assistant", welcome).parentElement?.classList.add("welcome");
  for (const turn of config.history) {
    state.turns.push(turn);
    addMessage(turn.role, turn.content);
  }
  const prompts = $("prompts");
  for (const prompt of Array.isArray(bot.app_example_prompts) ? bot.app_example_prompts : []) {
    if (typeof prompt !== "string" || !prompt.trim()) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = prompt;
    button.addEventListener("click", () => void ask(prompt));
    prompts.append(button);
  }
  if (config.stale) say("The chatbot is temporarily unavailable; answers may fail for a moment.", "info");
}

async function ask(message: string) {
  if (state.busy || !message.trim()) return;
  say("", "info");
  input.value = "";
  state.turns.push({ role: "user", content: message });
  addMessage("user", message);
  const body = addMessage("assistant", "");
  body.parentElement?.classList.add("pending");
  const controller = new AbortController();
  setBusy(controller);
  let latest = "";
  let frame = 0;
  const paint = () => {
    frame = 0;
    body.innerHTML = renderMarkdown(latest);
    body.parentElement?.scrollIntoView({ block: "end" });
  };
  try {
    const answer = await withKey(() =>
      sendChat({
        sessionKey: state.sessionKey,
        messages: state.turns.slice(-RECENT_TURNS),
        key: state.key,
        signal: controller.signal,
        onText: (t) => {
          latest = t;
          frame ||= requestAnimationFrame(paint);
        },
      }),
    );
    latest = answer.text;
    state.turns.push({ role: "assistant", content: answer.text });
    if (answer.sessionKey) {
      state.sessionKey = answer.sessionKey;
      localStorage.setItem(SESSION, answer.sessionKey);
    }
    announce.textContent = `${state.assistant}: ${answer.text}`;
  } catch (error) {
    if (controller.signal.aborted) {
      if (latest) state.turns.push({ role: "assistant", content: latest });
      say("Stopped.", "info");
    } else {
      say(error instanceof Error ? error.message : "Something went wrong.");
    }
  } finally {
    if (frame) cancelAnimationFrame(frame);
    paint();
    body.parentElement?.classList.remove("pending");
    if (!latest) body.parentElement?.remove();
    setBusy(null);
    input.focus();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void ask(input.value.trim());
});
input.addEventListener("keydown", (event) => {
  // Enter sends, Shift+Enter adds a line.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});
stop.addEventListener("click", () => state.busy?.abort());
// Inside the widget's iframe, Escape closes the widget (key events stay in this frame). The
// message says nothing but "close", so any parent may hear it; widget.js checks its source.
if (window.parent !== window) {
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") window.parent.postMessage({ botgate: "close" }, "*");
  });
}
$("new").addEventListener("click", () => {
  localStorage.removeItem(SESSION);
  location.reload();
});

withKey(() => loadConfig(state.sessionKey, state.key))
  .then(show)
  .catch((error: unknown) =>
    say(error instanceof Error ? error.message : "The chatbot could not be loaded."),
  );
