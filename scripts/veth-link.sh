#!/usr/bin/env bash
# The emulated 10BASE-T1S link of the emulator bench: a veth pair, one end for the vehicle (EVCC), one
# for the emulated charger (SECC). ISO 15118 uses IPv6 link-local only, so each end gets a fixed fe80::
# address without Duplicate Address Detection (DAD would hold the address "tentative" for ~1 s and make
# the first SDP attempt fail), no router advertisements, no autoconfigured global addresses.
#
#   scripts/veth-link.sh up|down|status [EV_IF] [EVSE_IF]     (defaults mcs-ev0 / mcs-evse0)
#   scripts/veth-link.sh ev-down|ev-up [EV_IF] [EVSE_IF]      take only the vehicle end down/up (link-loss tests;
#                                                            the kernel flushes link-local addresses on down,
#                                                            ev-up puts ours back)
#
# Idempotent: `up` on an existing, healthy pair only re-applies the settings. Needs root (CAP_NET_ADMIN).
# Exit codes: 0 ok, 1 usage, 2 not permitted / missing tools, 3 link not healthy (status), 4 in use (down).
#
# `down` leaves a pair alone while another live mcs-hil process holds its link lock
# (drivers/iso15118/link-lock.ts): tearing it down would break that run mid-session.
set -euo pipefail

ACTION="${1:-status}"
EV_IF="${2:-mcs-ev0}"
EVSE_IF="${3:-mcs-evse0}"
# Fixed link-local addresses make pcaps and logs comparable between runs. EVSE = ::1 (PLCA node 0),
# EV = ::2 (PLCA node 1), mirroring the 10BASE-T1S node ids of an MCS link.
EVSE_ADDR="${MCS_EVSE_LL:-fe80::1}"
EV_ADDR="${MCS_EV_LL:-fe80::2}"

say() { echo "veth-link: $*"; }
die() { local code="$1"; shift; echo "veth-link: ERROR: $*" >&2; exit "$code"; }

usage() {
  echo "usage: $0 up|down|status|ev-down|ev-up [EV_IF] [EVSE_IF]   (defaults: mcs-ev0 mcs-evse0)" >&2
  exit 1
}

valid_ifname() { [[ "$1" =~ ^[A-Za-z0-9_.-]{1,15}$ ]]; }
valid_ifname "$EV_IF" || die 1 "interface name '$EV_IF' is not a valid Linux interface name (1-15 chars of A-Z a-z 0-9 _ . -)"
valid_ifname "$EVSE_IF" || die 1 "interface name '$EVSE_IF' is not a valid Linux interface name"
[ "$EV_IF" != "$EVSE_IF" ] || die 1 "the vehicle and charger interfaces must differ (both '$EV_IF')"

need_tools() {
  command -v ip >/dev/null 2>&1 || die 2 "the 'ip' command (iproute2) is missing. Install it: apt-get install -y iproute2"
}

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    die 2 "creating the emulated link needs root (CAP_NET_ADMIN). Run: sudo $0 up $EV_IF $EVSE_IF
  (or run the harness as root, as CI does). In a container, start it with --cap-add NET_ADMIN."
  fi
}

exists() { ip link show dev "$1" >/dev/null 2>&1; }

