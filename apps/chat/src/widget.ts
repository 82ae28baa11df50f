// widget.js: a customer adds `<script src="https://<chatbot host>/widget.js" async></script>`
// and gets a launcher button that opens the chatbot's chat page in an iframe. Nothing else is
// loaded until the first click. Styles live in a shadow root so the host page's CSS and ours
// never meet. Optional attributes: data-label (the button's text), data-position ("left").
(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script?.src) return;
  const chatUrl = new URL("./", script.src).href;
  const label = script.dataset.label?.trim() || "Chat with us";
  const left = script.dataset.position === "left";

  const host = document.createElement("div");
  host.setAttribute("data-botgate-widget", "");
  const root = host.attachShadow({ mode: "open" });
  const side = left ? "left" : "right";
  const style = document.createElement("style");
  style.textContent = `
:host{all:initial}
.launcher{position:fixed;bottom:20px;${side}:20px;z-index:2147483646;font:600 16px/1 system-ui,sans-serif;
  padding:14px 18px;border:0;border-radius:999px;background:#0b57d0;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher:focus-visible,.close:focus-visible{outline:3px solid #e8710a;outline-offset:2px}
.panel{position:fixed;bottom:84px;${side}:20px;z-index:2147483647;width:400px;height:min(640px,calc(100vh - 104px));
  background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3);display:flex;flex-direction:column}
.panel[hidden]{display:none}
.bar{display:flex;justify-content:flex-end;background:#f4f4f6}
.close{font:600 16px/1 system-ui,sans-serif;border:0;background:transparent;padding:10px 14px;cursor:pointer;color:#1b1b1f}
iframe{flex:1;border:0;width:100%}
@media (max-width:666px){.panel{inset:0;width:100%;height:100%;border-radius:0}}`;
  const launcher = document.createElement("button");
  launcher.className = "launcher";
  launcher.type = "button";
  launcher.textContent = label;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "botgate-panel");
  const panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "botgate-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);
  const bar = document.createElement("div");
  bar.className = "bar";
  const close = document.createElement("button");
  close.className = "close";
  close.type = "button";
  close.textContent = "Close";
  close.setAttribute("aria-label", "Close chat");
  bar.append(close);
  panel.append(bar);
  root.append(style, launcher, panel);

  let frame: HTMLIFrameElement | null = null;
  const setOpen = (open: boolean) => {
    if (open && frame === null) {
      frame = document.createElement("iframe");
      frame.src = chatUrl;
      frame.title = label;
      frame.setAttribute("allow", "clipboard-write");
      panel.append(frame);
    }
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) frame?.focus();
    else launcher.focus();
  };
  launcher.addEventListener("click", () => setOpen(panel.hidden));
  close.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
  });
  window.addEventListener("message", (event) => {
    if (frame !== null && event.source === frame.contentWindow && event.data?.botgate === "close")
      setOpen(false);
  });
  (document.body ?? document.documentElement).append(host);
})();
