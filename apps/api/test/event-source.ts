// A small EventSource over fetch for tests in Node 20 (no global EventSource): what tRPC's
// httpSubscriptionLink uses of the browser's (events by name, lastEventId, readyState, close),
// plus request headers. It does not reconnect: a dropped stream is an error, as tests want.
export class TestEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  readonly url: string;
  readonly withCredentials = false;
  private readonly abort = new AbortController();

  constructor(url: string | URL, init?: { headers?: Record<string, string> }) {
    super();
    this.url = String(url);
    void this.run(init?.headers ?? {});
  }

  close(): void {
    this.readyState = 2;
    this.abort.abort();
  }

  private fail(): void {
    if (this.readyState === 2) return;
    this.readyState = 2;
    this.dispatchEvent(new Event("error"));
  }

  private async run(headers: Record<string, string>): Promise<void> {
    try {
      const response = await fetch(this.url, {
        headers: { accept: "text/event-stream", ...headers },
        signal: this.abort.signal,
      });
      if (!response.ok || !response.body) return this.fail();
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
      const decoder = new TextDecoder();
      let buffer = "";
      const reader = response.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          this.dispatchBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
      }
      this.fail();
    } catch {
      this.fail();
    }
  }

  private dispatchBlock(block: string): void {
    let type = "message";
    let id = "";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") type = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
    if (data.length === 0 || this.readyState === 2) return;
    this.dispatchEvent(new MessageEvent(type, { data: data.join("\n"), lastEventId: id }));
  }
}
