#!/bin/bash
# timed.sh OUT CMD [ARG...]: runs CMD and writes to OUT the line
# "wall_ns rec_cpu_before rec_cpu_after units_per_s", then the output of the
# `times` builtin (its second line: CMD's user and sys time). rec_cpu is the
# CPU time in ns (schedstat of all its threads: clock ticks of 10 ms were too
# coarse for a half-second run) of the nearest ancestor named ipctrace (the
# recorder), sampled right around CMD: its CPU during the workload only.
# With BENCH_BPFSTATS=FILE it also dumps `bpftool -j prog show` to FILE.before
# and FILE around CMD, while the recorder runs (its programs' run_time_ns and
# run_cnt), and the ids of the recorder's programs (from its fdinfo) to FILE.ids.
# Only bash builtins run around CMD, so the wrapper adds almost nothing.
out=$1
shift

rec=0
p=$PPID
while [ "$p" -gt 1 ] 2>/dev/null; do
	read -r comm <"/proc/$p/comm" || break
	if [ "$comm" = ipctrace ]; then
		rec=$p
		break
	fi
	read -r line <"/proc/$p/stat" || break
	rest=${line##*) }
	read -r _ ppid _ <<<"$rest"
	p=$ppid
done

cpu_ns() {
	local f ns _ sum=0
	if [ "$rec" -eq 0 ]; then
		echo 0
		return
	fi
	for f in /proc/$rec/task/*/schedstat; do
		read -r ns _ <"$f" 2>/dev/null && sum=$((sum + ns))
	done
	echo $sum
}

if [ -n "$BENCH_BPFSTATS" ]; then
	bpftool -j prog show >"$BENCH_BPFSTATS.before" 2>/dev/null
fi
t_before=$(cpu_ns)
start=$EPOCHREALTIME
"$@"
status=$?
end=$EPOCHREALTIME
t_after=$(cpu_ns)
if [ -n "$BENCH_BPFSTATS" ]; then
	bpftool -j prog show >"$BENCH_BPFSTATS" 2>/dev/null
	# the recorder's own programs: other tracers may run on this machine
	for f in /proc/$rec/fdinfo/*; do
		while read -r k v; do
			[ "$k" = prog_id: ] && echo "$v"
		done <"$f"
	done 2>/dev/null | sort -un >"$BENCH_BPFSTATS.ids"
fi
wall_ns=$(( (${end/./} - ${start/./}) * 1000 ))
echo "$wall_ns $t_before $t_after 1000000000" >"$out"
times >>"$out" # CMD's own CPU: user and sys of this shell's children
exit $status
