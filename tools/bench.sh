#!/bin/sh
# make bench: ipctrace's overhead, lost events, trace size and analysis cost
# beside strace and perf. BENCH_QUICK=1 for a one-minute run; see
# tests/bench/bench.py for the other knobs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
: "${IPCTRACE:=$here/ipctrace}"
: "${IPCTRACE_DEMOS:=$here/.output/demos}"
export IPCTRACE IPCTRACE_DEMOS
exec python3 "$here/tests/bench/bench.py" "$@"
