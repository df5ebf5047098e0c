#!/usr/bin/env bash
# (b) The star as the tutorial (shared/seeds/000) writes it: one `ip` command per step, veths
# made in the host namespace and then moved with `ip link set X netns NS`, everything inside a
# namespace through `ip netns exec NS ip ...`. Also brings lo up in each namespace, as the
# provider and Mininet do, so every variant does the same work.
#   tutorial.sh PREFIX N up|down
# Names: namespaces PREFIX-r, PREFIX-hI; links PREFIXhI (host end) and PREFIXrI (router end).
set -euo pipefail
P=$1 N=$2 OP=$3
RANGES=(192.0.2 198.51.100 203.0.113)
seg() { # seg I -> sets R (router address) and H (host address) of host I's /31 segment
  local k=$(( $1 - 1 )); local base=${RANGES[$(( k / 127 ))]} low=$(( (k % 127) * 2 ))
  R=$base.$low H=$base.$(( low + 1 ))
}
if [ "$OP" = up ]; then
  ip netns add "$P-r"
  for i in $(seq "$N"); do ip netns add "$P-h$i"; done
  ip netns exec "$P-r" ip link set lo up
  for i in $(seq "$N"); do ip netns exec "$P-h$i" ip link set lo up; done
  for i in $(seq "$N"); do ip link add "${P}h$i" type veth peer name "${P}r$i"; done
  for i in $(seq "$N"); do
    ip link set "${P}h$i" netns "$P-h$i"
    ip link set "${P}r$i" netns "$P-r"
  done
  for i in $(seq "$N"); do
    ip netns exec "$P-h$i" ip link set "${P}h$i" up
    ip netns exec "$P-r" ip link set "${P}r$i" up
  done
  for i in $(seq "$N"); do
    seg "$i"
    ip netns exec "$P-h$i" ip address add "$H/31" dev "${P}h$i"
    ip netns exec "$P-r" ip address add "$R/31" dev "${P}r$i"
  done
  for i in $(seq "$N"); do seg "$i"; ip netns exec "$P-h$i" ip route add default via "$R"; done
  ip netns exec "$P-r" sysctl -q net.ipv4.ip_forward=1
else
  # The tutorial's teardown: delete the namespaces (their links go with them).
  for i in $(seq "$N"); do ip netns delete "$P-h$i"; done
  ip netns delete "$P-r"
fi
