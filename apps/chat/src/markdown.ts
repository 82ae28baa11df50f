// Model output and chatbot fields are untrusted: Markdown becomes HTML through marked, and
// only what DOMPurify keeps of it reaches the page. No raw HTML survives (marked's html tokens
// are rendered as text), links open in a new tab without an opener, and images are not shown
// (a model must not make the page fetch arbitrary URLs).
import DOMPurify from "dompurify";
import { Marked } from "marked";

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

const ALLOWED_TAGS = [
  "a",
  "blockquote",
  "br",
  "code",
  "del",
  "em",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "li",
  "ol",
  "p",
  "pre",
  "strong",
  "table",
  "tbody",
  "td",
  "th",
  "thead",
  "tr",
  "ul",
];

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    const href = node.getAttribute("href") ?? "";
    if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute("href");
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Safe HTML for a Markdown text (possibly incomplete, while it streams). */
export function renderMarkdown(text: string): string {
  // marked ends every block with a newline; trimmed, a one-paragraph answer is just that paragraph.
  const html = marked.parse(text, { async: false }).trim();
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "target", "rel", "align"],
    ALLOW_DATA_ATTR: false,
  });
}
