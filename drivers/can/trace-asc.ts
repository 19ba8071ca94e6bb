// Vector ASC text (CANalyzer/CANoe), written for labs whose tools only read ASC. Timestamps are relative
// to the first record, channels are 1-based numbers in order of first appearance.
//   date Wed Nov 25 14:21:36.000 2026
//   base hex  timestamps absolute
//   internal events logged
//   Begin Triggerblock Wed Nov 25 14:21:36.000 2026
//      0.000000 Start of measurement
//      0.012829 1  1CEC56F4x       Rx   d 8 10 31 00 07 FF 00 02 00
//      0.100000 1  ErrorFrame
//   End TriggerBlock

import type { TraceRecord } from './trace-record.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function ascDate(epochUs: number): string {
  const d = new Date(Math.floor(epochUs / 1000));
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')} ${d.getUTCFullYear()}`;
}

export function formatAsc(records: readonly TraceRecord[]): string {
  const start = records[0]?.epochUs ?? 0;
  const channels = new Map<string, number>();
  const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
  const lines = [
    `date ${ascDate(start)}`,
    'base hex  timestamps absolute',
    'internal events logged',
    `Begin Triggerblock ${ascDate(start)}`,
    '   0.000000 Start of measurement',
  ];
  for (const r of records) {
    if (!channels.has(r.bus)) channels.set(r.bus, channels.size + 1);
    const ch = channels.get(r.bus)!;
    const ts = ((r.epochUs - start) / 1e6).toFixed(6).padStart(11, ' ');
    const f = r.frame;
    const dir = r.dir === 'tx' ? 'Tx' : 'Rx';
    if (f.error) {
      lines.push(`${ts} ${ch}  ErrorFrame`);
      continue;
    }
    const id = `${f.id.toString(16).toUpperCase()}${f.extended ? 'x' : ''}`;
    if (f.fd) {
      const dlc = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64].indexOf(f.data.length);
      const flags = (1 << 12) | (f.brs ? 1 << 13 : 0) | (f.esi ? 1 << 14 : 0);
      lines.push(
        `${ts} CANFD ${String(ch).padStart(3, ' ')} ${dir}        ${id.padEnd(8, ' ')}                                  ${f.brs ? 1 : 0} ${f.esi ? 1 : 0} ${dlc.toString(16)} ${String(f.data.length).padStart(2, ' ')} ${Array.from(f.data, hex).join(' ')}        0    0   ${flags.toString(16).toUpperCase().padStart(8, ' ')}        0        0        0        0        0`,
      );
      continue;
    }
    if (f.rtr) {
      lines.push(`${ts} ${ch}  ${id.padEnd(15, ' ')} ${dir}   r ${f.data.length.toString(16)}`);
      continue;
    }
    lines.push(
      `${ts} ${ch}  ${id.padEnd(15, ' ')} ${dir}   d ${f.data.length.toString(16)}${f.data.length ? ' ' + Array.from(f.data, hex).join(' ') : ''}`,
    );
  }
  lines.push('End TriggerBlock');
  return lines.join('\n') + '\n';
}
