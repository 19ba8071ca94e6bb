// The vehicle BMS's states, one per phase of GB/T 27930-2015's sequence, and what a step a test takes
// returns.

export type BmsState =
  | 'idle' // not plugged in: silent
  | 'handshake' // answering CHM with BHM
  | 'recognition' // sending BRM until CRM(0xAA)
  | 'configuration' // BCP, then BRO
  | 'charging' // BCL/BCS/BSM
  | 'stopping' // BST
  | 'statistics' // BSD
  | 'ended'
  | 'error'; // BEM after a timeout

export interface StepResult {
  ok: boolean;
  state: BmsState;
  /** Clock ns when the step was asked for and when it ended. */
  from: number;
  to: number;
  reason?: string;
}
