// The DIN 70121 / ISO 15118-2 vehicle session on an in-memory link in auto-advancing virtual time, with the
// DIN and -2 limit profiles; the charger end is the test's (a replayed capture, a scripted charger).
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { CcsMessageCodec } from '../../drivers/iso15118/ccs/codec.ts';
import { CcsEvccSession, type CcsSessionOptions } from '../../drivers/iso15118/ccs/session.ts';
import { memoryLinkPair, type MessageLink } from '../../drivers/iso15118/evcc/link.ts';

type VehicleSettings = Omit<CcsSessionOptions, 'clock' | 'timeline' | 'source' | 'link' | 'codec' | 'limits'>;

export function memoryVehicle<S>(serve: (chargerEnd: MessageLink) => S, settings: VehicleSettings) {
  const clock = new VirtualClock({ autoAdvance: true });
  const timeline = new Timeline({ clock });
  const [ev, charger] = memoryLinkPair(clock, { timeline, ev: 'ev', charger: 'charger' });
  const served = serve(charger);
  const limits = { din: Limits.load('din70121'), iso2: Limits.load('iso15118-2') };
  const session = new CcsEvccSession({ clock, timeline, source: 'ev', link: ev, codec: new CcsMessageCodec(), limits, ...settings });
  return { clock, timeline, ev, served, session };
}
