#!/bin/sh
# The teacher's kit: every figure and table row of the OS course note the
# demos follow, drawn by ipctrace from real traces of the demos, in English
# and Korean, with the note's section numbers and captions; then every demo.
# Writes SVG (and PNG when rsvg-convert is there) and an index.html. Needs
# root (it records; the network figure also makes a network namespace).
#   make gallery                      or
#   IPCTRACE=./ipctrace IPCTRACE_DEMOS=.output/demos tools/gallery.sh [DIR]
#   tools/gallery.sh --doc            the figures committed in doc/gallery/ (the README's)
#   tools/gallery.sh --readme-table   the README's table of demos (markdown)
#   tools/gallery.sh --figures        the figure table: section|demo|English|Korean
#   GALLERY_ONLY='pipe_poll tcp_echo' tools/gallery.sh ...   only these demos
# Every demos/*.c is a demo and is traced; one without a line in DEMOS below
# still is, with a note asking for a caption.
set -u

IPCTRACE=${IPCTRACE:-./ipctrace}
TOOLS=${IPCTRACE_DEMOS:-.output/demos}
SRC=$(dirname "$0")/../demos
NETNS=ipct-gallery

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
tcp_echo||4 Socket|TCP echo over the loopback interface: a listening socket, then request and reply in turn
netns_tcp|ipct-gallery 10.78.0.2|1.1.3|TCP to a server in another network namespace, another "host" on a veth pair: sockets over a network (first: sudo tools/netns-peer.sh up ipct-gallery 10.78.0)
udp_pair||4 Socket|UDP datagrams over the loopback interface
udp_reqrep||2.1.2, 4 Socket|DNS-like request and reply: an unbound client sendto()s a server and recvfrom()s its answer: one udp channel, half-duplex
pingpong|20|3, 4 PIPE|Two processes bounce one byte back and forth over two pipes: the smallest round trip, each side blocked while the other runs
signal_pair||1.1|Signals as messages: kill() one way, an answer back
many_tasks|20 20|1.1|One collector reads a pipe written by many short-lived processes and threads: every new task is followed
cp_chain|6|3, 4|A chain of waits for critical-path: a sink waits on a relay (unix socket, then a process-shared semaphore), the relay on a source (pipe), each with set sleeps
cp_threads|6|1.1.1|A chain of waits between threads through futexes (semaphores), for critical-path
cp_disk|16|1.2|A chain that ends at the disk: a reader waits on a pipe for a process whose O_DIRECT reads wait for the device
deadlock|2|3|Two processes that each wait for the other to speak first (a pipe one way, a unix socket the other): a deadlock the report names'

# demos whose IPC is a short burst after a long start: drawn zoomed on it
ZOOM_DEMOS='unix_fullduplex pingpong'

