// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "json_writer.h"
#include "lang.h"
#include "model.h"
#include "report.h"
#include "synth.h"

#define PIPE 0x100

/* A comm with an ANSI colour escape, a quote, a newline and invalid UTF-8. */
static const char hostile[] = "\x1b[31m\"a\nb\xff\xfe";

static struct model *sample_model(bool lost)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "writer");
	ev_task(m, 1000, 20, 20, "reader");
	ev_comm(m, 1001, 20, 20, hostile, sizeof(hostile) - 1);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 42, NULL);
	ev_chan(m, 1000, 10, 0x101, IPCT_KIND_FIFO, 0, 43, "/tmp/\x1b]0;pwned\x07" "fifo");
	ev_sys(m, 10, 10, 4900, 5050, IPCT_OP_WRITE, PIPE, 3 << 20, 0);
	ev_sleep(m, 20, 20, 2100, 5000, 5100, 1, IPCT_OP_READ, PIPE, 10, PIPE);
	ev_sys(m, 20, 20, 2000, 5200, IPCT_OP_READ, PIPE, 3 << 20, 0);
	ev_sys(m, 20, 20, 5300, 5400, IPCT_OP_READ, 0x101, 0, 0);
	ev_sleep(m, 20, 20, 5500, 5600, 5700, 1, IPCT_OP_NANOSLEEP, 0, 0, 0);
	if (lost)
		ev_lost(m, 5000, 6000, 2, 1234);
	ev_exit(m, 1000000, 20, 20, 0);
	model__finish(m);
	return m;
}

static char *render(const struct model *m, bool json, const struct trace_meta *meta)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	cr_assert(f);
	err = json ? report__json(m, meta, f) : report__text(m, meta, NULL, f);
	cr_assert_eq(err, 0);
	fclose(f);
	return buf;
}

/* Parse s with Python's json module and run expr on it (d); returns its output. */
static char *python_json(const char *s, const char *expr)
{
	char path[] = "/tmp/ipct_report_XXXXXX";
	int fd = mkstemp(path);
	char cmd[1024], *out = calloc(1, 65536);
	size_t n = 0;
	FILE *p;

	cr_assert(fd >= 0 && out);
	cr_assert_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(%s)' %s 2>&1",
		 expr, path);
	p = popen(cmd, "r");
	cr_assert(p);
	n = fread(out, 1, 65535, p);
	out[n] = '\0';
	cr_assert_eq(pclose(p), 0, "python3 rejected the JSON: %s", out);
	unlink(path);
	return out;
}

Test(report, json_is_valid_and_follows_the_contract)
{
	struct model *m = sample_model(true);
	struct trace_meta meta = { .start_real_ns = 1700000000ull * 1000000000ull };
	char *js, *out;

	snprintf(meta.cmdline, sizeof(meta.cmdline), "sh -c 'echo \"hi\"\t'");
	snprintf(meta.host, sizeof(meta.host), "box");
	js = render(m, true, &meta);
	out = python_json(js,
		"json.dumps([d[\"trace\"][\"events\"], d[\"trace\"][\"lost_events\"], d[\"trace\"][\"duration_ns\"],"
		" [[p[\"pid\"], p[\"comm\"], [t[\"tid\"] for t in p[\"threads\"]]] for p in d[\"processes\"]],"
		" [[c[\"id\"], c[\"kind\"], c[\"name\"], c[\"direction\"],"
		"   [[e[\"pid\"], e[\"sends\"], e[\"recvs\"], e[\"bytes_sent\"], e[\"bytes_received\"],"
		"     e[\"blocked\"], e[\"blocked_ns\"], e[\"eagain\"], e[\"mode\"]] for e in c[\"endpoints\"]]]"
		"  for c in d[\"channels\"]],"
		" [[w[\"waker_pid\"], w[\"wakee_pid\"], w[\"channel\"], w[\"count\"]] for w in d[\"wakeups\"]],"
		" d[\"trace\"][\"command\"], d[\"trace\"][\"start_time\"]])");
	cr_assert_str_eq(out,
		"[12, 1234, 999000, "
		"[[10, \"writer\", [10]], [20, \"\\u001b[31m\\\"a\\nb\\u00ff\\u00fe\", [20]]], "
		"[[1, \"pipe\", \"pipe:[42]\", \"simplex\", "
		"[[10, 1, 0, 3145728, 0, 0, 0, 0, null], [20, 0, 1, 0, 3145728, 1, 2900, 0, \"sync-blocking\"]]], "
		"[2, \"fifo\", \"/tmp/\\u001b]0;pwned\\u0007fifo\", \"none\", "
		"[[20, 0, 0, 0, 0, 0, 0, 0, null]]]], "
		"[[0, 20, null, 1], [10, 20, 1, 1]], "
		"\"sh -c 'echo \\\"hi\\\"\\t'\", \"2023-11-14T22:13:20Z\"]\n");
	free(out);
	free(js);
	model__free(m);
}

