#!/bin/sh
# Trace every demo and write a gallery of teaching diagrams: one SVG (and a
# PNG when rsvg-convert is there) per demo, and an index.html with captions
# tied to the seed's sections. Needs root (it records).
#   make gallery                      or
#   IPCTRACE=./ipctrace IPCTRACE_TOOLS=.output/tools tools/gallery.sh [DIR]
set -u

IPCTRACE=${IPCTRACE:-./ipctrace}
TOOLS=${IPCTRACE_TOOLS:-.output/tools}
OUT=${1:-${GALLERY_DIR:-.output/gallery}}

mkdir -p "$OUT" || exit 1

# name|caption (kept in seed order: threads, files, pipes, modes, queues, memory, sockets, signals)
DEMOS='threads_futex|Threads of one process talking through a global guarded by a mutex and a condition variable: futex waits and wakes (seed 1.1.1)
file_pair|The seed'"'"'s first example: one process writes temp.txt, the other sleeps, then reads it: a shared file, no waiting (seed 1.2, 2.2.2)
pipe_blocking|A pipe: the reader sleeps in read() until each write wakes it: Sync-Blocking, simplex (seed 3, 4 PIPE)
fifo_pair|A named pipe between two unrelated processes (seed 4 Named PIPE)
pipe_nonblock_poll|Busy-waiting: an O_NONBLOCK reader retries read() on EAGAIN: Sync-Nonblocking (seed 2.2.2, 3)
pipe_poll|Readiness multiplexing: the reader sleeps in poll(), then reads: Async-Blocking (seed 3)
epoll_server|One server sleeping in epoll_wait for many clients: Async-Blocking (seed 3)
sigio_reader|Signal-driven I/O: the kernel sends SIGIO when data arrives: Async-Nonblocking (seed 3)
io_uring_cat|Completion-based I/O through io_uring: Async-Nonblocking (seed 3)
mq_pair|A POSIX message queue: the receiver blocks in mq_receive() (seed 4 Message Queue)
mq_notify|mq_notify: the receiver is told when a message arrives and never waits (seed 3, 4)
sysv_msg|A System V message queue: msgsnd / msgrcv (seed 4 Message Queue)
shm_sem|POSIX shared memory with process-shared semaphores: the data moves in memory, the waiting is futexes (seed 4 Shared Memory)
sysv_shm_sem|System V shared memory and semaphores (seed 4 Shared Memory)
mmap_file|A file mapped MAP_SHARED by two processes, a pipe byte as the doorbell (seed 4 Memory Map)
unix_stream|A unix stream socketpair, request and reply in turn: half-duplex (seed 2.1.2, 4 Socket)
unix_fullduplex|Both ends streaming at once over one unix socket: full-duplex (seed 2.1.3, 4 Socket)
unix_dgram|Unix datagrams one way: simplex (seed 2.1.1, 4 Socket)
unix_seqpacket|A seqpacket server on an abstract unix address (seed 4 Socket)
tcp_echo|TCP echo over the loopback interface (seed 1.1.3, 4 Socket)
udp_pair|UDP datagrams over the loopback interface (seed 1.1.3, 4 Socket)
signal_pair|Signals as messages: kill() one way, an answer back (seed 1.1)'

esc() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

index="$OUT/index.html"
{
	echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>ipctrace gallery</title>'
	echo '<style>body{font-family:sans-serif;max-width:1500px;margin:2em auto;color:#222}'
	echo 'figure{margin:2em 0}img,object{width:100%;border:1px solid #ddd}figcaption{margin:.4em 0 1em;font-size:15px}</style>'
	echo '</head><body><h1>ipctrace gallery</h1>'
	echo '<p>Every demo of <code>tools/</code>, traced and drawn by ipctrace. Hover over the diagrams for the facts behind each mark.</p>'
} > "$index"

echo "$DEMOS" | while IFS='|' read -r name caption; do
	bin="$TOOLS/$name"
	if [ ! -x "$bin" ]; then
		echo "gallery: skip $name: $bin not built" >&2
		continue
	fi
	trace="$OUT/$name.trace"
	svg="$OUT/$name.svg"
	# output to /dev/null: a log file would be a channel both demo processes write
	timeout 120 "$IPCTRACE" -o "$trace" -w "$svg" -- "$bin" >/dev/null 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "gallery: $name failed (exit $rc): run $IPCTRACE -- $bin to see why" >&2
		continue
	fi
	# the diagram's title is the demo, not the recording command line
	"$IPCTRACE" render --title "$name: $caption" -o "$svg" "$trace" || continue
	if command -v rsvg-convert >/dev/null 2>&1; then
		rsvg-convert -o "$OUT/$name.png" "$svg"
	fi
	cap=$(printf '%s' "$caption" | esc)
	printf '<figure id="%s"><figcaption><b>%s</b>: %s</figcaption><object type="image/svg+xml" data="%s.svg"></object></figure>\n' \
		"$name" "$name" "$cap" "$name" >> "$index"
	echo "gallery: $svg"
done

echo '</body></html>' >> "$index"
echo "gallery: $index"