# pid of the live process other than our caller that holds the link lock of interface $1, if any.
LOCK_DIR="${TMPDIR:-/tmp}/mcs-hil-link-locks"
lock_holder() {
  local f="$LOCK_DIR/$1.lock" pid
  [ -f "$f" ] || return 1
  pid="$(sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p' "$f")"
  [ -n "$pid" ] && [ "$pid" != "$PPID" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Per-interface IPv6 settings, written before the link goes up so no DAD or RA ever starts.
configure_if() {
  local ifc="$1" addr="$2" conf="/proc/sys/net/ipv6/conf/$1"
  [ -d "$conf" ] || die 2 "IPv6 is not available on $ifc ($conf missing). Enable IPv6 in the kernel / container (sysctl net.ipv6.conf.all.disable_ipv6=0)."
  set_sysctl "$conf/disable_ipv6" 0
  set_sysctl "$conf/accept_dad" 0
  set_sysctl "$conf/dad_transmits" 0
  set_sysctl "$conf/accept_ra" 0
  set_sysctl "$conf/autoconf" 0
  # addr_gen_mode 1 = no automatic link-local: we add our fixed one (older kernels lack the knob; fine).
  [ -w "$conf/addr_gen_mode" ] && echo 1 > "$conf/addr_gen_mode" 2>/dev/null || true
  ip link set dev "$ifc" multicast on
  ip link set dev "$ifc" up
  if ! ip -6 addr show dev "$ifc" | grep -q "inet6 ${addr}/64"; then
    ip -6 addr add "${addr}/64" dev "$ifc" scope link nodad
  fi
}

set_sysctl() {
  if ! echo "$2" > "$1" 2>/dev/null; then
    die 2 "cannot write $1 (read-only /proc/sys?). In a container, run privileged or with a writable /proc/sys/net."
  fi
}

# 0 when both ends are up, carrier on, and each has its fe80:: address (not tentative).
healthy() {
  local ifc addr
  for pair in "$EV_IF:$EV_ADDR" "$EVSE_IF:$EVSE_ADDR"; do
    ifc="${pair%%:*}"; addr="${pair#*:}"
    exists "$ifc" || return 1
    ip link show dev "$ifc" | grep -q "LOWER_UP" || return 1
    ip -6 addr show dev "$ifc" | grep "inet6 ${addr}/64" | grep -vq tentative || return 1
  done
  return 0
}

status() {
  local rc=0
  for ifc in "$EV_IF" "$EVSE_IF"; do
    if exists "$ifc"; then
      local flags ll
      flags="$(ip -o link show dev "$ifc" | sed -n 's/.*<\([^>]*\)>.*/\1/p')"
      ll="$(ip -o -6 addr show dev "$ifc" scope link | awk '{print $4}' | paste -sd, -)"
      say "$ifc: flags <$flags> link-local ${ll:-none}"
    else
      say "$ifc: absent"
      rc=3
    fi
  done
  if [ $rc -eq 0 ] && healthy; then say "status: up"; else say "status: not up (run: $0 up $EV_IF $EVSE_IF)"; rc=3; fi
  # Who holds the pair (a run that opens it meanwhile waits for that process, and says so).
  for ifc in "$EV_IF" "$EVSE_IF"; do
    if holder="$(lock_holder "$ifc")"; then say "$ifc: in use by mcs-hil process $holder (link lock $LOCK_DIR/$ifc.lock)"; fi
  done
  return $rc
}

case "$ACTION" in
  up)
    need_tools; need_root
    if exists "$EV_IF" && ! exists "$EVSE_IF"; then
      die 2 "$EV_IF exists but $EVSE_IF does not: it is not our veth pair. Remove it (ip link del $EV_IF) or pick other names."
    fi
    if ! exists "$EV_IF"; then
      exists "$EVSE_IF" && die 2 "$EVSE_IF exists but $EV_IF does not. Remove it (ip link del $EVSE_IF) or pick other names."
      ip link add "$EV_IF" type veth peer name "$EVSE_IF" || die 2 "ip link add failed (veth module missing? try: modprobe veth)"
      say "created veth pair $EV_IF <-> $EVSE_IF"
    fi
    configure_if "$EV_IF" "$EV_ADDR"
    configure_if "$EVSE_IF" "$EVSE_ADDR"
    # Carrier on a fresh veth comes up asynchronously; wait briefly (bounded) for both ends.
    for _ in $(seq 1 50); do healthy && break; sleep 0.02; done
    healthy || { status || true; die 3 "link did not come up"; }
    say "up: $EV_IF ${EV_ADDR} <-> $EVSE_IF ${EVSE_ADDR}"
    ;;
  down)
    need_tools; need_root
    for ifc in "$EV_IF" "$EVSE_IF"; do
      if holder="$(lock_holder "$ifc")"; then
        say "$ifc is in use by mcs-hil process $holder (link lock $LOCK_DIR/$ifc.lock): not removed"
        exit 4
      fi
    done
    if exists "$EV_IF"; then ip link del "$EV_IF"; say "removed $EV_IF (and its peer $EVSE_IF)"; fi
    if exists "$EVSE_IF"; then ip link del "$EVSE_IF"; say "removed $EVSE_IF"; fi
    say "down"
    ;;
  status)
    need_tools
    status
    ;;
  ev-down)
    need_tools; need_root
    exists "$EV_IF" || die 3 "$EV_IF does not exist (run: $0 up $EV_IF $EVSE_IF)"
    ip link set dev "$EV_IF" down
    say "$EV_IF down (link lost)"
    ;;
  ev-up)
    need_tools; need_root
    exists "$EV_IF" || die 3 "$EV_IF does not exist (run: $0 up $EV_IF $EVSE_IF)"
    configure_if "$EV_IF" "$EV_ADDR"
    for _ in $(seq 1 50); do healthy && break; sleep 0.02; done
    healthy || { status || true; die 3 "link did not come back up"; }
    say "$EV_IF up again"
    ;;
  *) usage ;;
esac
