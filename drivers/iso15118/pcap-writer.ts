// A classic pcap file written as packets come, the way tcpdump -w writes one: what is buffered is bounded, the
// file grows on disk, and PcapTail (capture-tail.ts) cuts each test's window from it after flush().

import { closeSync, openSync, writeSync } from 'node:fs';

/** Written out once this much is buffered. */
const FLUSH_BYTES = 64 * 1024;
const LINKTYPE_ETHERNET = 1;

export class PcapWriter {
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
    const header = new DataView(new ArrayBuffer(24));
    header.setUint32(0, 0xa1b2c3d4, true); // µs time stamps, little-endian
    header.setUint16(4, 2, true);
    header.setUint16(6, 4, true);
    header.setUint32(16, 0x40000, true); // snap length
    header.setUint32(20, LINKTYPE_ETHERNET, true);
    writeSync(this.fd, new Uint8Array(header.buffer));
  }

  /** One Ethernet frame seen at tsUs (µs since the Unix epoch). A closed writer drops it. */
  write(tsUs: number, frame: Uint8Array): void {
    if (this.fd === undefined) return;
    const record = new Uint8Array(16 + frame.length);
    const dv = new DataView(record.buffer);
    const us = Math.round(tsUs);
    dv.setUint32(0, Math.floor(us / 1e6), true);
    dv.setUint32(4, us % 1e6, true);
    dv.setUint32(8, frame.length, true);
    dv.setUint32(12, frame.length, true);
    record.set(frame, 16);
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Everything written so far is in the file (whole records only). */
  flush(): void {
    if (this.fd === undefined || !this.pending.length) return;
    const out = new Uint8Array(this.pendingBytes);
    let off = 0;
    for (const r of this.pending) {
      out.set(r, off);
      off += r.length;
    }
    writeSync(this.fd, out);
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
