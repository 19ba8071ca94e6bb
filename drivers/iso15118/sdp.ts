// SECC Discovery Protocol (SDP): the vehicle multicasts a request on the link and the charger answers
// with where to connect (reference §2.1). The message codec (sdp-codec.ts), the vehicle's client
// (sdp-client.ts) and the charger's server (sdp-server.ts) are one protocol: users import it from here.

export * from './sdp-codec.ts';
export * from './sdp-client.ts';
export * from './sdp-server.ts';
export { bytesToIpv6, ipv6ToBytes } from './ipv6-text.ts';
