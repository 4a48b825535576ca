#!/bin/sh
# A second "host" for the network demos: a network namespace joined to this
# one by a veth pair (needs root and iproute2).
#   tools/netns-peer.sh up [NAME [NET]]    NET.1 here, NET.2 in NAME (ipct-peer, 10.77.0)
#   tools/netns-peer.sh down [NAME]
set -eu
NS=${2:-ipct-peer}
NET=${3:-10.77.0}
# interface names have at most 15 bytes
HERE=$(printf '%.13s' "$NS")-h
THERE=$(printf '%.13s' "$NS")-p
case "${1:-}" in
up)
	ip netns del "$NS" 2>/dev/null || true
	ip netns add "$NS"
	ip link add "$HERE" type veth peer name "$THERE" netns "$NS"
	ip addr add "$NET.1/24" dev "$HERE"
	ip link set "$HERE" up
	ip -n "$NS" addr add "$NET.2/24" dev "$THERE"
	ip -n "$NS" link set "$THERE" up
	ip -n "$NS" link set lo up
	;;
down)
	# deleting the namespace deletes its end of the pair, and so both ends
	ip netns del "$NS" 2>/dev/null || true
	;;
*)
	echo "usage: $0 up|down [NAME [NET]]" >&2
	exit 2
	;;
esac
