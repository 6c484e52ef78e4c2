/** End of input as the Heroku CLI sends it when its stdin is not a terminal (and the file ends). */
export const END_OF_INPUT = 0x04;

/** Splits a chunk a client sent to an attached dyno: the bytes for its stdin, and whether stdin ends there. */
export function splitStdin(chunk: Uint8Array): { data: Uint8Array; end: boolean } {
  const at = chunk.indexOf(END_OF_INPUT);
  return at === -1 ? { data: chunk, end: false } : { data: chunk.subarray(0, at), end: true };
}
