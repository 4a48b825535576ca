#!/bin/sh
# Trace every demo and write a gallery of teaching diagrams: one SVG (and a
# PNG when rsvg-convert is there) per demo, and an index.html with captions
# tied to the sections of the OS course note the demos follow. Needs root
# (it records).
#   make gallery                      or
#   IPCTRACE=./ipctrace IPCTRACE_DEMOS=.output/demos tools/gallery.sh [DIR]
#   tools/gallery.sh --doc            the few diagrams committed in doc/gallery/
#   tools/gallery.sh --readme-table   the README's table of demos (markdown)
#   GALLERY_ONLY='pipe_poll tcp_echo' tools/gallery.sh ...   only these
# Every demos/*.c is a demo and is traced; one without a line in DEMOS below
# still is, with a note asking for a caption.
set -u

IPCTRACE=${IPCTRACE:-./ipctrace}
TOOLS=${IPCTRACE_DEMOS:-.output/demos}
SRC=$(dirname "$0")/../demos

# name|arguments|seed section|caption, in seed order: threads, files, pipes,
# modes, queues, memory, sockets, signals. A name that is not a demo in
# demos/ is a shell command of shell_cmd.
DEMOS='threads_futex||1.1.1|Threads of one process talking through a global guarded by a mutex and a condition variable: futex waits and wakes
file_pair||1.2, 2.2.2|The first example of the note: one process writes temp.txt, the other sleeps, then reads it: a shared file, no waiting
pipe_blocking||3, 4 PIPE|A pipe: the reader sleeps in read() until each write wakes it: Sync-Blocking, simplex
pipe_full||3, 4 PIPE|The other side of blocking: a fast writer sleeps in write() while the pipe is full, each read of a slow reader wakes it
pipe_splice||4 PIPE|A relay moves data from one pipe to another with splice(), inside the kernel: writer, pipe 1, splicer, pipe 2, reader
fifo_pair||4 Named PIPE|A named pipe between two unrelated processes
pipeline||4 PIPE|Coreutils in a pipeline (seq, sort -n, uniq -c): each reads the pipe the one before it writes
pipe_nonblock_poll||2.2.2, 3|Busy-waiting: an O_NONBLOCK reader retries read() on EAGAIN: Sync-Nonblocking
pipe_poll||3|Readiness multiplexing: the reader sleeps in poll(), then reads: Async-Blocking
epoll_server||3|One server sleeping in epoll_wait for many clients: Async-Blocking
epoll_drain||2.2.2, 3|The event-loop pattern: sleep in epoll_wait, then read until EAGAIN; each EAGAIN is followed by a sleep, not a retry: Async-Blocking, not busy-waiting
sigio_reader||3|Signal-driven I/O: the kernel sends a signal when data arrives, the handler reads: Async-Nonblocking
io_uring_cat||3|Completion-based I/O through io_uring: Async-Nonblocking
posix_aio||3|POSIX AIO: aio_read() on a helper thread, a signal on completion, the reader never waits: Async-Nonblocking
mq_pair||4 Message Queue|A POSIX message queue: the receiver blocks in mq_receive()
mq_notify||3, 4 Message Queue|mq_notify: the receiver is told when a message arrives and never waits: Async-Nonblocking
sysv_msg||4 Message Queue|A System V message queue: msgsnd / msgrcv
shm_sem||4 Shared Memory|POSIX shared memory with process-shared semaphores: the data moves in memory, the waiting is futexes
sysv_shm_sem||4 Shared Memory|System V shared memory and semaphores
mmap_file||4 Memory Map|A file mapped MAP_SHARED by two processes, a pipe byte as the doorbell
unix_stream||2.1.2, 4 Socket|A unix stream socketpair, request and reply in turn: half-duplex
unix_fullduplex|1048576 16384|2.1.3, 4 Socket|Both ends streaming at once over one unix socket, a sending and a receiving thread each: full-duplex
unix_dgram||2.1.1, 4 Socket|Unix datagrams one way: simplex
unix_seqpacket||4 Socket|A seqpacket server on an abstract unix address: a listening socket, then a connection
tcp_echo||1.1.3, 4 Socket|TCP echo over the loopback interface: a listening socket, then request and reply in turn
udp_pair||1.1.3, 4 Socket|UDP datagrams over the loopback interface
udp_reqrep||2.1.2, 4 Socket|DNS-like request and reply: an unbound client sendto()s a server and recvfrom()s its answer: one udp channel, half-duplex
pingpong|20|3, 4 PIPE|Two processes bounce one byte back and forth over two pipes: the smallest round trip, each side blocked while the other runs
signal_pair||1.1|Signals as messages: kill() one way, an answer back
many_tasks|20 20|1.1|One collector reads a pipe written by many short-lived processes and threads: every new task is followed'

# demos whose IPC is a short burst after a long start: drawn zoomed on it
ZOOM_DEMOS='unix_fullduplex pingpong'

# the README's gallery: one per quadrant of the modes figure, full-duplex, a real pipeline
DOC_DEMOS='pipe_blocking pipe_nonblock_poll pipe_poll sigio_reader unix_fullduplex pipeline'

# Gallery entries that are not demos of demos/: real programs.
shell_cmd() {
	case "$1" in
	pipeline) echo 'seq 1 200000 | sort -n | uniq -c >/dev/null' ;;
	esac
}