# The course note's figures and table rows, in its order: section|demo|English
# title|Korean title|English caption|Korean caption. Every section of the note
# has a line (a unit test holds this table to doc/note-sections.txt).
FIGURES='1.1.1|threads_futex|Threads of one process|프로세스 내부 데이터 통신 (스레드)|Threads share the process'"'"'s memory: they talk through a global guarded by a mutex and a condition variable, and wait and wake each other with futexes.|스레드는 프로세스의 메모리를 공유한다: 뮤텍스와 조건 변수로 지키는 전역 변수로 데이터를 주고받고, futex로 서로 기다리고 깨운다.
1.1.2|pingpong|Processes on one computer|프로세스간 데이터 통신 (같은 컴퓨터)|Two processes on one computer cannot see each other'"'"'s memory: they bounce a byte over two pipes the OS provides, each asleep while the other runs.|같은 컴퓨터의 두 프로세스는 서로의 메모리를 볼 수 없다: OS가 제공하는 파이프 두 개로 한 바이트를 주고받으며, 한쪽이 실행하는 동안 다른 쪽은 대기한다.
1.1.3|netns_tcp|Over a network: sockets|네트워크를 이용한 데이터 통신 (소켓)|A client talks over TCP to a server on another "host": a network namespace with its own interfaces and addresses, reached over a veth pair.|클라이언트가 다른 "호스트"의 서버와 TCP로 통신한다: 자기만의 인터페이스와 주소를 가진 네트워크 네임스페이스이며, veth 쌍으로 연결된다.
1.2|file_pair|The primitive example: a shared file|원시적인 프로세스 통신 예시 (공유 파일)|The note'"'"'s first example: one process writes temp.txt, the other sleeps 10 ms (the note sleeps 10 s), then reads it. Nobody waits for the data: communication without waiting.|노트의 첫 예시: 한 프로세스가 temp.txt에 쓰고, 다른 프로세스는 10 ms(노트는 10초) 잔 뒤 읽는다. 데이터를 기다리는 쪽이 없다: 대기가 없는 통신.
2.1.1|unix_dgram|Simplex|단방향 통신 (Simplex)|Data goes one way only: unix datagrams from a sender to a receiver (→ in the table).|데이터가 한쪽으로만 간다: 보내는 쪽에서 받는 쪽으로 가는 유닉스 데이터그램 (표의 →).
2.1.2|unix_stream|Half-duplex|반양방향 통신 (Half duplex)|Both ways, one way at a time, like a walkie-talkie: request and reply in turn over a unix socket (↔).|양쪽으로 가지만 한 번에 한쪽만, 무전기처럼: 유닉스 소켓으로 요청과 응답을 번갈아 (↔).
2.1.3|unix_fullduplex|Full-duplex|양방향 통신 (Full duplex)|Both ways at the same time: each end streams while it receives, arrows crossing in the same instant (⇌; zoomed on the burst).|동시에 양쪽으로: 양 끝이 받으면서 동시에 보내고, 화살표가 같은 순간에 엇갈린다 (⇌; 전송 구간을 확대).
2.2.1|pipe_blocking|Communication with waiting|대기가 있는 통신|The receiver waits, asleep in read() (dark hatch), until data arrives; each write wakes it (arrows).|받는 쪽은 데이터가 도착할 때까지 read() 안에서 대기하고(짙은 빗금), 쓰기마다 깨어난다(화살표).
2.2.2|pipe_nonblock_poll|Communication without waiting: busy-waiting|대기가 없는 통신 (바쁜 대기)|The receiver never sleeps: it checks again and again whether data arrived (orange zigzag: thousands of read() returning EAGAIN).|받는 쪽은 잠들지 않고 데이터가 왔는지 계속 직접 확인한다 (주황 지그재그: EAGAIN을 돌려받은 read() 수천 번).
3|pipe_blocking|Sync-Blocking|Sync-Blocking|The reader calls read() and waits in it; as soon as the writer'"'"'s data is there it goes on.|읽는 쪽은 read()를 호출하고 그 안에서 대기하다가, 쓰는 쪽의 데이터가 오는 즉시 이어서 작업한다.
3|pipe_nonblock_poll|Sync-Nonblocking|Sync-Nonblocking|The reader keeps the CPU and checks periodically whether the read can complete: busy-waiting, like polling.|읽는 쪽은 제어권을 넘기지 않고 주기적으로 완료되었는지 확인한다: 바쁜 대기, 폴링과 비슷하다.
3|pipe_poll|Async-Blocking|Async-Blocking|The reader sleeps in poll(), not in the read; told the pipe is ready, it reads what is there.|읽는 쪽은 read가 아니라 poll() 안에서 대기하고, 파이프가 준비되었다는 알림을 받으면 있는 것을 읽는다.
3|sigio_reader|Async-Nonblocking|Async-Nonblocking|The kernel calls back: with O_ASYNC a signal arrives when data does, and the handler reads; the reader never waits on the pipe.|커널이 callback을 불러 준다: O_ASYNC로 데이터가 오면 시그널이 오고, 핸들러가 읽는다; 읽는 쪽은 파이프에서 기다리지 않는다.
4|pipeline|PIPE|PIPE|A real pipeline, seq | sort -n | uniq -c: parent-child one-way pipes; seq blocks while the pipe is full, sort reads everything before it writes.|실제 파이프라인 seq | sort -n | uniq -c: 부모 자식 간 단방향 파이프; 파이프가 차면 seq가 대기하고, sort는 다 읽은 뒤에 쓴다.
4|fifo_pair|Named PIPE|Named PIPE|A named pipe (FIFO) in the file system between two unrelated processes, one way.|파일 시스템의 이름 있는 파이프(FIFO)로 관계없는 두 프로세스가 한 방향으로 통신한다.
4|mq_pair|Message Queue|Message Queue|A POSIX message queue in kernel memory: messages one way, the receiver blocks in mq_receive().|커널 메모리의 POSIX 메시지 큐: 메시지가 한 방향으로 가고, 받는 쪽은 mq_receive()에서 대기한다.
4|shm_sem|Shared Memory|Shared Memory|POSIX shared memory: the data moves by loads and stores no system call shows; the waiting is on semaphores (futexes).|POSIX 공유 메모리: 데이터는 시스템 콜에 드러나지 않는 메모리 읽기와 쓰기로 오가고, 기다림은 세마포어(futex)에서 일어난다.
4|mmap_file|Memory Map|Memory Map|A file mapped MAP_SHARED by two processes: pages of the file are the shared memory; a pipe byte rings the doorbell.|두 프로세스가 MAP_SHARED로 매핑한 파일: 파일의 페이지가 공유 메모리이고, 파이프 한 바이트가 초인종 역할을 한다.
4|tcp_echo|Socket|Socket|TCP echo: a listening socket, then a connection carrying request and reply in turn; the same API reaches other systems (1.1.3).|TCP 에코: 리스닝 소켓과, 요청과 응답을 번갈아 나르는 연결; 같은 API로 다른 시스템에도 닿는다 (1.1.3).'