Test(report, json_never_emits_raw_control_bytes)
{
	struct model *m = sample_model(false);
	char *js = render(m, true, NULL);

	for (const unsigned char *s = (const unsigned char *)js; *s; s++)
		cr_assert(*s >= 0x20 || *s == '\n', "raw byte 0x%02x in JSON", *s);
	free(python_json(js, "len(d[\"channels\"])"));
	free(js);
	model__free(m);
}

Test(report, text_escapes_hostile_names)
{
	struct model *m = sample_model(false);
	struct trace_meta meta = { 0 };
	char *txt;

	snprintf(meta.cmdline, sizeof(meta.cmdline), "evil \x1b[2J\x9b" "31m");
	txt = render(m, false, &meta);
	for (const unsigned char *s = (const unsigned char *)txt; *s; s++)
		cr_assert(*s >= 0x20 ? *s != 0x7f : *s == '\n', "control byte 0x%02x reached the terminal", *s);
	cr_assert(strstr(txt, "\\x1b[31m\"a\\x0ab\\xff\\xfe"), "%s", txt);
	cr_assert(strstr(txt, "/tmp/\\x1b]0;pwned\\x07fifo"));
	cr_assert(strstr(txt, "evil \\x1b[2J\\x9b31m"));
	free(txt);
	model__free(m);
}

Test(report, text_has_the_ipc_table)
{
	struct model *m = sample_model(false);
	char *txt = render(m, false, NULL);
	const char *row;

	cr_assert(strstr(txt, "IPC channels"));
	cr_assert(strstr(txt, "DIRECTION"));
	row = strstr(txt, "pipe:[42]");
	cr_assert(row, "%s", txt);
	cr_assert(strstr(row, "file"));
	cr_assert(strstr(row, "stream"));
	cr_assert(strstr(row, "simplex"));
	cr_assert(strstr(row, "same system"));
	cr_assert(strstr(row, "3.0 MiB"));
	cr_assert(strstr(txt, "sync-blocking"));
	cr_assert(strstr(txt, "2.90 \xc2\xb5s"), "blocked time in human units: %s", txt);
	cr_assert(strstr(txt, "BLOCKED TIME add up all of the process's threads"),
		  "the report says what its blocked time sums: %s", txt);
	cr_assert(strstr(txt, "Who wakes whom"));
	cr_assert(strstr(txt, "(interrupt)"));
	cr_assert(strstr(txt, "Threads"));
	cr_assert_null(strstr(txt, "WARNING"), "no lost events, no warning");
	free(txt);
	model__free(m);
}

/* Display columns of s up to where needle starts in it (Hangul takes two). */
static size_t col_of(const char *s, const char *needle)
{
	const char *at = strstr(s, needle);
	char *prefix;
	size_t w;

	cr_assert_not_null(at, "no %s in %s", needle, s);
	prefix = strndup(s, (size_t)(at - s));
	w = escape__width(prefix);
	free(prefix);
	return w;
}

