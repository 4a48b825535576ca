#!/bin/sh
# Installs the Debian packages ipctrace needs to build and test; only the missing ones.
#   tools/install-deps.sh [--bench]
set -eu

# The e2e tests (tests/e2e/test_app_*.py) trace real servers under their clients: postgresql
# (pgbench), nginx-light (apache2-utils' ab), memcached, nodejs; strace -f is their oracle,
# util-linux's setpriv drops root for postgres.
# libdeflate-dev: the trace's blocks (zlib streams, inflated whole); zlib1g-dev: libbpf, and the
# tests' independent writer and PNG reader.
# libgraphviz-dev: ipctrace graph lays its graph out with Graphviz's library (libgvc);
# graphviz (dot) and python3-pil: the graph's e2e tests check the DOT and the PNG.
# iproute2 makes the network namespaces and veth pairs that stand for machines in the merge
# tests (tests/e2e/test_merge.py).
PKGS="make gcc clang llvm bpftool libbpf-dev libelf-dev libdeflate-dev zlib1g-dev libcriterion-dev python3-pytest
pkg-config python3 libxml2-utils librsvg2-bin coreutils procps util-linux postgresql nginx-light
apache2-utils memcached nodejs strace fonts-noto-cjk fontconfig python3-fonttools pngquant iproute2
libgraphviz-dev graphviz python3-pil"
# --bench: what `make bench` compares against and drives besides: perf record (linux-perf) and
# nginx's benchmark client (wrk).
if [ "${1:-}" = "--bench" ]; then
	PKGS="$PKGS linux-perf wrk"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing; run as root (sudo $0) to install them" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing$missing"
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y -qq --no-install-recommends $missing >/dev/null
