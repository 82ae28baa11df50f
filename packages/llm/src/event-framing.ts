// A streamed answer's body, re-cut into whole server-sent events before the openai client
// decodes it. The client's decoder appends every network chunk to the unfinished event, copies
// it and scans it again from its first byte, and copies what follows each event it finds: a
// provider that never ends an event, or packs thousands of empty ones in one chunk, costs CPU
// quadratic in the bytes it sends, for every chatbot on the process. Handed one whole event
// per chunk, the decoder's work is linear. Events no client reads (comments, blank lines,
// unknown fields) are dropped here at the cost of one scan, and an unfinished event longer
// than the bound fails the body.

const LF = 0x0a;
const CR = 0x0d;

/** An event's end, as the openai client finds it: "\n\n", "\r\r" or "\r\n\r\n". */
function endsEvent(byte: number, p1: number, p2: number, p3: number): boolean {
  if (byte === LF) return p1 === LF || (p1 === CR && p2 === LF && p3 === CR);
  return byte === CR && p1 === CR;
}

const BOM = [0xef, 0xbb, 0xbf];
const DATA = [0x64, 0x61, 0x74, 0x61]; // "data"
const EVENT = [0x65, 0x76, 0x65, 0x6e, 0x74]; // "event"

function startsWithAt(bytes: Uint8Array, at: number, prefix: number[]): boolean {
  if (at + prefix.length > bytes.length) return false;
  return prefix.every((byte, i) => bytes[at + i] === byte);
}

/** Whether some line of the event is a `data` or `event` field, the only ones the client reads. */
export function carriesField(event: Uint8Array): boolean {
  let lineStart = true;
  for (let i = 0; i < event.length; i++) {
    const byte = event[i];
    if (byte === LF || byte === CR) {
      lineStart = true;
    } else if (lineStart) {
      if (startsWithAt(event, i, DATA) || startsWithAt(event, i, EVENT)) return true;
      lineStart = false;
    }
  }
  return false;
}

function joined(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}

/** A transform passing one whole event per chunk; `tooLong()` past `maxEventBytes` of one event. */
export function eventFraming(
  maxEventBytes: number,
  tooLong: () => Error,
): TransformStream<Uint8Array, Uint8Array> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let opening = true;
  // The three bytes before the current one, within the unfinished event.
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;

  const emit = (controller: TransformStreamDefaultController<Uint8Array>) => {
    const event = joined(parts, size);
    parts = [];
    size = 0;
    if (carriesField(event)) controller.enqueue(event);
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      // A stream may open with a byte order mark, which is no part of its first line.
      let start = opening && startsWithAt(chunk, 0, BOM) ? BOM.length : 0;
      opening = false;
      for (let i = start; i < chunk.length; i++) {
        const byte = chunk[i] ?? 0;
        if (!endsEvent(byte, p1, p2, p3)) {
          p3 = p2;
          p2 = p1;
          p1 = byte;
          continue;
        }
        size += i + 1 - start;
        if (size > maxEventBytes) return controller.error(tooLong());
        parts.push(chunk.subarray(start, i + 1));
        emit(controller);
        start = i + 1;
        p1 = p2 = p3 = 0;
      }
      if (start < chunk.length) {
        size += chunk.length - start;
        if (size > maxEventBytes) return controller.error(tooLong());
        parts.push(chunk.subarray(start));
      }
    },
    flush(controller) {
      if (size > 0) emit(controller);
    },
  });
}
