// A faithful preview of the chat page's first screen from the form's current values: the
// same fields /config/ serves (title, assistant, welcome, example prompts, placeholder, info
// link, logo, background). Everything renders as text; URLs only as image sources and links.
import type { FormState } from "./form-state.ts";

const httpUrl = (value: string) => (/^https?:\/\//i.test(value.trim()) ? value.trim() : null);

export function ChatPreview({ state }: { state: FormState }) {
  const background = httpUrl(state.appBackgroundImageUrl);
  const logo = httpUrl(state.appLogoUrl);
  const info = httpUrl(state.appInfoUrl);
  const prompts = state.appExamplePrompts
    .split("\n")
    .map((p) => p.trim())
    .filter(Boolean);
  const title = state.appName.trim() || state.name;
  return (
    <figure className="preview" aria-label="Preview of the chat page">
      <div
        className="preview-page"
        style={background ? { backgroundImage: `url(${JSON.stringify(background)})` } : undefined}
      >
        <header className="preview-header">
          {logo ? <img src={logo} alt="" width={32} height={32} /> : null}
          <strong>{title}</strong>
          {info ? (
            <a href={info} target="_blank" rel="noopener noreferrer">
              About
            </a>
          ) : null}
        </header>
        <div className="preview-body">
          <p className="preview-message">
            <span className="preview-who">{state.appAssistant.trim() || "Assistant"}</span>
            {state.appWelcomeMessage.trim() || "Hello! How can I help?"}
          </p>
          {prompts.length ? (
            <ul className="preview-prompts" aria-label="Example prompts">
              {prompts.map((prompt) => (
                <li key={prompt}>{prompt}</li>
              ))}
            </ul>
          ) : null}
        </div>
        <div className="preview-input" aria-hidden="true">
          {state.appPlaceholder.trim() || "Type a message"}
          {state.appFileAttachment ? <span> · 📎</span> : null}
        </div>
      </div>
      <figcaption>Preview: the chat page as end users first see it.</figcaption>
    </figure>
  );
}
