// A link capture's pcap file read as it grows (tcpdump writes it packet by packet, -U): each read returns the
// whole packets written since the previous one, so cutting a test's window costs that test's packets, not the
// whole run's capture again (a night's MCS link capture holds 30-minute charging sessions).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readPcap, type CapturedPacket } from './capture-pcapng.ts';

const HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

export class PcapTail {
  private header: Uint8Array | undefined;
  /** Where the next unread record starts. */
  private offset = HEADER_BYTES;

  constructor(readonly file: string) {}

  /** The packets written since the last call; a record still being written stays for the next one. */
  next(): { linkType: number; packets: CapturedPacket[] } {
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (!this.header) {
        if (size < HEADER_BYTES) return { linkType: 1, packets: [] };
        this.header = new Uint8Array(HEADER_BYTES);
        readSync(fd, this.header, 0, HEADER_BYTES, 0);
      }
      const buf = new Uint8Array(HEADER_BYTES + Math.max(0, size - this.offset));
      buf.set(this.header);
      if (buf.length > HEADER_BYTES) readSync(fd, buf, HEADER_BYTES, buf.length - HEADER_BYTES, this.offset);
      const pcap = readPcap(buf, this.file);
      for (const p of pcap.packets) this.offset += RECORD_HEADER_BYTES + p.data.length;
      return pcap;
    } finally {
      closeSync(fd);
    }
  }
}
