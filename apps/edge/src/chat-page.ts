// The chat page served at a chatbot's root (GET /): one self-contained HTML document that
// loads `config/` and posts to `chat/`, relative to wherever it is served (a chatbot host or a
// sandbox path). A placeholder until the admin app ships its own chat UI. The page is the
// same for every chatbot and every response.

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f5f5f7;color:#1d1d1f}
main{max-width:44rem;margin:0 auto;padding:1rem;display:flex;flex-direction:column;min-height:100vh}
h1{font-size:1.25rem;margin:.5rem 0}#notice{color:#8a4b00;min-height:1.5em}
#log{flex:1;display:flex;flex-direction:column;gap:.5rem;padding:.5rem 0}
.msg{padding:.5rem .75rem;border-radius:.75rem;max-width:85%;white-space:pre-wrap;word-wrap:break-word}
.user{align-self:flex-end;background:#0a66c2;color:#fff}.assistant{align-self:flex-start;background:#fff}
form{display:flex;gap:.5rem}input{flex:1;padding:.6rem;border:1px solid #ccc;border-radius:.5rem;font:inherit}
button{padding:.6rem 1rem;border:0;border-radius:.5rem;background:#0a66c2;color:#fff;font:inherit}
#prompts button{background:#e8e8ed;color:#1d1d1f;margin:0 .25rem .25rem 0}
[hidden]{display:none!important}#keyform{align-items:center;margin:.5rem 0}`;

const SCRIPT = `
const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
const $ = (id) => document.getElementById(id);
const state = { sessionKey: null, messages: [], key: sessionStorage.getItem("botgate-key") || "" };
function headers() {
  const h = { "Content-Type": "application/json" };
  if (state.key) h.Authorization = "Bearer " + state.key;
  return h;
}
function show(role, text) {
  const div = document.createElement("div");
  div.className = "msg " + role;
  div.textContent = text;
  $("log").append(div);
  div.scrollIntoView();
}
// A key the chatbot asks for is typed into the page's own form (no window.prompt: it blocks the
// page while it loads); every call waiting for it retries once it is given.
const keyWaiters = [];
function askForKey(message) {
  $("notice").textContent = message;
  $("keyform").hidden = false;
  $("key").focus();
  return new Promise((resolve) => keyWaiters.push(resolve));
}
$("keyform").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("key").value.trim();
  if (!key) return;
  state.key = key;
  sessionStorage.setItem("botgate-key", key);
  $("key").value = "";
  $("keyform").hidden = true;
  $("notice").textContent = "";
  for (const resolve of keyWaiters.splice(0)) resolve();
});
async function call(path, body) {
  const response = await fetch(base + path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (response.status === 401 || response.status === 403) {
    await askForKey((json.error && json.error.message) || "This chatbot needs an API key.");
    return call(path, body);
  }
  if (!response.ok) throw new Error((json.error && json.error.message) || "HTTP " + response.status);
  return json;
}
async function load() {
  try {
    const config = await call("config/", {});
    const data = config.data || {};
    const bot = data.chatbot || {};
    state.sessionKey = data.session_key || null;
    $("title").textContent = bot.app_name || bot.name || "Chat";
    if (config.stale) $("notice").textContent = "The chatbot is temporarily unavailable.";
    else if (bot.app_welcome_message) show("assistant", bot.app_welcome_message);
    if (bot.app_placeholder) $("text").placeholder = bot.app_placeholder;
    for (const p of Array.isArray(bot.app_example_prompts) ? bot.app_example_prompts : []) {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = String(p);
      b.onclick = () => { $("text").value = String(p); $("form").requestSubmit(); };
      $("prompts").append(b);
    }
  } catch (error) { $("notice").textContent = error.message; }
}
$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  show("user", text);
  state.messages.push({ role: "user", content: text });
  try {
    // The recent turns only: the origin keeps the session, and caps messages per call.
    const answer = await call("chat/", { session_key: state.sessionKey, messages: state.messages.slice(-20) });
    const body = (answer.data && answer.data.body) || {};
    state.sessionKey = (body.metadata && body.metadata.session_key) || state.sessionKey;
    const reply = body.choices && body.choices[0] && body.choices[0].message;
    if (reply) { state.messages.push(reply); show("assistant", reply.content); }
    $("notice").textContent = "";
  } catch (error) { $("notice").textContent = error.message; }
});
load();`;

/** The whole document: the same bytes for every chatbot and every request. */
export const CHAT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Chat</title><style>${STYLE}</style></head>
<body><main><h1 id="title">Chat</h1><div id="notice" role="status"></div>
<form id="keyform" hidden><label for="key">API key</label><input id="key" type="password" autocomplete="off">
<button>Use key</button></form><div id="log" aria-live="polite"></div>
<div id="prompts"></div><form id="form"><input id="text" autocomplete="off" aria-label="Message" placeholder="Message">
<button>Send</button></form></main><script>${SCRIPT}</script></body></html>`;

/** Encoded once per isolate; a Response copies these bytes, so every response can share them. */
export const CHAT_PAGE_BYTES = new Uint8Array(new TextEncoder().encode(CHAT_PAGE));

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

let headers: Promise<Record<string, string>> | undefined;

/**
 * Only this document's own inline style and script may run (allowed by their hashes, so the
 * page stays constant), and it talks to its own origin only. Hashed once per isolate.
 */
export function chatPageHeaders(): Promise<Record<string, string>> {
  headers ??= Promise.all([sha256Base64(SCRIPT), sha256Base64(STYLE)]).then(([script, style]) => ({
    "Content-Type": "text/html; charset=UTF-8",
    "Content-Security-Policy": `default-src 'none'; script-src 'sha256-${script}'; style-src 'sha256-${style}'; connect-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
  }));
  return headers;
}