Test(report, korean_headings_and_aligned_columns)
{
	struct model *m = sample_model(false);
	char *txt = NULL, *head, *row, *eol;
	size_t len = 0;
	FILE *f = open_memstream(&txt, &len);

	cr_assert_eq(report__text(m, NULL, &lang_ko, f), 0);
	fclose(f);
	/* the course note's table: IPC 종류, 공유 매개체, 통신 방향; 파일, 단방향, 동일 시스템 */
	head = strstr(txt, "IPC \xec\xa2\x85\xeb\xa5\x98");
	cr_assert_not_null(head, "%s", txt);
	head = strndup(head - 6, strcspn(head - 6, "\n"));
	row = strstr(txt, "pipe:[42]");
	cr_assert_not_null(row);
	while (row[-1] != '\n')
		row--;
	eol = strchr(row, '\n');
	row = strndup(row, (size_t)(eol - row));
	cr_assert_not_null(strstr(head, "\xea\xb3\xb5\xec\x9c\xa0 \xeb\xa7\xa4\xea\xb0\x9c\xec\xb2\xb4"));
	/* wide Hangul headings and cells still line up: each column starts where its heading does */
	cr_assert_eq(col_of(head, "\xea\xb3\xb5\xec\x9c\xa0"), col_of(row, "\xed\x8c\x8c\xec\x9d\xbc"), "medium 파일:\n%s\n%s", head, row);
	cr_assert_eq(col_of(head, "\xed\x86\xb5\xec\x8b\xa0 \xeb\xb0\xa9"), col_of(row, "\xeb\x8b\xa8\xeb\xb0\xa9\xed\x96\xa5"), "direction 단방향:\n%s\n%s", head, row);
	cr_assert_not_null(strstr(row, "\xeb\x8f\x99\xec\x9d\xbc \xec\x8b\x9c\xec\x8a\xa4\xed\x85\x9c"), "same system: 동일 시스템");
	cr_assert_null(strstr(txt, "IPC channels"), "an English heading in the Korean report");
	cr_assert_not_null(strstr(txt, "Sync-Blocking"));
	free(head);
	free(row);
	free(txt);
	model__free(m);
}

Test(report, lost_events_are_loud)
{
	struct model *m = sample_model(true);
	char *txt = render(m, false, NULL);

	cr_assert(strstr(txt, "WARNING: the kernel dropped 1234 events"), "%s", txt);
	free(txt);
	model__free(m);
}

Test(report, same_events_same_output)
{
	struct model *a = sample_model(true), *b = sample_model(true);
	char *ja = render(a, true, NULL), *jb = render(b, true, NULL);
	char *ta = render(a, false, NULL), *tb = render(b, false, NULL);

	cr_assert_str_eq(ja, jb);
	cr_assert_str_eq(ta, tb);
	free(ja);
	free(jb);
	free(ta);
	free(tb);
	model__free(a);
	model__free(b);
}

Test(report, columns_line_up)
{
	struct model *m = sample_model(false);
	char *txt = render(m, false, NULL);
	char *head = strstr(txt, "  ID  KIND");
	char *bytes_col, *nl, *row;

	cr_assert(head, "%s", txt);
	bytes_col = strstr(head, "BYTES");
	nl = strchr(head, '\n');
	row = nl + 1;
	/* right-aligned numbers end where their header ends */
	cr_assert_eq(row[bytes_col - head + 4], 'B', "%s", txt);
	free(txt);
	model__free(m);
}

Test(json_writer, balanced_and_escaped)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_writer *w = json_writer__new(f, false);

	json_writer__start_object(w);
	json_writer__string_field(w, "s", "q\"\\\x01\xff\xe2\x80\xa8\xc3\xa9");
	json_writer__name(w, "a");
	json_writer__start_array(w);
	json_writer__uint(w, UINT64_MAX);
	json_writer__int(w, -5);
	json_writer__null(w);
	json_writer__bool(w, true);
	json_writer__float(w, 0.5);
	json_writer__end_array(w);
	json_writer__end_object(w);
	cr_assert_eq(json_writer__depth(w), 0);
	cr_assert_eq(json_writer__free(w), 0);
	fclose(f);
	cr_assert_str_eq(buf, "{\"s\":\"q\\\"\\\\\\u0001\\u00ff\\u2028\xc3\xa9\",\"a\":[18446744073709551615,-5,null,true,0.5]}\n");
	free(buf);

	f = open_memstream(&buf, &len);
	w = json_writer__new(f, true);
	json_writer__start_object(w);
	json_writer__start_array(w);
	cr_assert_eq(json_writer__free(w), -EINVAL, "unbalanced output is an error");
	fclose(f);
	free(buf);
}

