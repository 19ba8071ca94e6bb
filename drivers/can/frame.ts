// The CAN frame model shared by every transport, trace format and codec.

export interface CanFrame {
  /** 11-bit or 29-bit identifier (without flag bits). */
  id: number;
  /** True for a 29-bit (extended) identifier. */
  extended: boolean;
  /** Payload: 0..8 bytes (classic) or up to 64 (FD). */
  data: Uint8Array;
  /** CAN FD frame. */
  fd?: boolean;
  /** Remote transmission request. */
  rtr?: boolean;
  /** Error frame (id holds the error class bits). */
  error?: boolean;
  /** Clock ns when seen on the bus (set by the transport on receive). */
  t?: number;
}
