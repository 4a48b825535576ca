// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfetto.h"
#include "outputs_of.h"
#include "svg_synth.h"

/* Checks what Perfetto UI and chrome://tracing need; prints why on failure. */
static const char *const check_py =
	"import json, sys, collections\n"
	"d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
	"hostile = sys.argv[2] == '1'\n"
	"assert d['displayTimeUnit'] == 'ns'\n"
	"ev = d['traceEvents']\n"
	"assert isinstance(ev, list) and ev\n"
	"names = {}\n"
	"threads = {}\n"
	"flows = collections.defaultdict(list)\n"
	"cats = collections.Counter()\n"
	"lost = 0\n"
	"for e in ev:\n"
	"    ph = e['ph']\n"
	"    assert isinstance(e['pid'], int) and isinstance(e['tid'], int), e\n"
	"    if ph == 'M':\n"
	"        if e['name'] == 'process_name': names[e['pid']] = e['args']['name']\n"
	"        if e['name'] == 'thread_name': threads[e['tid']] = e['args']['name']\n"
	"        continue\n"
	"    assert isinstance(e['ts'], (int, float)) and e['ts'] >= 0, e\n"
	"    if ph == 'X':\n"
	"        assert e['dur'] >= 0, e\n"
	"        cats[e['cat']] += 1\n"
	"    elif ph in ('s', 'f'):\n"
	"        flows[e['id']].append(e)\n"
	"    elif ph == 'i':\n"
	"        assert e['s'] == 'g'\n"
	"        lost += e['args']['count']\n"
	"    else:\n"
	"        raise AssertionError('unexpected ph ' + ph)\n"
	"w = '<b>&\"\\'\\x01\\x7f\\xff\\xc3(\\x1b]' if hostile else 'writer'\n"
	"assert names == {100: w, 200: 'reader', 300: 'poller'}, names\n"
	"assert threads[201] == 'helper', threads\n"
	"assert cats['blocked'] == 16 and cats['polling'] == 8, cats\n"
	"assert cats['syscall'] > 100, cats\n"
	"assert lost == 17, lost\n"
	"xfer = wake = 0\n"
	"for i, pair in flows.items():\n"
	"    assert sorted(p['ph'] for p in pair) == ['f', 's'], pair\n"
	"    s = [p for p in pair if p['ph'] == 's'][0]\n"
	"    f = [p for p in pair if p['ph'] == 'f'][0]\n"
	"    assert f['bp'] == 'e' and s['name'] == f['name'] and s['cat'] == f['cat']\n"
	"    if s['name'].startswith('transfer'): xfer += 1\n"
	"    if s['name'].startswith('wakeup'): wake += 1\n"
	"    if s['name'] == 'transfer #1 pipe':\n"
	"        assert s['pid'] == 100 and f['pid'] == 200, pair\n"
	"assert xfer == 16 and wake == 8, (xfer, wake)\n"
	"assert d['otherData']['lost_events'] == 17\n"
	"# slices of a thread nest (Perfetto drops ones that overlap partly)\n"
	"by = collections.defaultdict(list)\n"
	"for e in ev:\n"
	"    if e['ph'] == 'X':\n"
	"        by[e['tid']].append((round(e['ts'] * 1000), round((e['ts'] + e['dur']) * 1000)))\n"
	"for tid, v in by.items():\n"
	"    v.sort(key=lambda x: (x[0], -x[1]))\n"
	"    stack = []\n"
	"    for a, b in v:\n"
	"        while stack and stack[-1][1] <= a:\n"
	"            stack.pop()\n"
	"        assert not stack or b <= stack[-1][1], (tid, stack[-1], a, b)\n"
	"        stack.append((a, b))\n";

static void export_and_check(bool hostile)
{
	size_t tlen, len = 0;
	void *t = sy_demo(hostile, &tlen);
	char path[] = "/tmp/ipct-perfetto-XXXXXX.json", pypath[] = "/tmp/ipct-perfetto-XXXXXX.py";
	char cmd[512], *buf = NULL;
	struct trace_reader *r;
	FILE *f, *py;
	int err = 0, fd;

	cr_assert_not_null(t);
	r = trace_reader__open_mem(t, tlen, &err, NULL);
	cr_assert_not_null(r);
	f = open_memstream(&buf, &len);
	cr_assert_eq(perfetto_json_of_trace(r, NULL, f), 0);
	fclose(f);
	trace_reader__free(r);
	for (size_t i = 0; i < len; i++)
		cr_assert((unsigned char)buf[i] >= 0x20 || buf[i] == '\n', "raw control byte at %zu", i);

	fd = mkstemps(path, 5);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	fd = mkstemps(pypath, 3);
	cr_assert_geq(fd, 0);
	py = fdopen(fd, "w");
	cr_assert_not_null(py);
	fputs(check_py, py);
	fclose(py);
	snprintf(cmd, sizeof(cmd), "python3 %s %s %d", pypath, path, hostile);
	cr_assert_eq(system(cmd), 0, "the Trace Event JSON failed its checks: %s", path);
	unlink(path);
	unlink(pypath);
	free(buf);
	free(t);
}

