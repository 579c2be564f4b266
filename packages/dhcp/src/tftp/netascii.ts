const CR = 0x0d;
const LF = 0x0a;

/** RFC 1350 netascii (RFC 764 NVT): LF → CR LF, CR → CR NUL, every other byte unchanged. */
export function toNetascii(data: Buffer): Buffer {
  let extra = 0;
  for (const byte of data) if (byte === CR || byte === LF) extra++;
  if (extra === 0) return data;
  const out = Buffer.allocUnsafe(data.length + extra);
  let j = 0;
  for (const byte of data) {
    if (byte === LF) {
      out[j++] = CR;
      out[j++] = LF;
    } else if (byte === CR) {
      out[j++] = CR;
      out[j++] = 0;
    } else out[j++] = byte;
  }
  return out;
}
