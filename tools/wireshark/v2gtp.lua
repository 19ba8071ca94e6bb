-- V2GTP (ISO 15118 V2G Transfer Protocol) for Wireshark / tshark, which have no dissector of their own for it:
--   tshark -X lua_script:tools/wireshark/v2gtp.lua -r capture.pcapng -Y v2gtp
-- The 8-byte header (version 0x01, inverse 0xFE, payload type u16, payload length u32, big-endian) in front of
-- every SDP datagram (UDP 15118) and every EXI message on TCP, or inside TLS when the capture carries its key log.
-- The V2G port is announced in SDP, so the dissector finds V2GTP by its header (a heuristic), not by a port.
-- The EXI payload is shown as bytes: `mcs-hil exi decode` decodes it.

local v2gtp = Proto("v2gtp", "ISO 15118 V2G Transfer Protocol")

-- ISO 15118-20 Table 12; DIN 70121 and ISO 15118-2 use 0x8001 for every EXI message and 0x9000/0x9001 for SDP.
local payload_types = {
  [0x8001] = "EXI (supportedAppProtocol, DIN 70121, ISO 15118-2)",
  [0x8002] = "EXI -20 CommonMessages",
  [0x8003] = "EXI -20 AC",
  [0x8004] = "EXI -20 DC",
  [0x8005] = "EXI -20 ACDP",
  [0x8006] = "EXI -20 WPT",
  [0x8101] = "-20 schedule renegotiation",
  [0x8102] = "-20 metering confirmation",
  [0x8103] = "-20 ACDP system status",
  [0x8104] = "-20 parking status",
  [0x9000] = "SDP request",
  [0x9001] = "SDP response",
  [0x9002] = "SDP request (wireless)",
  [0x9003] = "SDP response (wireless)",
}

local f_version = ProtoField.uint8("v2gtp.version", "Protocol version", base.HEX)
local f_inverse = ProtoField.uint8("v2gtp.inverse_version", "Inverse protocol version", base.HEX)
local f_type = ProtoField.uint16("v2gtp.payload_type", "Payload type", base.HEX, payload_types)
local f_length = ProtoField.uint32("v2gtp.payload_length", "Payload length", base.DEC)
local f_payload = ProtoField.bytes("v2gtp.payload", "Payload")
v2gtp.fields = { f_version, f_inverse, f_type, f_length, f_payload }

local HEADER = 8
-- Far above any V2G message (a signed CertificateInstallationRes is a few kB): a random TCP payload that happens
-- to start 01 FE is not taken for V2GTP.
local MAX_PAYLOAD = 65536

local function known(t)
  return payload_types[t] ~= nil or t >= 0xA000
end

local function looks_like_v2gtp(tvb, offset)
  if tvb:len() - offset < HEADER then return false end
  return tvb(offset, 1):uint() == 0x01 and tvb(offset + 1, 1):uint() == 0xFE
    and known(tvb(offset + 2, 2):uint()) and tvb(offset + 4, 4):uint() <= MAX_PAYLOAD
end

-- Every V2GTP message in the buffer (TCP may carry several in a segment, or one across segments: then ask TCP
-- for the rest).
local function dissect(tvb, pinfo, tree)
  local offset = 0
  local names = {}
  while offset < tvb:len() do
    if tvb:len() - offset < HEADER then
      pinfo.desegment_offset = offset
      pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
      break
    end
    local t = tvb(offset + 2, 2):uint()
    local len = tvb(offset + 4, 4):uint()
    if tvb:len() - offset < HEADER + len then
      pinfo.desegment_offset = offset
      pinfo.desegment_len = HEADER + len - (tvb:len() - offset)
      break
    end
    local sub = tree:add(v2gtp, tvb(offset, HEADER + len))
    sub:add(f_version, tvb(offset, 1))
    sub:add(f_inverse, tvb(offset + 1, 1))
    sub:add(f_type, tvb(offset + 2, 2))
    sub:add(f_length, tvb(offset + 4, 4))
    if len > 0 then sub:add(f_payload, tvb(offset + HEADER, len)) end
    names[#names + 1] = payload_types[t] or string.format("0x%04x", t)
    offset = offset + HEADER + len
  end
  pinfo.cols.protocol = "V2GTP"
  pinfo.cols.info = table.concat(names, ", ")
end

local function heuristic(tvb, pinfo, tree)
  if not looks_like_v2gtp(tvb, 0) then return false end
  dissect(tvb, pinfo, tree)
  return true
end

v2gtp:register_heuristic("udp", heuristic)
v2gtp:register_heuristic("tcp", heuristic)
v2gtp:register_heuristic("tls", heuristic)