# the README's selection, in both languages: the four quadrants, full-duplex, a network, a real pipeline
DOC_FIGURES='fig-3-Sync-Blocking fig-3-Sync-Nonblocking fig-3-Async-Blocking fig-3-Async-Nonblocking fig-2.1.3 fig-1.1.3 fig-4-PIPE'

# the file name of a figure: its section, and the row or quadrant where one section has several
fig_id() {
	case "$1" in
	3|4) printf 'fig-%s-%s' "$1" "$(printf '%s' "$2" | tr ' ' '-')" ;;
	*) printf 'fig-%s' "$1" ;;
	esac
}

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
if [ "${1:-}" = "--figures" ]; then
	echo "$FIGURES" | cut -d'|' -f1-4
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

# the loops run in subshells: their failures are counted in a file
failed="$WORK/failed.txt"
: > "$failed"

# is demo $1 wanted in this run?
wanted() {
	if [ $DOC = 1 ]; then
		echo "$FIGURES" | while IFS='|' read -r sec demo en ko cen cko; do
			case " $DOC_FIGURES " in *" $(fig_id "$sec" "$en") "*) [ "$demo" = "$1" ] && echo y ;; esac
		done | grep -q y
		return
	fi
	[ -z "${GALLERY_ONLY:-}" ] && return 0
	case " $GALLERY_ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

# Record demo $1 with arguments $2 into $WORK/$1.trace.
record_demo() {
	name=$1
	args=$2
	if [ -e "$SRC/$name.c" ]; then
		bin="$TOOLS/$name"
		if [ ! -x "$bin" ]; then
			echo "gallery: skip $name: $bin not built" >&2
			return 1
		fi
		# arguments split on spaces: the table's are plain words
		set -- "$bin" $args
	else
		set -- sh -c "$(shell_cmd "$name")"
	fi
	# the network figure's other "host"
	[ "$name" = netns_tcp ] && ! "$(dirname "$0")/netns-peer.sh" up "$NETNS" 10.78.0 && return 1
	# output to /dev/null: a log file would be a channel both demo processes write
	timeout 120 "$IPCTRACE" -q --no-report -o "$WORK/$name.trace" --no-svg -- "$@" >/dev/null 2>&1
	rc=$?
	[ "$name" = netns_tcp ] && "$(dirname "$0")/netns-peer.sh" down "$NETNS"
	if [ $rc -ne 0 ]; then
		echo "gallery: $name failed (exit $rc): run $IPCTRACE -- $* to see why" >&2
		return 1
	fi
}

