// Commands of the certification dossier: `bundle` a run for a reviewer, `verify` a bundle (manifest,
// signature, every verdict re-judged from the raw data), `judge` a recorded session without a charger.

import { UsageError } from '../drivers/core/errors.ts';
import { opt, type CommandSpec } from './command-spec.ts';

export const dossierCommands: CommandSpec[] = [
  {
    name: 'bundle <runDir>',
    description:
      'one signed tar.gz for a reviewer: raw evidence, HTML report, PCTR summary (HTML/PDF), MANIFEST.json with SHA-256 of every file',
    options: [
      opt('--sign <key>', 'PEM private key of the lab (Ed25519, or RSA/EC) to sign MANIFEST.json with (detached signature)'),
      opt('--cert <cert>', "with --sign: the key's X.509 certificate (PEM), put in the bundle instead of the bare public key"),
      opt('--out <file>', 'archive to write (default: <runDir>.tar.gz)'),
      opt('--no-pdf', 'leave out the PDF summary (no Chromium)'),
    ],
    action: async ([runDir], o) => {
      if (o.cert && !o.sign) throw new UsageError('--cert needs --sign KEY');
      const { buildBundle } = await import('../reports/bundle.ts');
      const r = await buildBundle({ runDir: String(runDir), out: o.out, sign: o.sign, cert: o.cert, noPdf: o.pdf === false });
      const pct = ((100 * r.bytes) / r.runBytes).toFixed(1);
      console.log(`bundle: ${r.file}`);
      console.log(`${r.files} files, ${(r.bytes / 1e6).toFixed(1)} MB (${pct} % of the run folder's ${(r.runBytes / 1e6).toFixed(1)} MB)`);
      console.log(`${r.omitted.length} copies left out (listed in OMITTED.txt); ${r.signed ? 'signed' : 'NOT signed (--sign KEY)'}`);
    },
  },
  {
    name: 'verify <bundle>',
    description:
      'check a bundle: every file against MANIFEST.json, the signature, then re-judge every verdict from the raw data and print any difference',
    options: [
      opt('--pubkey <pem>', 'the public key the reviewer trusts (PEM)'),
      opt('--cert <pem>', 'the certificate the reviewer trusts (PEM)'),
    ],
    action: async ([bundle], o) => {
      if (o.pubkey && o.cert) throw new UsageError('give --pubkey or --cert, not both');
      await import('../suites/support/gbt27930-offline.ts'); // registers the GB/T checks decidable offline
      await import('../suites/support/iso15118-offline.ts'); // and the MCS ones, re-derived from the recorded V2G messages
      await import('../suites/support/ccs2-offline.ts'); // and the CCS2 ones, from the V2G messages and the battery emulator's samples
      const { verifyBundle } = await import('../reports/bundle-verify.ts');
      const v = await verifyBundle(String(bundle), { trust: o.pubkey ?? o.cert });
      for (const line of v.lines) console.log(line);
      return v.ok ? 0 : 1;
    },
  },
  {
    name: 'judge <recording>',
    description:
      'judge a recorded session (GB/T: candump .log, .asc, .pcap; ISO 15118-20: a pcapng of the V2G link) with every check ' +
      'decidable offline; writes a run folder with Allure results',
    options: [
      opt('--protocol <name>', 'the protocol of the recording (gbt27930, iso15118-20)', { required: true }),
      opt('--bus <name>', 'which bus of a multi-bus recording (default: the first one)'),
      opt('--keylog <file>', 'iso15118-20: NSS TLS key log, when the pcapng has none embedded (Decryption Secrets Block)'),
      opt('--out <dir>', 'output folder (the judged run gets runs/<timestamp>/ in it; default: out/ in the project)'),
    ],
    action: async ([recording], o) => {
      if (o.protocol === 'iso15118-20') return judgeIso15118(String(recording), o.keylog, o.out);
      const { judgeRecordingFile } = await import('../reports/rejudge-recording-file.ts');
      const { requireGbt, gbtEventsFromRecording } = await import('../suites/support/gbt27930-recording.ts');
      requireGbt(String(o.protocol));
      const r = judgeRecordingFile({
        protocol: o.protocol,
        file: String(recording),
        out: o.out,
        events: gbtEventsFromRecording(String(recording), o.bus),
      });
      for (const line of r.lines) console.log(line);
      return r.exitCode;
    },
  },
];

/** `judge --protocol iso15118-20`: decrypt and decode the capture, then judge it like a GB/T recording. */
async function judgeIso15118(file: string, keylog: string | undefined, out: string | undefined): Promise<number> {
  await import('../suites/support/iso15118-offline.ts'); // registers the MCS checks decidable offline
  const { v2gEventsFromCapture } = await import('../drivers/iso15118/pcapng-reader-v2g.ts');
  const { formatMessageLog } = await import('../drivers/iso15118/evcc/record.ts');
  const { judgeIso15118Capture } = await import('../reports/rejudge-iso15118.ts');
  const { events, notes } = await v2gEventsFromCapture(file, keylog);
  const log = formatMessageLog(events);
  const r = judgeIso15118Capture({ protocol: 'iso15118-20', file, out, events, log, notes });
  for (const line of r.lines) console.log(line);
  return r.exitCode;
}
