#!/usr/bin/env bash
# (c) The floor for any tool built on `ip`: as few `ip` processes as ip allows. `-n NS` is a
# global option, not a per-line one, so a batch works in one namespace: one batch in the host
# namespace makes every namespace and every veth pair (each end created directly in its
# namespace, the host end already up), then one batch per namespace sets links up and adds the
# addresses and the route; one `ip netns exec` runs sysctl for forwarding. N+3 processes in all.
# Teardown is one batch of `netns del`.
#   batch.sh PREFIX N up|down
set -euo pipefail
P=$1 N=$2 OP=$3
RANGES=(192.0.2 198.51.100 203.0.113)
seg() { local k=$(( $1 - 1 )); local base=${RANGES[$(( k / 127 ))]} low=$(( (k % 127) * 2 )); R=$base.$low H=$base.$(( low + 1 )); }
if [ "$OP" = up ]; then
  {
    echo "netns add $P-r"
    for i in $(seq "$N"); do echo "netns add $P-h$i"; done
    for i in $(seq "$N"); do echo "link add ${P}h$i netns $P-h$i up type veth peer name ${P}r$i netns $P-r"; done
  } | ip -batch -
  {
    echo "link set lo up"
    for i in $(seq "$N"); do seg "$i"; echo "link set ${P}r$i up"; echo "address add $R/31 dev ${P}r$i"; done
  } | ip -n "$P-r" -batch -
  for i in $(seq "$N"); do
    seg "$i"
    printf 'link set lo up\naddress add %s/31 dev %s\nroute add default via %s\n' "$H" "${P}h$i" "$R" | ip -n "$P-h$i" -batch -
  done
  ip netns exec "$P-r" sysctl -q net.ipv4.ip_forward=1
else
  { for i in $(seq "$N"); do echo "netns del $P-h$i"; done; echo "netns del $P-r"; } | ip -batch -
fi