# --from/--to options around the time the channels carried data (10% margin), from the JSON report
zoom_opts() {
	command -v python3 >/dev/null 2>&1 || return 0
	"$IPCTRACE" report --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t0 = d["trace"]["start_ns"]
c = [x for x in d["channels"] if x["bytes"]]
if c:
    a, b = min(x["first_ns"] for x in c) - t0, max(x["last_ns"] for x in c) - t0
    m = (b - a) // 10 + 1000
    print("--from %dus --to %dus" % (max(a - m, 0) // 1000, (b + m) // 1000 + 1))
' 2>/dev/null
}

esc() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

# Every demo: the table's lines first (in its order), then any demos/*.c it misses.
all_demos() {
	echo "$DEMOS"
	for c in "$SRC"/*.c; do
		[ -e "$c" ] || continue
		n=$(basename "$c" .c)
		echo "$DEMOS" | grep -q "^$n|" && continue
		echo "$n|||no caption yet: add a line for $n to DEMOS in tools/gallery.sh"
	done
}

# the command line that runs demo $1 with arguments $2
demo_cmd() {
	if [ -e "$SRC/$1.c" ]; then
		printf '.output/demos/%s%s' "$1" "${2:+ $2}"
	else
		printf "sh -c '%s'" "$(shell_cmd "$1")"
	fi
}

if [ "${1:-}" = "--readme-table" ]; then
	echo '| demo | what it shows | seed | run it |'
	echo '|---|---|---|---|'
	all_demos | while IFS='|' read -r name args seed caption; do
		printf '| `%s` | %s | %s | `sudo ./ipctrace -w %s.svg -- %s` |\n' \
			"$name" "$caption" "${seed:--}" "$name" "$(demo_cmd "$name" "$args" | sed 's/|/\\|/g')"
	done
	exit 0
fi

DOC=0
if [ "${1:-}" = "--doc" ]; then
	DOC=1
	shift
	OUT=${1:-doc/gallery}
else
	OUT=${1:-${GALLERY_DIR:-.output/gallery}}
fi
WORK=$OUT
[ $DOC = 1 ] && WORK=${GALLERY_WORK:-.output/gallery-doc}
mkdir -p "$OUT" "$WORK" || exit 1

index="$WORK/index.html"
{
	echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>ipctrace gallery</title>'
	echo '<style>body{font-family:sans-serif;max-width:1500px;margin:2em auto;color:#222}'
	echo 'figure{margin:2em 0}img,object{width:100%;border:1px solid #ddd}figcaption{margin:.4em 0 1em;font-size:15px}</style>'
	echo '</head><body><h1>ipctrace gallery</h1>'
	echo '<p>Every demo of <code>demos/</code>, traced and drawn by ipctrace, with the section of the course note it illustrates. Hover over the diagrams for the facts behind each mark.</p>'
} > "$index"

# the loop runs in a subshell: its failures are counted in a file
failed="$WORK/failed.txt"
: > "$failed"
all_demos | while IFS='|' read -r name args seed caption; do
	if [ $DOC = 1 ]; then
		case " $DOC_DEMOS " in *" $name "*) ;; *) continue ;; esac
	fi
	if [ -n "${GALLERY_ONLY:-}" ]; then
		case " $GALLERY_ONLY " in *" $name "*) ;; *) continue ;; esac
	fi
	if [ -e "$SRC/$name.c" ]; then
		bin="$TOOLS/$name"
		if [ ! -x "$bin" ]; then
			echo "gallery: skip $name: $bin not built" >&2
			echo "$name" >> "$failed"
			continue
		fi
		# arguments split on spaces: the table's are plain numbers
		set -- "$bin" $args
	else
		set -- sh -c "$(shell_cmd "$name")"
	fi
	trace="$WORK/$name.trace"
	svg="$WORK/$name.svg"
	# output to /dev/null: a log file would be a channel both demo processes write
	timeout 120 "$IPCTRACE" -q --no-report -o "$trace" --no-svg -- "$@" >/dev/null 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "gallery: $name failed (exit $rc): run $IPCTRACE -- $* to see why" >&2
		echo "$name" >> "$failed"
		continue
	fi
	title="$name: $caption${seed:+ (seed $seed)}"
	window=
	case " $ZOOM_DEMOS " in *" $name "*) window=$(zoom_opts "$trace") ;; esac
	# the diagram's title is the demo, not the recording command line
	if ! "$IPCTRACE" render --title "$title" $window -o "$svg" "$trace"; then
		echo "$name" >> "$failed"
		continue
	fi
	if command -v rsvg-convert >/dev/null 2>&1; then
		rsvg-convert -o "$WORK/$name.png" "$svg"
	fi
	if [ $DOC = 1 ]; then
		cp "$svg" "$OUT/$name.svg"
		# small enough for the repository; the SVG is the sharp one
		if command -v rsvg-convert >/dev/null 2>&1; then
			rsvg-convert -z 0.75 -o "$OUT/$name.png" "$svg"
			if command -v pngquant >/dev/null 2>&1; then
				pngquant --force --skip-if-larger --output "$OUT/$name.png" 256 "$OUT/$name.png" || true
			fi
		fi
	fi
	cap=$(printf '%s' "$caption" | esc)
	printf '<figure id="%s"><figcaption><b>%s</b>: %s%s</figcaption><object type="image/svg+xml" data="%s.svg"></object></figure>\n' \
		"$name" "$name" "$cap" "${seed:+ (seed $seed)}" "$name" >> "$index"
	echo "gallery: $svg"
done

echo '</body></html>' >> "$index"
echo "gallery: $index"
if [ -s "$failed" ]; then
	echo "gallery: not drawn: $(tr '\n' ' ' < "$failed")" >&2
	exit 1
fi
