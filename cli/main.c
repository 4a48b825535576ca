// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace: record how processes talk to each other, then report and draw it. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "recorder.h"
#include "trace.h"

#define TEXT_OF(x) #x
#define NUMBER_TEXT(x) TEXT_OF(x)
#define RING_MIB_TEXT NUMBER_TEXT(RECORDER_RING_MIB)

#ifndef IPCTRACE_VERSION
#define IPCTRACE_VERSION "0.1.0"
#endif

static const char usage_text[] =
"Usage:\n"
"  sudo ipctrace [OPTIONS] -p PID[,PID...]     trace running processes\n"
"  sudo ipctrace [OPTIONS] -- COMMAND [ARG...] run COMMAND traced\n"
"  ipctrace report [--json] [--all-files] [--lang en|ko] [FILTERS] TRACE\n"
"  ipctrace render [-o SVG] [--width PX] [--title TEXT] [--lang en|ko] [--slide]\n"
"                  [--animate] [--critical-path TID] [--no-graph] [--no-group]\n"
"                  [FILTERS] TRACE\n"
"  ipctrace graph [-o FILE] [--format svg|dot] [--no-group] [--lang en|ko]\n"
"                 [FILTERS] TRACE\n"
"  ipctrace export --perfetto [-o FILE] [--format proto|json] [--critical-path TID]\n"
"                  [FILTERS] TRACE\n"
"  ipctrace critical-path [--json] --tid TID [--from T] [--to T] [--max-steps N]\n"
"                  [--lang en|ko] TRACE\n"
"  ipctrace merge -o OUT.trace TRACE TRACE...\n"
"  ipctrace help | --help | version | --version\n"
"\n"
"Records which thread blocks on which pipe, FIFO, queue or socket, who\n"
"busy-polls, who sleeps in poll/epoll, and which write wakes which reader;\n"
"writes a trace, a timeline SVG and a report of every channel (its kind and\n"
"direction, and each side's mode).\n"
"\n"
"Record options (recording needs root, or CAP_BPF and CAP_PERFMON):\n"
"  -p, --pid PID[,PID...]  attach to running processes: all their threads, and\n"
"                          the processes they start from then on\n"
"  -d, --duration SECONDS  stop after this long (fractions allowed: -d 0.5)\n"
"  -o, --output TRACE      trace file (default " DEFAULT_TRACE "), written 0600\n"
"  -w, --svg SVG           timeline SVG (default " DEFAULT_SVG ")\n"
"      --no-svg            do not draw the SVG\n"
"      --no-report         do not print the text report\n"
"  -b, --buffer MIB        ring buffer size in MiB, a power of two (default " RING_MIB_TEXT ");\n"
"                          raise it if events are lost\n"
"  -z, --compress LEVEL    compression level of the trace, 0-9 (default 1)\n"
"      --ipc-only          record only IPC syscalls (smaller trace; time in other\n"
"                          syscalls then counts as user time)\n"
"  -q, --quiet             no status line, notes or summary on stderr\n"
"  -v, --verbose           show libbpf's messages (twice: its debug log too)\n"
"      --lang en|ko        words of the SVG and the report: English (default) or\n"
"                          Korean, in the course note's terms\n"
"\n"
"Recording stops at Ctrl-C, SIGTERM or SIGHUP, after -d, or when every traced\n"
"process has exited. With -- COMMAND, stdin, stdout and stderr pass through to\n"
"the command, and ipctrace exits with the command's exit status (128+N if a\n"
"signal N killed it; 127 if it was not found), like time(1). When recording\n"
"stops before the command ends, the command is sent SIGTERM (or the signal that\n"
"stopped ipctrace) and, if still running 2 s later, SIGKILL.\n"
"\n"
"Subcommands (no privileges needed; any machine can read a trace):\n"
"  report    the report as text, or with --json as one JSON object;\n"
"            --all-files keeps file channels that nobody wrote;\n"
"            --lang en|ko: the text's words (JSON never changes with it);\n"
"            it ends with the threads stuck at the stop, whom they wait for,\n"
"            and deadlocks\n"
"  render    the timeline SVG (-o default " DEFAULT_SVG ", - for stdout), with\n"
"            the communication graph above its table (--no-graph: without);\n"
"            pools of threads of one name and sibling processes of one role\n"
"            share a lane (\"8 \xc3\x97 worker\"; --no-group: each its own);\n"
"            --width PX; --lang en|ko: its words; --slide: 16:9 at 1920x1080,\n"
"            only the threads and channels that take part, the legend of what\n"
"            is drawn; --animate: the messages appear in time order (SMIL, in\n"
"            a browser); --critical-path TID: mark that thread's critical path\n"
"  graph     who talks to whom: processes (siblings of one role as one box,\n"
"            --no-group: each apart), threads, shared memory, remote peers,\n"
"            and the channels between them, laid out by Graphviz (-o default\n"
"            ipctrace-graph.svg; --format dot writes DOT for dot -Tsvg)\n"
"  export    --perfetto: Perfetto's protobuf trace for ui.perfetto.dev (-o\n"
"            default " DEFAULT_PERFETTO ", - for stdout); a NAME.json, or\n"
"            --format json, is Trace Event JSON for chrome://tracing too;\n"
"            --critical-path TID adds a track of that thread's critical path\n"
"  critical-path  why thread TID waited: its own time, and for each wait what\n"
"            the thread that ended it was doing, recursively, through which\n"
"            channel and call, down to a timer, an interrupt or an untraced\n"
"            task; --from/--to T: a window; --max-steps N: steps listed\n"
"            (default 100, 0 = all); --json: path, by_thread, by_channel\n"
"  merge     traces recorded on several machines (or network namespaces) into\n"
"            one: pairs their TCP/UDP connections, aligns each clock on the first\n"
"            trace's from the messages exchanged (-z LEVEL, -q: no summary)\n"
"\n"
"Filters (report, render, graph and export; the same meaning in each):\n"
"  --pid P[,P...]          these processes, and the channels they have an end on\n"
"  --kind K[,K...]         channels of these kinds (pipe, fifo, mqueue, sysv-msg,\n"
"                          shm, sysv-shm, mmap, sysv-sem, futex, unix-stream,\n"
"                          unix-dgram, unix-seqpacket, tcp, udp, file, signal)\n"
"  --chan ID[,ID...]       these channels (ids from the report)\n"
"  --min-bytes N           channels that moved at least N bytes\n"
"  --from T, --to T        only what happened in this window from the trace's\n"
"                          start, T like 1.5, 250ms, 40us (counts, bytes and\n"
"                          times are the window's; channel ids stay the trace's)\n"
"  With --kind, --chan or --min-bytes, the processes shown are those with an end\n"
"  on a chosen channel. A --pid or --chan the trace lacks is an error (exit 1).\n"
"\n"
"Examples:\n"
"  sudo ipctrace -- sh -c 'seq 1 200000 | sort -n | uniq -c >/dev/null'\n"
"  sudo ipctrace -p \"$(pgrep -d, nginx)\" -d 10 -w nginx.svg\n"
"  ipctrace report --json ipctrace.trace | python3 -m json.tool\n"
"  ipctrace render --from 1s --to 1.2s --width 2000 -o zoom.svg ipctrace.trace\n"
"  ipctrace render --lang ko --slide -o slide.svg ipctrace.trace\n"
"  ipctrace graph --kind tcp,unix-stream -o app.svg ipctrace.trace\n"
"  ipctrace graph --format dot -o - ipctrace.trace | dot -Tpng > graph.png\n"
"  ipctrace export --perfetto -o trace.perfetto-trace ipctrace.trace\n"
"  ipctrace critical-path --tid 4242 ipctrace.trace\n"
"  ipctrace merge -o ab.trace a.trace b.trace && ipctrace report ab.trace\n"
"\n"
"Environment: IPCTRACE_MEMORY_MB caps the memory a trace's reading may take\n"
"(default 90% of what is available, 0: no limit); past it the trace is refused.\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 on a usage error; when recording a\n"
"COMMAND, the command's status. See ipctrace(1).\n";

int do_help(int argc, char **argv)
{
	fputs(usage_text, stdout);
	return 0;
}

int do_version(int argc, char **argv)
{
	printf("ipctrace %s (trace format %d, libbpf %s)\n", IPCTRACE_VERSION, TRACE_VERSION,
	       libbpf_version_string());
	return 0;
}

/* One line per subcommand; anything else is a recording. */
static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "report", do_report },
	{ "render", do_render },
	{ "export", do_export },
	{ "critical-path", do_critical_path },
	{ "graph", do_graph },
	{ "merge", do_merge },
	{ "help", do_help },
	{ "version", do_version },
	{ 0 },
};

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 1) {
		for (c = cmds; c->name; c++)
			if (!strcmp(argv[1], c->name))
				return c->fn(argc - 1, argv + 1);
	}
	return do_record(argc, argv);
}