Test(perfetto, demo_is_valid_trace_event_json)
{
	export_and_check(false);
}

Test(perfetto, hostile_names_stay_valid_json)
{
	export_and_check(true);
}

/* The channel list in otherData says which socket is a server's listening one, as the JSON report does. */
Test(perfetto, channels_say_which_socket_listens)
{
	size_t tlen, len = 0;
	void *t = sy_sockets(&tlen);
	char *buf = NULL;
	struct trace_reader *r;
	FILE *f;
	int err = 0;

	cr_assert_not_null(t);
	r = trace_reader__open_mem(t, tlen, &err, NULL);
	cr_assert_not_null(r);
	f = open_memstream(&buf, &len);
	cr_assert_eq(perfetto_json_of_trace(r, NULL, f), 0);
	fclose(f);
	trace_reader__free(r);
	cr_assert_not_null(strstr(buf, "\"name\":\"127.0.0.1:8080\",\"direction\":\"none\",\"listening\":true}"),
			   "the listener is not flagged");
	cr_assert_not_null(strstr(buf, "\"name\":\"127.0.0.1:8080 <-> 127.0.0.1:5000\",\"direction\":\"half-duplex\",\"listening\":false}"),
			   "the connection is flagged or its direction lost");
	free(buf);
	free(t);
}

/* The critical path track: one slice per step, contiguous over the reader's life, valid JSON. */
static const char *const cp_check_py =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
	"ev = d['traceEvents']\n"
	"track = [e for e in ev if e['pid'] == 4194305]\n"
	"names = [e['args']['name'] for e in track if e['ph'] == 'M' and e['name'] == 'process_name']\n"
	"assert names == ['critical path of reader (tid 200)'], names\n"
	"sl = sorted((e for e in track if e['ph'] == 'X'), key=lambda e: e['ts'])\n"
	"assert sl and all(e['cat'] == 'critical-path' for e in sl), sl[:3]\n"
	"for a, b in zip(sl, sl[1:]):\n"
	"    assert round((a['ts'] + a['dur']) * 1000) == round(b['ts'] * 1000), (a, b)\n"
	"assert {e['args']['tid'] for e in sl} >= {200}, sl[:3]\n"
	"assert any(e['args']['state'] != 'running' for e in sl), sl[:5]\n";

Test(perfetto, critical_path_track)
{
	struct perfetto_opts o = { .critical_path_tid = 200 };
	char path[] = "/tmp/ipct-perfetto-XXXXXX.json", pypath[] = "/tmp/ipct-perfetto-XXXXXX.py";
	size_t tlen, len = 0;
	void *t = sy_demo(true, &tlen);
	char cmd[512], *buf = NULL;
	struct trace_reader *r;
	FILE *f, *py;
	int err = 0, fd;

	cr_assert_not_null(t);
	r = trace_reader__open_mem(t, tlen, &err, NULL);
	cr_assert_not_null(r);
	f = open_memstream(&buf, &len);
	cr_assert_eq(perfetto_json_of_trace(r, &o, f), 0);
	fclose(f);
	trace_reader__free(r);
	r = trace_reader__open_mem(t, tlen, &err, NULL);
	cr_assert_not_null(r);
	o.critical_path_tid = 4242;
	f = fopen("/dev/null", "w");
	cr_assert_eq(perfetto_json_of_trace(r, &o, f), -ESRCH, "a thread not in the trace");
	fclose(f);
	trace_reader__free(r);
	fd = mkstemps(path, 5);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	fd = mkstemps(pypath, 3);
	cr_assert_geq(fd, 0);
	py = fdopen(fd, "w");
	cr_assert_not_null(py);
	fputs(cp_check_py, py);
	fclose(py);
	snprintf(cmd, sizeof(cmd), "python3 %s %s", pypath, path);
	cr_assert_eq(system(cmd), 0, "the critical path track failed its checks: %s", path);
	unlink(path);
	unlink(pypath);
	free(buf);
	free(t);
}