# Draw $WORK/$1.trace as $2.svg (and .png) in language $3 with title $4; more render options follow.
draw() {
	trace=$WORK/$1.trace
	window=
	case " $ZOOM_DEMOS " in *" $1 "*) window=$(zoom_opts "$trace") ;; esac
	base=$2
	lang=$3
	title=$4
	shift 4
	# the diagram's title is the figure, not the recording command line
	"$IPCTRACE" render --lang "$lang" --title "$title" $window "$@" -o "$base.svg" "$trace" || return 1
	if command -v rsvg-convert >/dev/null 2>&1; then
		rsvg-convert -o "$base.png" "$base.svg" || return 1
	fi
}

all_demos | while IFS='|' read -r name args seed caption; do
	wanted "$name" || continue
	record_demo "$name" "$args" || echo "$name" >> "$failed"
done

# The note's figures of 1.1 and 2.1 are hand-drawn graphs: where ipctrace draws the
# communication graph, those figures show it first.
HAVE_GRAPH=0
"$IPCTRACE" graph --help >/dev/null 2>&1 && HAVE_GRAPH=1
graph_figure() {
	[ $HAVE_GRAPH = 1 ] || return 1
	case "$1" in 1.1.*|2.1.*) return 0 ;; esac
	return 1
}

index="$WORK/index.html"
{
	echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>ipctrace gallery</title>'
	echo '<style>body{font-family:sans-serif;max-width:1500px;margin:2em auto;color:#222}'
	echo 'figure{margin:2em 0}img,object{width:100%;border:1px solid #ddd}figcaption{margin:.4em 0 1em;font-size:15px}'
	echo '.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}h2{margin-top:2.5em}</style>'
	echo '</head><body><h1>ipctrace gallery</h1>'
	echo '<p>The figures of the OS course note on IPC, each drawn by ipctrace from a real trace of a demo, in English and Korean, in the note'"'"'s order; then every demo of <code>demos/</code>. Hover over a diagram for the facts behind each mark; the slide links are 16:9 versions for a lecture.</p>'
	echo '<p lang="ko">강의 노트(IPC: 프로세스 통신)의 그림과 표의 각 행을 데모의 실제 추적으로 ipctrace가 그린 것이다. 영어와 한국어로, 노트의 순서대로 싣는다.</p>'
	echo '<h2>The course note, figure by figure / 강의 노트의 그림</h2>'
} > "$index"

