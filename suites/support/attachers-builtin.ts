// The attachers every run has. Area-specific ones (candump, V2G message log) register themselves from
// their own support files, imported here.
export {};
