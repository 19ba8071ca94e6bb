// Buffer helpers: Buffer.concat / Buffer#copy typings clash with TS 5.9's generic Uint8Array under
// @types/node 20, so the PLC codec joins and places bytes by hand (as drivers/can/trace-pcap.ts does).

export function concatBytes(parts: Buffer[]): Buffer {
  const out = Buffer.alloc(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    placeBytes(out, p, off);
    off += p.length;
  }
  return out;
}

export function placeBytes(target: Buffer, bytes: Buffer, at: number): void {
  target.set(bytes as unknown as Uint8Array, at);
}

/** A copy that owns its memory (a frame read into a reused receive buffer). */
export function copyBytes(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  placeBytes(out, bytes, 0);
  return out;
}