echo "$FIGURES" | while IFS='|' read -r sec demo en ko cen cko; do
	id=$(fig_id "$sec" "$en")
	if [ $DOC = 1 ]; then
		case " $DOC_FIGURES " in *" $id "*) ;; *) continue ;; esac
	elif ! wanted "$demo"; then
		continue
	fi
	if [ ! -s "$WORK/$demo.trace" ]; then
		echo "gallery: no figure $id: $demo was not recorded" >&2
		echo "$id" >> "$failed"
		continue
	fi
	ok=1
	if graph_figure "$sec"; then
		for l in en ko; do
			"$IPCTRACE" graph --lang $l -o "$WORK/$id-$l-graph.svg" "$WORK/$demo.trace" || ok=0
			if command -v rsvg-convert >/dev/null 2>&1; then
				rsvg-convert -o "$WORK/$id-$l-graph.png" "$WORK/$id-$l-graph.svg" || ok=0
			fi
		done
	fi
	draw "$demo" "$WORK/$id-en" en "$sec $en ($demo)" || ok=0
	draw "$demo" "$WORK/$id-ko" ko "$sec $ko ($demo)" || ok=0
	"$IPCTRACE" render --slide --lang en --title "$sec $en" -o "$WORK/$id-en-slide.svg" "$WORK/$demo.trace" || ok=0
	"$IPCTRACE" render --slide --lang ko --title "$sec $ko" -o "$WORK/$id-ko-slide.svg" "$WORK/$demo.trace" || ok=0
	"$IPCTRACE" render --slide --animate --lang en --title "$sec $en" -o "$WORK/$id-en-anim.svg" "$WORK/$demo.trace" || ok=0
	"$IPCTRACE" render --slide --animate --lang ko --title "$sec $ko" -o "$WORK/$id-ko-anim.svg" "$WORK/$demo.trace" || ok=0
	if [ $ok = 0 ]; then
		echo "$id" >> "$failed"
		continue
	fi
	if [ $DOC = 1 ]; then
		for l in en ko; do
			cp "$WORK/$id-$l.svg" "$OUT/$id-$l.svg"
			# small enough for the repository; the SVG is the sharp one
			if command -v rsvg-convert >/dev/null 2>&1; then
				rsvg-convert -z 0.75 -o "$OUT/$id-$l.png" "$WORK/$id-$l.svg"
				if command -v pngquant >/dev/null 2>&1; then
					pngquant --force --skip-if-larger --output "$OUT/$id-$l.png" 256 "$OUT/$id-$l.png" || true
				fi
			fi
		done
	fi
	{
		printf '<figure id="%s"><figcaption><b>&sect;%s %s</b>: %s <a href="%s-en-slide.svg">slide</a> <a href="%s-en-anim.svg">animated</a><br><b lang="ko">&sect;%s %s</b>: <span lang="ko">%s</span> <a href="%s-ko-slide.svg">슬라이드</a> <a href="%s-ko-anim.svg">애니메이션</a></figcaption>\n' \
			"$id" "$sec" "$(printf '%s' "$en" | esc)" "$(printf '%s' "$cen" | esc)" "$id" "$id" \
			"$sec" "$(printf '%s' "$ko" | esc)" "$(printf '%s' "$cko" | esc)" "$id" "$id"
		if graph_figure "$sec"; then
			printf '<div class="pair"><object type="image/svg+xml" data="%s-en-graph.svg"></object><object type="image/svg+xml" data="%s-ko-graph.svg"></object></div>\n' "$id" "$id"
		fi
		printf '<div class="pair"><object type="image/svg+xml" data="%s-en.svg"></object><object type="image/svg+xml" data="%s-ko.svg"></object></div></figure>\n' "$id" "$id"
	} >> "$index"
	echo "gallery: $WORK/$id-en.svg $WORK/$id-ko.svg"
done

if [ $DOC = 0 ]; then
	echo '<h2>Every demo</h2>' >> "$index"
	all_demos | while IFS='|' read -r name args seed caption; do
		wanted "$name" || continue
		[ -s "$WORK/$name.trace" ] || continue
		title="$name: $caption${seed:+ (seed $seed)}"
		if ! draw "$name" "$WORK/$name" en "$title"; then
			echo "$name" >> "$failed"
			continue
		fi
		cap=$(printf '%s' "$caption" | esc)
		printf '<figure id="%s"><figcaption><b>%s</b>: %s%s</figcaption><object type="image/svg+xml" data="%s.svg"></object></figure>\n' \
			"$name" "$name" "$cap" "${seed:+ (seed $seed)}" "$name" >> "$index"
		echo "gallery: $WORK/$name.svg"
	done
fi

echo '</body></html>' >> "$index"
echo "gallery: $index"
if [ -s "$failed" ]; then
	echo "gallery: not drawn: $(sort -u "$failed" | tr '\n' ' ')" >&2
	exit 1
fi
