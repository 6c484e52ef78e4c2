/**
 * Follows a chunked body (RFC 9112 section 7.1) as its bytes pass through, only to know where the
 * message ends: the bytes themselves are relayed as they are. Chunk extensions and trailer
 * fields are skipped over; malformed framing is an error (the connection cannot be trusted on).
 */

const SIZE = 0;
const SIZE_OR_END = 1; // after at least one hex digit
const EXT = 2; // chunk extension, up to CR
const SIZE_LF = 3;
const DATA = 4;
const DATA_CR = 5;
const DATA_LF = 6;
const TRAILER_START = 7; // at the start of a trailer line or the final CRLF
const TRAILER = 8; // inside a trailer line, up to CR
const TRAILER_LF = 9;
const FINAL_LF = 10;
const DONE = 11;

/** A chunk size with more hex digits than this is refused (2^60 bytes is far past any body). */
const MAX_SIZE_DIGITS = 15;
/** Extensions and trailer lines longer than this are refused (they are never needed to relay a body). */
const MAX_LINE = 8192;

export class ChunkedTracker {
  private state = SIZE;
  private size = 0;
  private digits = 0;
  private line = 0;
  /** Chunk data bytes seen so far (the body without its framing). */
  data = 0;
  /** Set once malformed framing was seen; feed returns -2 from then on. */
  error: string | undefined;

  /** Starts over for a new message. */
  reset(): void {
    this.state = SIZE;
    this.size = 0;
    this.digits = 0;
    this.line = 0;
    this.data = 0;
    this.error = undefined;
  }

  /** Whether the whole message (last chunk and trailers) has been seen. */
  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Reads buf[start, end): returns the index just past the message's last byte when it ends in
   * there, -1 when all of it belongs to the message and more is to come, -2 on malformed framing.
   */
  feed(buf: Uint8Array, start: number, end: number): number {
    if (this.error !== undefined) return -2;
    let i = start;
    while (i < end) {
      const c = buf[i];
      switch (this.state) {
        case DATA: {
          const n = Math.min(this.size, end - i);
          this.size -= n;
          this.data += n;
          i += n;
          if (this.size === 0) this.state = DATA_CR;
          continue;
        }
        case SIZE:
        case SIZE_OR_END: {
          const h = hex(c);
          if (h >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.fail('A chunk size is too large.');
            this.size = this.size * 16 + h;
            this.state = SIZE_OR_END;
          } else if (this.state === SIZE) {
            return this.fail('A chunk does not start with its size in hex.');
          } else if (c === 13) {
            this.state = SIZE_LF;
          } else if (c === 59 || c === 32 || c === 9) {
            this.state = EXT;
            this.line = 0;
          } else {
            return this.fail('A chunk size is followed by something other than an extension or CRLF.');
          }
          break;
        }
        case EXT:
          if (c === 13) this.state = SIZE_LF;
          else if (c === 10 || c === 0) return this.fail('A chunk extension has a bare LF or NUL.');
          else if (++this.line > MAX_LINE) return this.fail('A chunk extension is too long.');
          break;
        case SIZE_LF:
          if (c !== 10) return this.fail('A chunk size line does not end with CRLF.');
          this.digits = 0;
          if (this.size === 0) {
            this.state = TRAILER_START;
          } else {
            this.state = DATA;
          }
          break;
        case DATA_CR:
          if (c !== 13) return this.fail('Chunk data is longer than its size.');
          this.state = DATA_LF;
          break;
        case DATA_LF:
          if (c !== 10) return this.fail('Chunk data does not end with CRLF.');
          this.state = SIZE;
          this.size = 0;
          break;
        case TRAILER_START:
          if (c === 13) {
            this.state = FINAL_LF;
          } else if (c === 10 || c === 32 || c === 9) {
            return this.fail('A trailer line is malformed.');
          } else {
            this.state = TRAILER;
            this.line = 1;
          }
          break;
        case TRAILER:
          if (c === 13) this.state = TRAILER_LF;
          else if (c === 10 || c === 0) return this.fail('A trailer line has a bare LF or NUL.');
          else if (++this.line > MAX_LINE) return this.fail('A trailer line is too long.');
          break;
        case TRAILER_LF:
          if (c !== 10) return this.fail('A trailer line does not end with CRLF.');
          this.state = TRAILER_START;
          break;
        case FINAL_LF:
          if (c !== 10) return this.fail('A chunked body does not end with CRLF.');
          this.state = DONE;
          return i + 1;
        default:
          return i;
      }
      i++;
    }
    return this.state === DONE ? end : -1;
  }

  private fail(reason: string): number {
    this.error = reason;
    return -2;
  }
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