Test(report, long_names_keep_their_tail_in_text_and_stay_whole_in_json)
{
	struct model *m = synth_model(NULL, false);
	char name[IPCT_NAME_LEN], *txt, *js;

	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(name, "/very/long/", 11);
	memcpy(name + sizeof(name) - 9, "tail.fifo", 8);
	ev_task(m, 1000, 10, 10, "w");
	ev_chan(m, 1000, 10, 0x100, IPCT_KIND_FIFO, 0, 1, name);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_WRITE, 0x100, 1, 0);
	model__finish(m);
	txt = render(m, false, NULL);
	js = render(m, true, NULL);
	cr_assert(strstr(txt, "...dddd"), "%s", txt);
	cr_assert(strstr(txt, "tail.fif "), "%s", txt);
	cr_assert_null(strstr(txt, "/very/long/"));
	cr_assert(strstr(js, name), "JSON keeps the whole name");
	free(txt);
	free(js);
	model__free(m);
}

Test(report, empty_trace)
{
	struct model *m = synth_model(NULL, false);
	char *txt, *out;

	model__finish(m);
	txt = render(m, false, NULL);
	cr_assert(strstr(txt, "(none observed)"), "%s", txt);
	cr_assert(strstr(txt, "0 events"), "%s", txt);
	free(txt);
	txt = render(m, true, NULL);
	out = python_json(txt, "json.dumps([d[\"trace\"][\"events\"], d[\"processes\"], d[\"channels\"], d[\"wakeups\"]])");
	cr_assert_str_eq(out, "[0, [], [], []]\n");
	free(out);
	free(txt);
	model__free(m);
}

Test(report, listening_socket_named_so_in_text_and_flagged_in_json)
{
	struct model *m = synth_model(NULL, false);
	char *txt, *js, *out;

	ev_task(m, 1000, 20, 20, "server");
	ev_inet(m, 1000, 20, 0x300, IPCT_KIND_TCP, "127.0.0.1", 8080, "0.0.0.0", 0);
	ev_sys(m, 20, 20, 1100, 1150, IPCT_OP_LISTEN, 0x300, 0, 0);
	ev_sleep(m, 20, 20, 1300, 2000, 2050, 1, IPCT_OP_ACCEPT, 0x300, 0, 0);
	ev_sys2(m, 20, 20, 1200, 2100, IPCT_OP_ACCEPT, 0x300, 0x301, 4, 0);
	model__finish(m);
	cr_assert_eq(m->nchannels, 1);

	txt = render(m, false, NULL);
	cr_assert_not_null(strstr(txt, "127.0.0.1:8080 (listening)"), "%s", txt);
	js = render(m, true, NULL);
	out = python_json(js, "json.dumps([[c[\"name\"], c[\"listening\"]] for c in d[\"channels\"]])");
	cr_assert_str_eq(out, "[[\"127.0.0.1:8080\", true]]\n");
	free(out);
	free(js);
	free(txt);
	model__free(m);
}

/* A cut or damaged file says so in the JSON too, not only in a warning on stderr. */
Test(report, json_says_how_reading_went)
{
	struct model *m = sample_model(false);
	struct trace_reading rd = { .status = "truncated", .message = "trace cut off after block 2",
				    .events_read = 7, .duplicate_blocks = 1, .reordered_blocks = 0 };
	char *buf = NULL, *got;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	cr_assert_eq(report__json_read(m, NULL, &rd, f), 0);
	fclose(f);
	got = python_json(buf, "*(d[\"trace\"][\"reading\"][k] for k in (\"status\", \"events_read\", "
			       "\"duplicate_blocks\", \"reordered_blocks\", \"message\"))");
	cr_assert_str_eq(got, "truncated 7 1 0 trace cut off after block 2\n");
	free(got);
	free(buf);
	buf = render(m, true, NULL);
	cr_assert_null(strstr(buf, "\"reading\""), "no reader, nothing said: %s", buf);
	free(buf);
	model__free(m);
}
