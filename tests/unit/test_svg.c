// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <zlib.h>

#include "lang.h"
#include "svg.h"
#include "outputs_of.h"
#include "svg_writer.h"
#include "timeline.h"
#include "svg_synth.h"

#define GOLDEN_DIR "tests/golden/"

struct out {
	char *buf;
	size_t len;
};

static struct out render(const void *trace, size_t tlen, const struct svg_opts *opts)
{
	struct out o = { 0 };
	struct trace_reader *r;
	FILE *f;
	int err = 0;

	r = trace_reader__open_mem(trace, tlen, &err, NULL);
	cr_assert_not_null(r, "open_mem: %d", err);
	f = open_memstream(&o.buf, &o.len);
	cr_assert_not_null(f);
	err = svg_of_trace(r, opts, f);
	cr_assert_eq(err, 0, "svg_of_trace: %d", err);
	fclose(f);
	trace_reader__free(r);
	return o;
}

static char *write_tmp(const char *data, size_t len, const char *suffix)
{
	char *path = malloc(64);
	int fd;

	snprintf(path, 64, "/tmp/ipct-svg-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static int run(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

static void assert_well_formed(const struct out *o)
{
	char *path = write_tmp(o->buf, o->len, ".svg");

	cr_assert_eq(run("xmllint --noout --nonet %s", path), 0, "xmllint rejected %s", path);
	unlink(path);
	free(path);
}

/* Every drawn element (outside <defs>) has a <title> of its own or in a group. */
static const char *const titles_py =
	"import sys, xml.etree.ElementTree as ET\n"
	"NS = '{http://www.w3.org/2000/svg}'\n"
	"root = ET.parse(sys.argv[1]).getroot()\n"
	"parent = {c: p for p in root.iter() for c in p}\n"
	"missing = []\n"
	"for el in root.iter():\n"
	"    tag = el.tag.replace(NS, '')\n"
	"    if tag not in ('rect', 'path', 'circle', 'text'):\n"
	"        continue\n"
	"    anc, ok = el, False\n"
	"    while anc is not None:\n"
	"        if anc.tag == NS + 'defs':\n"
	"            ok = True\n"
	"            break\n"
	"        if anc is not root and anc.find(NS + 'title') is not None:\n"
	"            ok = True\n"
	"            break\n"
	"        anc = parent.get(anc)\n"
	"    if not ok and not (parent.get(el) is root and el.get('fill') == '#FFFFFF'):\n"
	"        missing.append((tag, el.attrib))\n"
	"assert not missing, missing[:5]\n";

static void assert_tooltips(const struct out *o)
{
	char *svg = write_tmp(o->buf, o->len, ".svg");
	char *py = write_tmp(titles_py, strlen(titles_py), ".py");
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "python3 %s %s", py, svg);
	cr_assert_eq(system(cmd), 0, "elements without a tooltip in %s", svg);
	unlink(svg);
	unlink(py);
	free(svg);
	free(py);
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void golden(const char *name, const struct out *o)
{
	char path[256];
	size_t glen = 0;
	char *g;

	snprintf(path, sizeof(path), GOLDEN_DIR "%s", name);
	if (getenv("UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");

		cr_assert_not_null(f, "cannot write %s", path);
		fwrite(o->buf, 1, o->len, f);
		fclose(f);
	}
	g = read_file(path, &glen);
	cr_assert_not_null(g, "missing %s: run UPDATE_GOLDEN=1 make unit", path);
	cr_assert(glen == o->len && memcmp(g, o->buf, glen) == 0,
		  "%s differs from the rendering (%zu vs %zu bytes): look at it, then UPDATE_GOLDEN=1",
		  path, glen, o->len);
	free(g);
}

Test(svg, demo_matches_golden_and_is_well_formed)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	struct out o;

	cr_assert_not_null(t);
	o = render(t, tlen, NULL);
	assert_well_formed(&o);
	assert_tooltips(&o);
	golden("demo.svg", &o);
	/* what the diagram must say */
	cr_assert_not_null(strstr(o.buf, "writer 100"));
	cr_assert_not_null(strstr(o.buf, "reader 200"));
	cr_assert_not_null(strstr(o.buf, "helper 201"));
	cr_assert_not_null(strstr(o.buf, "poller 300"));
	cr_assert_not_null(strstr(o.buf, "blocked in read on #"));
	cr_assert_not_null(strstr(o.buf, "polling (busy-wait)"));
	cr_assert_not_null(strstr(o.buf, "LOST 17 events"));
	cr_assert_not_null(strstr(o.buf, "pipe:[4242]"));
	cr_assert_not_null(strstr(o.buf, "Sync-Blocking"));
	cr_assert_not_null(strstr(o.buf, ">times add up all of a process&apos;s threads</text>"),
			   "the modes figure says what its times sum");
	cr_assert_not_null(strstr(o.buf, "class=\"t1\""), "no transfer arrow on the pipe");
	cr_assert_not_null(strstr(o.buf, "class=\"w1\""), "no wakeup arrow on the pipe");
	cr_assert_null(strstr(o.buf, "<script"));
	free(o.buf);
	free(t);
}

/* Labels measured with the fonts a renderer picks (tests/lib/svg_fit.py): none leaves its box. */
static void assert_labels_fit(const struct out *o)
{
	char *svg = write_tmp(o->buf, o->len, ".svg");

	cr_assert_eq(run("/usr/bin/python3 tests/lib/svg_fit.py %s", svg), 0,
		     "labels overflow their boxes in %s (see above)", svg);
	unlink(svg);
	free(svg);
}

Test(svg, korean_matches_golden_and_labels_fit)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	struct svg_opts ko = { .lang = &lang_ko };
	struct out o;

	o = render(t, tlen, &ko);
	assert_well_formed(&o);
	assert_tooltips(&o);
	assert_labels_fit(&o);
	golden("demo_ko.svg", &o);
	/* the course note's words (seed 2.1, 3, 4) and a Hangul face first */
	cr_assert_not_null(strstr(o.buf, ">\xea\xb3\xb5\xec\x9c\xa0 \xeb\xa7\xa4\xea\xb0\x9c\xec\xb2\xb4<"), "medium column: 공유 매개체");
	cr_assert_not_null(strstr(o.buf, ">\xeb\x8b\xa8\xeb\xb0\xa9\xed\x96\xa5<"), "simplex: 단방향");
	cr_assert_not_null(strstr(o.buf, "Sync-Blocking"));
	cr_assert_not_null(strstr(o.buf, "font-family:'Noto Sans CJK KR'"));
	cr_assert_null(strstr(o.buf, ">Legend<"), "an English heading left in the Korean SVG");
	cr_assert_null(strstr(o.buf, ">medium<"), "an English heading left in the Korean SVG");
	/* identifiers stay: kinds, ops, pids */
	cr_assert_not_null(strstr(o.buf, "pipe:[4242]"));
	cr_assert_not_null(strstr(o.buf, "reader 200"));
	free(o.buf);
	o = render(t, tlen, NULL);
	assert_labels_fit(&o);
	free(o.buf);
	free(t);
}

Test(svg, slide_is_16_9_with_only_what_takes_part)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	struct svg_opts slide = { .slide = true };
	double vx, vy, vw, vh;
	const char *vb;
	struct out o;

	o = render(t, tlen, &slide);
	assert_well_formed(&o);
	assert_tooltips(&o);
	assert_labels_fit(&o);
	cr_assert_not_null(strstr(o.buf, "width=\"1920\" height=\"1080\""));
	vb = strstr(o.buf, "viewBox=\"");
	cr_assert_not_null(vb);
	cr_assert_eq(sscanf(vb, "viewBox=\"%lf %lf %lf %lf\"", &vx, &vy, &vw, &vh), 4);
	cr_assert_float_eq(vw / vh, 16.0 / 9.0, 0.01, "viewBox %gx%g is not 16:9", vw, vh);
	/* helper 201 only sleeps: it takes no part in IPC, so the slide leaves it out */
	cr_assert_null(strstr(o.buf, "helper 201"));
	cr_assert_not_null(strstr(o.buf, "reader 200"));
	cr_assert_not_null(strstr(o.buf, "poller 300"));
	/* the legend keeps what is drawn (polling, lost) and drops the bookkeeping */
	cr_assert_not_null(strstr(o.buf, ">polling (band on top)"));
	cr_assert_not_null(strstr(o.buf, ">events lost by the kernel"));
	cr_assert_null(strstr(o.buf, ">spans: "), "the counts are not for a slide");
	free(o.buf);
	free(t);
}

Test(svg, animate_shows_each_arrow_when_the_cursor_reaches_it)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	struct svg_opts anim = { .animate = true };
	struct out o;
	const char *p, *legend;
	size_t arrows = 0, shown = 0;
	double last_x = -1, last_t = -1;

	o = render(t, tlen, &anim);
	assert_well_formed(&o);
	assert_tooltips(&o);
	cr_assert_null(strstr(o.buf, "<script"), "SMIL only");
	cr_assert_not_null(strstr(o.buf, "<animateTransform attributeName=\"transform\" type=\"translate\""));
	/* every arrow appears at a time that grows with where it leaves on the time axis */
	legend = strstr(o.buf, ">Legend<");
	cr_assert_not_null(legend);
	/* the arrows on the lanes, not the legend's samples */
	for (p = o.buf; (p = strstr(p, "<path class=\"")) && p < legend; p++) {
		double x, y, ts;
		const char *set;

		if ((p[13] != 't' && p[13] != 'w') || !isdigit((unsigned char)p[14]))
			continue;
		arrows++;
		cr_assert_eq(sscanf(strstr(p, " d=\"M"), " d=\"M%lf %lf", &x, &y), 2);
		set = strstr(p, "<set attributeName=\"opacity\" to=\"1\" begin=\"");
		cr_assert_not_null(set);
		cr_assert_lt(set - p, strstr(p, "</path>") - p, "arrow %zu has no appearance time", arrows);
		cr_assert_eq(sscanf(set, "<set attributeName=\"opacity\" to=\"1\" begin=\"%lfs\"", &ts), 1);
		if (last_x >= 0 && x > last_x + 0.5)
			cr_assert_geq(ts, last_t, "an arrow further right appears earlier");
		last_x = x;
		last_t = ts;
		shown++;
	}
	cr_assert_gt(arrows, 10);
	cr_assert_eq(shown, arrows);
	free(o.buf);
	o = render(t, tlen, NULL);
	cr_assert_null(strstr(o.buf, "<set "), "no animation unless asked");
	free(o.buf);
	free(t);
}

/* A long recorded command (nginx -p DIR -c DIR/nginx.conf ...) ran the title off the page. */
Test(svg, long_command_title_stays_on_the_page)
{
	struct sy s = { 0 };
	size_t tlen;
	void *t;
	struct out o;

	sy_task(&s, SY_T0 + 1000, 100, 100, "nginx");
	sy_chan(&s, SY_T0 + 2000, 100, 0x4242, IPCT_KIND_PIPE, "pipe:[4242]");
	sy_call(&s, 100, 100, SY_T0 + 3000, SY_T0 + 4000, IPCT_OP_WRITE, 1, 0x4242, 10, 0);
	t = sy_write(&s, "ipctrace -o /tmp/nginx.trace -w /tmp/nginx.svg -- /usr/sbin/nginx -p "
		     "/tmp/ipctrace-e2e-nginx_master_and_workers.abcdefgh/ -c /tmp/ipctrace-e2e-"
		     "nginx_master_and_workers.abcdefgh/nginx.conf -e /dev/stderr -g 'daemon off; "
		     "master_process on; worker_processes 2;'", &tlen);
	o = render(t, tlen, NULL);
	assert_labels_fit(&o);
	free(o.buf);
	free(t);
}

Test(svg, deterministic)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	struct out a, b;

	a = render(t, tlen, NULL);
	b = render(t, tlen, NULL);
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.buf, b.buf, a.len), 0);
	free(a.buf);
	free(b.buf);
	free(t);
}

Test(svg, hostile_names_are_escaped)
{
	size_t tlen;
	void *t = sy_demo(true, &tlen);
	struct out o;

	o = render(t, tlen, NULL);
	assert_well_formed(&o);
	golden("hostile.svg", &o);
	cr_assert_null(strstr(o.buf, "<b>"));
	cr_assert_not_null(strstr(o.buf, "&lt;b&gt;&amp;&quot;&apos;\\x01\\x7f\xef\xbf\xbd"));
	/* a long name gives way in the lane label: the pid stays */
	cr_assert_not_null(strstr(o.buf, "\xe2\x80\xa6 100</text>"), "lane label lost the pid");
	for (size_t i = 0; i < o.len; i++) {
		unsigned char c = (unsigned char)o.buf[i];

		cr_assert(c >= 0x20 || c == '\n', "control byte 0x%02x at %zu", c, i);
		cr_assert(c != 0xff, "invalid UTF-8 byte at %zu", i);
	}
	free(o.buf);
	free(t);
}

Test(svg, filters_pick_processes_channels_and_window)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	uint32_t pids[] = { 300 };
	int chans[] = { 1 };
	struct svg_opts po = { .pids = pids, .npids = 1, .width = 600 };
	struct svg_opts co = { .chans = chans, .nchans = 1 };
	struct svg_opts wo = { .from_ns = 2000000, .to_ns = 3000000 };
	struct out o;

	o = render(t, tlen, &po);
	assert_well_formed(&o);
	cr_assert_not_null(strstr(o.buf, "poller 300"));
	cr_assert_null(strstr(o.buf, "helper 201"));
	cr_assert_null(strstr(o.buf, "pipe:[4242]"), "the pipe has no endpoint in pid 300");
	cr_assert_not_null(strstr(o.buf, "transfers: 16 as 0 arrows;</text>") &&
			   strstr(o.buf, ">16 not in view"),
			   "arrows to hidden lanes are not counted");
	free(o.buf);

	/* channel 1 is the pipe (first used); its endpoints are writer and reader */
	o = render(t, tlen, &co);
	cr_assert_not_null(strstr(o.buf, "pipe:[4242]"));
	cr_assert_null(strstr(o.buf, "poller 300"));
	cr_assert_null(strstr(o.buf, "channel #2:"), "the FIFO is not in the table");
	free(o.buf);

	o = render(t, tlen, &wo);
	assert_well_formed(&o);
	cr_assert_not_null(strstr(o.buf, "window 2.00 ms"));
	/* round 2 of 8 falls in the window: its pipe and its FIFO transfer */
	cr_assert_not_null(strstr(o.buf, "transfers: 16 as 2 arrows;</text>"));
	cr_assert_not_null(strstr(o.buf, ">14 not in view"));
	cr_assert_not_null(strstr(o.buf, ">2 ms<") ? "" : strstr(o.buf, ">2.0 ms<"),
			   "no tick at the window start");
	free(o.buf);

	/* a window of 300 ns: its two ends told apart, not "2.00 ms \u2192 2.00 ms" */
	o = render(t, tlen, &(struct svg_opts){ .from_ns = 2000000, .to_ns = 2000300 });
	cr_assert_not_null(strstr(o.buf, "window 2.0000 ms \xe2\x86\x92 2.0003 ms"));
	free(o.buf);
	free(t);
}

/* A minimal PNG decoder: 8-bit RGB or RGBA, non-interlaced (rsvg-convert's output). */
struct png {
	uint32_t w, h, bpp;
	unsigned char *px;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static bool png_decode(const unsigned char *d, size_t len, struct png *img)
{
	unsigned char *idat = NULL, *raw;
	size_t nidat = 0, off = 8, stride;
	uLongf rawlen;

	if (len < 8 || memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return false;
	memset(img, 0, sizeof(*img));
	while (off + 12 <= len) {
		uint32_t n = be32(d + off);
		const unsigned char *type = d + off + 4, *body = d + off + 8;

		if (off + 12 + n > len)
			return false;
		if (!memcmp(type, "IHDR", 4)) {
			img->w = be32(body);
			img->h = be32(body + 4);
			if (body[8] != 8 || (body[9] != 6 && body[9] != 2) || body[12] != 0)
				return false;
			img->bpp = body[9] == 6 ? 4 : 3;
		} else if (!memcmp(type, "IDAT", 4)) {
			idat = realloc(idat, nidat + n);
			memcpy(idat + nidat, body, n);
			nidat += n;
		}
		off += 12 + n;
	}
	if (!img->w || !idat)
		return false;
	stride = (size_t)img->w * img->bpp;
	rawlen = (uLongf)((stride + 1) * img->h);
	raw = malloc(rawlen);
	if (uncompress(raw, &rawlen, idat, nidat) != Z_OK)
		return false;
	img->px = malloc(stride * img->h);
	for (uint32_t y = 0; y < img->h; y++) {
		unsigned char f = raw[y * (stride + 1)], *src = raw + y * (stride + 1) + 1;
		unsigned char *dst = img->px + y * stride, *up = y ? dst - stride : NULL;

		for (size_t x = 0; x < stride; x++) {
			int a = x >= img->bpp ? dst[x - img->bpp] : 0, b = up ? up[x] : 0;
			int c = up && x >= img->bpp ? up[x - img->bpp] : 0, v = src[x];

			switch (f) {
			case 1: v += a; break;
			case 2: v += b; break;
			case 3: v += (a + b) / 2; break;
			case 4: v += paeth(a, b, c); break;
			default: break;
			}
			dst[x] = (unsigned char)v;
		}
	}
	free(raw);
	free(idat);
	return true;
}

static size_t count_color(const struct png *img, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
			  unsigned rgb, int tol)
{
	size_t n = 0;

	for (uint32_t y = y0; y < y1 && y < img->h; y++)
		for (uint32_t x = x0; x < x1 && x < img->w; x++) {
			const unsigned char *p = img->px + ((size_t)y * img->w + x) * img->bpp;

			if (abs(p[0] - (int)(rgb >> 16)) <= tol && abs(p[1] - (int)((rgb >> 8) & 0xff)) <= tol &&
			    abs(p[2] - (int)(rgb & 0xff)) <= tol)
				n++;
		}
	return n;
}

Test(svg, renders_to_png_with_the_diagram_in_place)
{
	size_t tlen, plen;
	void *t = sy_demo(false, &tlen);
	struct out o = render(t, tlen, NULL);
	char *svg = write_tmp(o.buf, o.len, ".svg"), png_path[80];
	unsigned char *pngbuf;
	struct png img;
	/* the lanes: right of the labels, below the title and the axis, above the table */
	uint32_t x0 = 220, x1 = 220 + 1200, y0 = 110, y1;
	const char *h2 = strstr(o.buf, "<text class=\"h2\" x=\"20\" y=\"");

	cr_assert_not_null(h2, "no table heading");
	y1 = (uint32_t)atoi(h2 + strlen("<text class=\"h2\" x=\"20\" y=\"")) - 14;
	cr_assert_gt(y1, y0 + 100, "lanes end at %u", y1);

	snprintf(png_path, sizeof(png_path), "%s.png", svg);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rsvg-convert -o %s %s", png_path, svg);
		cr_assert_eq(system(cmd), 0, "rsvg-convert failed");
	}
	pngbuf = read_file(png_path, &plen);
	cr_assert_not_null(pngbuf);
	cr_assert(png_decode(pngbuf, plen, &img), "not a PNG rsvg-convert would write");
	cr_assert_eq(img.w, 1440, "page width %u", img.w);
	/* pipe syscalls (Okabe-Ito blue), blocked hatching, runnable yellow, polling vermillion */
	cr_assert_gt(count_color(&img, x0, y0, x1, y1, 0x0072B2, 12), 50, "no pipe syscall drawn");
	cr_assert_gt(count_color(&img, x0, y0, x1, y1, 0x3A3A3A, 20), 200, "no blocked span drawn");
	cr_assert_gt(count_color(&img, x0, y0, x1, y1, 0xF0E442, 12), 20, "no runnable span drawn");
	cr_assert_gt(count_color(&img, x0, y0, x1, y1, 0xD55E00, 30), 50, "no polling drawn");
	cr_assert_gt(count_color(&img, x0, 60, x1, y1, 0xD00000, 20), 10, "no lost mark drawn");
	unlink(png_path);
	unlink(svg);
	free(svg);
	free(pngbuf);
	free(img.px);
	free(o.buf);
	free(t);
}

Test(svg, million_events_stay_small, .timeout = 120)
{
	size_t tlen;
	void *t = sy_big(1000000, &tlen);
	struct out o;

	cr_assert_not_null(t);
	o = render(t, tlen, NULL);
	cr_assert_lt(o.len, 5u << 20, "SVG of 1M events is %zu bytes", o.len);
	cr_assert_not_null(strstr(o.buf, "333,333 transfers merged") ? "" : strstr(o.buf, "merged"),
			   "nothing merged");
	cr_assert_not_null(strstr(o.buf, "transfers: 333,333 as"), "transfers not all counted");
	assert_well_formed(&o);
	free(o.buf);
	free(t);
}

Test(svg, million_events_over_200_threads_stay_small, .timeout = 300)
{
	size_t tlen;
	void *t = sy_many(1000000, &tlen);
	struct out o;

	cr_assert_not_null(t);
	o = render(t, tlen, NULL);
	cr_assert_lt(o.len, 5u << 20, "SVG of 1M events over 200 threads is %zu bytes", o.len);
	cr_assert_not_null(strstr(o.buf, "transfers: 333,333 as"), "transfers not all counted");
	cr_assert_not_null(strstr(o.buf, "r99 2099"));
	assert_well_formed(&o);
	free(o.buf);
	free(t);
}

Test(svg_writer, tracks_depth_and_truncates_by_character)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct svgw *w = svgw__new(f);

	svgw__open(w, "g");
	svgw__open(w, "text");
	svgw__attr_num(w, "x", 1.04);
	svgw__attr_num(w, "y", -0.01);
	svgw__text_trunc(w, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3);
	svgw__close(w);
	cr_assert_eq(svgw__depth(w), 1);
	cr_assert_eq(svgw__free(w), -EINVAL, "an open <g> must be reported");
	fclose(f);
	cr_assert_not_null(strstr(buf, "<text x=\"1\" y=\"0\">\xc3\xa9\xc3\xa9\xe2\x80\xa6</text>"), "%s", buf);
	free(buf);
}

/* A model of two one-thread processes, "a" (pid 1) and "b" (pid 2), alive in [0, end]. */
struct two_lanes {
	struct model_thread th[2];
	size_t idx[2];
	struct model_process pr[2];
	struct model m;
};

static struct model *two_lanes(struct two_lanes *t, uint64_t end)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < 2; i++) {
		t->th[i] = (struct model_thread){ .pid = i + 1, .tid = i + 1, .last_ts = end };
		t->th[i].comm[0] = (char)('a' + i);
		t->idx[i] = i;
		t->pr[i] = (struct model_process){ .pid = i + 1, .threads = &t->idx[i], .nthreads = 1 };
		t->pr[i].comm[0] = (char)('a' + i);
	}
	t->m = (struct model){ .end_ts = end, .threads = t->th, .nthreads = 2,
			       .processes = t->pr, .nprocesses = 2 };
	return &t->m;
}

Test(timeline, narrow_spans_merge_per_pixel_and_arrows_per_column)
{
	struct two_lanes tw;
	struct model *mp = two_lanes(&tw, 1000000);
	struct timeline_opts o = { .width = 100, .from = 0, .to = 1000000 };
	struct timeline *tl = timeline__new(mp, &o);
	struct model_span s = { .pid = 1, .tid = 1, .state = SPAN_SYSCALL };
	struct model_transfer x = { .src_pid = 1, .src_tid = 1, .dst_pid = 2, .dst_tid = 2, .bytes = 8 };

	cr_assert_not_null(tl);
	cr_assert_eq(tl->nlanes, 2);
	/* 1000 spans of 5 ns in the first pixel (10 us wide) */
	for (int i = 0; i < 1000; i++) {
		s.start = (uint64_t)i * 9;
		s.end = s.start + 5;
		timeline__on_span(tl, &s);
		x.src_ts = s.end;
		x.dst_ts = s.end + 1;
		timeline__on_transfer(tl, &x);
	}
	/* one span 30 pixels wide is kept as is */
	s.state = SPAN_BLOCKED;
	s.start = 200000;
	s.end = 500000;
	timeline__on_span(tl, &s);
	cr_assert_eq(timeline__finish(tl), 0);
	cr_assert_eq(tl->stats.spans_merged, 1000);
	cr_assert_eq(tl->stats.spans_drawn, 1);
	cr_assert_eq(tl->lanes[0].nspans, 1);
	cr_assert_eq(timeline__cell(tl, &tl->lanes[0], 0)->n[SPAN_SYSCALL], 1000);
	cr_assert_eq(timeline__cell(tl, &tl->lanes[0], 0)->ns[SPAN_SYSCALL], 5000);
	cr_assert_null(timeline__cell(tl, &tl->lanes[0], 1));
	cr_assert_eq(tl->lanes[1].cells, NULL);
	cr_assert_eq(tl->narrows, 1);
	cr_assert_eq(tl->arrows[0].count, 1000);
	cr_assert_eq(tl->arrows[0].bytes, 8000);
	timeline__free(tl);
}

Test(svg, empty_trace_still_draws_a_valid_page)
{
	struct sy s = { 0 };
	size_t tlen;
	void *t = sy_write(&s, "true", &tlen);
	struct out o;

	cr_assert_not_null(t);
	o = render(t, tlen, NULL);
	assert_well_formed(&o);
	cr_assert_not_null(strstr(o.buf, "no channel observed"));
	cr_assert_not_null(strstr(o.buf, "0 events"));
	free(o.buf);
	free(t);
}

Test(svg, damaged_trace_draws_what_was_whole_and_says_so)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	struct trace_reader *r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err = 0;

	/* cut off inside the last block: the end record is missing */
	r = trace_reader__open_mem(t, tlen - 30, &err, NULL);
	cr_assert_not_null(r, "open_mem: %d", err);
	f = open_memstream(&buf, &len);
	cr_assert_eq(svg_of_trace(r, NULL, f), 0);
	fclose(f);
	cr_assert_neq(trace_reader__status(r), TRACE_OK);
	cr_assert_not_null(strstr(buf, trace_reader__status_msg(r)), "the damage is not shown");
	trace_reader__free(r);
	free(buf);
	free(t);
}

Test(timeline, past_the_budget_the_narrowest_spans_merge)
{
	struct two_lanes tw;
	struct model *mp = two_lanes(&tw, 3000000);
	/* 1 px = 100 ns; 16000 spans are over the budget of 12000 */
	struct timeline_opts o = { .width = 30000, .from = 0, .to = 3000000 };
	struct timeline *tl = timeline__new(mp, &o);
	struct model_span s = { .state = SPAN_SYSCALL };

	cr_assert_not_null(tl);
	for (int i = 0; i < 8000; i++) {
		s.pid = s.tid = 1;
		s.start = (uint64_t)i * 200;
		s.end = s.start + 200;      /* 2 px */
		timeline__on_span(tl, &s);
		s.pid = s.tid = 2;
		s.end = s.start + 150;      /* 1.5 px */
		timeline__on_span(tl, &s);
	}
	cr_assert_eq(tl->stats.spans_drawn, 16000);
	cr_assert_eq(timeline__finish(tl), 0);
	cr_assert_eq(tl->lanes[0].nspans, 8000);
	cr_assert_eq(tl->lanes[1].nspans, 0);
	cr_assert_eq(tl->stats.spans_drawn, 8000);
	cr_assert_eq(tl->stats.spans_merged, 8000);
	cr_assert_eq(timeline__cell(tl, &tl->lanes[1], 2)->n[SPAN_SYSCALL], 1);
	cr_assert_eq(timeline__cell(tl, &tl->lanes[1], 2)->ns[SPAN_SYSCALL], 150);
	timeline__free(tl);
}

Test(timeline, past_the_budget_arrows_merge_over_column_runs)
{
	struct two_lanes tw;
	struct model *mp = two_lanes(&tw, 1000000);
	struct timeline_opts o = { .width = 10000, .from = 0, .to = 1000000 };
	struct timeline *tl = timeline__new(mp, &o);
	struct model_transfer x = { .src_pid = 1, .src_tid = 1, .dst_pid = 2, .dst_tid = 2, .bytes = 1 };
	uint64_t count = 0;

	cr_assert_not_null(tl);
	/* one transfer per column: 10000 arrows before merging */
	for (int i = 0; i < 10000; i++) {
		x.src_ts = (uint64_t)i * 100 + 50;
		x.dst_ts = x.src_ts + 10 + i % 7;
		timeline__on_transfer(tl, &x);
	}
	cr_assert_eq(tl->narrows, 10000);
	cr_assert_eq(timeline__finish(tl), 0);
	cr_assert_leq(tl->narrows, 4000);
	cr_assert_eq(tl->arrow_cols, 4);
	for (size_t i = 0; i < tl->narrows; i++) {
		count += tl->arrows[i].count;
		if (i)
			cr_assert_gt(tl->arrows[i].scol, tl->arrows[i - 1].scol, "not in column order");
	}
	cr_assert_eq(count, 10000, "merged arrows lost transfers");
	cr_assert_eq(tl->arrows[0].min_lat, 10);
	cr_assert_eq(tl->arrows[0].max_lat, 13);
	timeline__free(tl);
}

Test(timeline, a_lane_keeps_only_the_columns_it_touches)
{
	struct model_thread th = { .pid = 1, .tid = 1, .comm = "a", .first_ts = 0, .last_ts = 100000 };
	size_t i1 = 0;
	struct model_process pr = { .pid = 1, .comm = "a", .threads = &i1, .nthreads = 1 };
	struct model m = { .start_ts = 0, .end_ts = 100000, .threads = &th, .nthreads = 1,
			   .processes = &pr, .nprocesses = 1 };
	struct timeline_opts o = { .width = 100, .from = 0, .to = 100000 };   /* 1 px = 1 us */
	struct timeline *tl = timeline__new(&m, &o);
	struct model_span s = { .pid = 1, .tid = 1, .state = SPAN_BLOCKED };
	const uint32_t cols[] = { 50, 10, 90, 51, 0, 99 };

	cr_assert_not_null(tl);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		s.start = cols[i] * 1000ull + 100;
		s.end = s.start + 10 + i;
		timeline__on_span(tl, &s);
	}
	cr_assert_eq(timeline__finish(tl), 0);
	for (uint32_t c = 0; c < 100; c++) {
		const struct tl_cell *cell = timeline__cell(tl, &tl->lanes[0], c);
		size_t k;

		for (k = 0; k < sizeof(cols) / sizeof(cols[0]) && cols[k] != c; k++)
			;
		if (k == sizeof(cols) / sizeof(cols[0])) {
			cr_assert(!cell || cell->n[SPAN_BLOCKED] == 0, "column %u has spans", c);
			continue;
		}
		cr_assert_not_null(cell, "column %u lost", c);
		cr_assert_eq(cell->n[SPAN_BLOCKED], 1);
		cr_assert_eq(cell->ns[SPAN_BLOCKED], 10 + k);
	}
	cr_assert_leq(tl->lanes[0].ncells, 100);
	timeline__free(tl);
}

/* The y of every lane's base bar (class "u"), in document order, above the table. */
static size_t lane_tops(const char *svg, double *y, size_t max)
{
	const char *p = svg, *end = strstr(svg, "Channels: the IPC table");
	size_t n = 0;

	while (n < max && (p = strstr(p, "<rect class=\"u\" x=\"")) && (!end || p < end)) {
		const char *q = strstr(p, "y=\"");

		if (!q)
			break;
		y[n++] = atof(q + 3);
		p = q;
	}
	return n;
}

Test(svg, sockets_show_direction_glyphs_and_the_listener)
{
	size_t tlen;
	void *t = sy_sockets(&tlen);
	struct out o = render(t, tlen, NULL);
	const char *conn, *dialer, *ustream;

	assert_well_formed(&o);
	assert_tooltips(&o);
	cr_assert_not_null(strstr(o.buf, "127.0.0.1:8080 (listening)</text>"), "listener not named so");
	/* the server's accept put it in the modes figure: there too the channel says it listens */
	cr_assert_not_null(strstr(o.buf, " tcp (listening) \xc2\xb7 1 call"), "figure line does not say listening");
	conn = strstr(o.buf, "127.0.0.1:8080 &lt;-&gt; 127.0.0.1:5000");
	cr_assert_not_null(conn);
	cr_assert(strncmp(conn + strlen("127.0.0.1:8080 &lt;-&gt; 127.0.0.1:5000"), " (listening)", 12),
		  "a connection that carried data called listening");
	dialer = strstr(o.buf, "127.0.0.1:6000");
	cr_assert_not_null(dialer, "the dialer's socket is not in the table");
	cr_assert_null(strstr(o.buf, "127.0.0.1:6000 (listening)"), "a socket that only connected called listening");
	/* one glyph per channel with data, plus the three of the key */
	cr_assert_not_null(strstr(o.buf, "<title>half-duplex: both ways, one way at a time"), "no half-duplex glyph");
	ustream = strstr(o.buf, "<title>full-duplex: both ways at the same time");
	cr_assert_not_null(ustream, "no full-duplex glyph");
	cr_assert_not_null(strstr(ustream + 1, "<title>full-duplex: both ways at the same time"),
			   "full-duplex glyph only in the key, not in the table");
	free(o.buf);
	free(t);
}

Test(svg, few_lanes_are_tall_many_lanes_compact)
{
	size_t tlen;
	void *few = sy_demo(false, &tlen);
	struct out o = render(few, tlen, NULL);
	double y[256];
	size_t n = lane_tops(o.buf, y, 256);

	cr_assert_eq(n, 4, "demo lanes: %zu", n);
	/* readable from the back of a room: bars at least 30 px, room for arrows between */
	cr_assert_geq(y[2] - y[1], 60, "few lanes %.1f px apart", y[2] - y[1]);
	free(o.buf);
	free(few);

	void *many = sy_many(30000, &tlen);
	o = render(many, tlen, NULL);
	n = lane_tops(o.buf, y, 256);
	cr_assert_eq(n, 200, "many lanes: %zu", n);
	cr_assert_leq(y[2] - y[1], 30, "many lanes %.1f px apart", y[2] - y[1]);
	free(o.buf);
	free(many);
}

Test(svg, a_long_title_wraps_onto_a_second_line)
{
	size_t tlen;
	void *t = sy_demo(false, &tlen);
	struct svg_opts so = {
		.title = "pipe_blocking: a pipe, the reader sleeps in read() until each write wakes it, "
			 "Sync-Blocking and simplex, as the course note draws it (seed 3, 4 PIPE) <&>",
	};
	struct out o = render(t, tlen, &so), short_o;
	const char *l1 = strstr(o.buf, "<text class=\"h1\""), *l2 = l1 ? strstr(l1 + 1, "<text class=\"h1\"") : NULL;

	assert_well_formed(&o);
	cr_assert_not_null(l2, "one title line for %zu characters", strlen(so.title));
	cr_assert_not_null(strstr(l1, ">pipe_blocking: a pipe,"));
	cr_assert_not_null(strstr(l2, "(seed 3, 4 PIPE) &lt;&amp;&gt;</text>"), "second line lost the end");
	so.title = "pipe_blocking";
	short_o = render(t, tlen, &so);
	l1 = strstr(short_o.buf, "<text class=\"h1\"");
	cr_assert_null(strstr(l1 + 1, "<text class=\"h1\""), "a short title wrapped");
	free(short_o.buf);
	free(o.buf);
	free(t);
}

Test(gallery, every_demo_has_a_caption_and_a_seed_section)
{
	FILE *p = popen("sh tools/gallery.sh --readme-table", "r");
	char line[1024], *table = NULL;
	size_t len = 0, ndemos = 0;
	FILE *t = open_memstream(&table, &len);
	glob_t g;

	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p))
		fputs(line, t);
	cr_assert_eq(pclose(p), 0, "tools/gallery.sh --readme-table failed");
	fclose(t);
	cr_assert_eq(glob("demos/*.c", 0, NULL, &g), 0, "no demo in demos/");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char name[256], want[300];
		const char *row;

		snprintf(name, sizeof(name), "%s", g.gl_pathv[i] + strlen("demos/"));
		name[strlen(name) - 2] = '\0';
		snprintf(want, sizeof(want), "| `%s` | ", name);
		row = strstr(table, want);
		cr_assert_not_null(row, "demo %s is not in the gallery", name);
		cr_assert(strncmp(row + strlen(want), "no caption yet", 14),
			  "demo %s has no caption in tools/gallery.sh", name);
		cr_assert(strncmp(strchr(row + strlen(want), '|'), "| - |", 5),
			  "demo %s has no seed section in tools/gallery.sh", name);
		ndemos++;
	}
	cr_assert_gt(ndemos, 20, "only %zu demos", ndemos);
	globfree(&g);
	free(table);
}

Test(svg, wakeups_on_a_channel_without_data_carry_its_id)
{
	struct sy s = { 0 };
	size_t tlen;
	void *t;
	struct out o;

	sy_task(&s, SY_T0 + 1000, 100, 100, "waiter");
	sy_task(&s, SY_T0 + 1000, 100, 101, "waker");
	sy_chan(&s, SY_T0 + 2000, 100, 0xF1F1, IPCT_KIND_FUTEX, "");
	for (int i = 0; i < 4; i++) {
		uint64_t r = SY_T0 + 10000 + (uint64_t)i * 100000;

		sy_sleep(&s, 100, 100, r + 1000, r + 50000, r + 52000, 0xF1F1, IPCT_OP_FUTEX_WAIT, 202,
			 101, 0xF1F1);
		sy_call(&s, 100, 100, r, r + 53000, IPCT_OP_FUTEX_WAIT, 202, 0xF1F1, 0, 0);
		sy_call(&s, 100, 101, r + 49000, r + 51000, IPCT_OP_FUTEX_WAKE, 202, 0xF1F1, 1, 0);
	}
	t = sy_write(&s, "futex", &tlen);
	o = render(t, tlen, NULL);
	assert_well_formed(&o);
	cr_assert_not_null(strstr(o.buf, "<path class=\"w3\""), "no futex wakeup arrow");
	cr_assert_not_null(strstr(o.buf, ">#1<title>channel #1: futex"), "futex wakeups not labelled");
	/* its data moves in memory: no direction to see, and the table says so rather than "none" */
	cr_assert_not_null(strstr(o.buf, ">unseen (memory)</text>"), "memory channel's direction not explained");
	free(o.buf);
	free(t);
}

/* A busy server: six-digit counts of wakeups from interrupts and out of view, in both languages */
Test(svg, the_legend_notes_stay_on_the_page_with_big_counts, .timeout = 120)
{
	const struct lang *langs[] = { &lang_en, &lang_ko };
	struct sy s = { 0 };
	size_t tlen;
	void *t;

	sy_task(&s, SY_T0 + 1000, 100, 100, "server");
	for (int i = 0; i < 120000; i++) {
		uint64_t r = SY_T0 + 10000 + (uint64_t)i * 2000;

		/* woken from an interrupt, or by a process not traced: no arrow either way */
		sy_sleep(&s, 100, 100, r + 100, r + 900, r + 1000, 0, IPCT_OP_NANOSLEEP, 35, i % 3 ? 0 : 4242, 0);
	}
	t = sy_write(&s, "busy", &tlen);
	for (size_t i = 0; i < 2; i++) {
		struct svg_opts o = { .lang = langs[i] };
		struct out out = render(t, tlen, &o);

		assert_well_formed(&out);
		assert_labels_fit(&out);
		free(out.buf);
	}
	free(t);
}

Test(gallery, the_readme_lists_every_demo_as_the_gallery_does)
{
	FILE *p = popen("sh tools/gallery.sh --readme-table", "r");
	size_t rlen;
	char *readme = read_file("README.md", &rlen), line[1024];

	cr_assert_not_null(p);
	cr_assert_not_null(readme, "no README.md");
	readme[rlen] = '\0';
	while (fgets(line, sizeof(line), p))
		cr_assert_not_null(strstr(readme, line),
				   "README.md lacks this row: %s(paste the output of tools/gallery.sh --readme-table "
				   "into its Demos for teaching section)", line);
	cr_assert_eq(pclose(p), 0);
	free(readme);
}

/* render --critical-path: the path's group with bands and its summary, well formed, every mark titled. */
Test(svg, critical_path_marks_and_summary)
{
	struct svg_opts opts = { .critical_path_tid = 200 };
	size_t tlen;
	void *t = sy_demo(true, &tlen);
	struct out o;

	cr_assert_not_null(t);
	o = render(t, tlen, &opts);
	assert_well_formed(&o);
	assert_tooltips(&o);
	cr_assert_not_null(strstr(o.buf, "<g id=\"critical-path\">"), "no critical path group");
	cr_assert(strstr(o.buf, "class=\"cpb\"") || strstr(o.buf, "class=\"cpe\""), "no band");
	cr_assert_not_null(strstr(o.buf, "Critical path of reader (tid 200): "), "no summary");
	free(o.buf);
	free(t);
}

static size_t occurrences(const char *buf, const char *what)
{
	size_t n = 0;

	for (const char *p = buf; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/*
 * A ping-pong of `rounds` rounds, one every `gap_ns` from 10 us into a 1-s
 * trace: ping (100) writes the first pipe and waits on the second; pong (200)
 * waits on the first, then answers. The critical path of ping goes back and
 * forth between the two lanes: a jump to pong running before it answers, and
 * a hand-over back (pong's write wakes ping); pong's own wait ended long
 * before, so it is not on the path.
 */
static void *pingpong_trace(unsigned rounds, uint64_t gap_ns, size_t *tlen)
{
	struct sy s = { 0 };

	sy_task(&s, SY_T0 + 1000, 100, 100, "ping");
	sy_task(&s, SY_T0 + 1000, 200, 200, "pong");
	sy_chan(&s, SY_T0 + 2000, 100, SY_PIPE, IPCT_KIND_PIPE, "pipe:[1]");
	sy_chan(&s, SY_T0 + 2000, 100, SY_FIFO, IPCT_KIND_PIPE, "pipe:[2]");
	for (unsigned k = 0; k < rounds; k++) {
		uint64_t r = SY_T0 + 10000 + (uint64_t)k * gap_ns;

		/* ping writes the first pipe, then waits on the second for pong's answer */
		sy_call(&s, 100, 100, r, r + 100, IPCT_OP_WRITE, 1, SY_PIPE, 1, 0);
		sy_sleep(&s, 100, 100, r + 200, r + 1100, r + 1200, SY_FIFO, IPCT_OP_READ, 0, 200, SY_FIFO);
		sy_call(&s, 100, 100, r + 150, r + 1300, IPCT_OP_READ, 0, SY_FIFO, 1, 0);
		/* pong waits on the first pipe for ping's write, then answers */
		sy_sleep(&s, 200, 200, r - 600, r + 100, r + 300, SY_PIPE, IPCT_OP_READ, 0, 100, SY_PIPE);
		sy_call(&s, 200, 200, r - 700, r + 400, IPCT_OP_READ, 0, SY_PIPE, 1, 0);
		sy_call(&s, 200, 200, r + 1000, r + 1100, IPCT_OP_WRITE, 1, SY_FIFO, 1, 0);
	}
	sy_call(&s, 100, 100, SY_T0 + 1000000000ull, SY_T0 + 1000000100ull, IPCT_OP_OTHER, 39, 0, 0, 0);
	return sy_write(&s, "pingpong", tlen);
}

/*
 * 2,000 rounds in the first 4 ms of the 1-s trace: the path goes back and
 * forth within a few pixels. A band per lane and column, and a few arrows,
 * say all of it (every step drawn made a 146 MB SVG of the 1e7-event trace).
 */
Test(svg, critical_path_drawn_at_most_once_per_pixel_column_and_lane)
{
	struct svg_opts opts = { .critical_path_tid = 100 };
	struct out o;
	size_t tlen, arrows, bands;
	void *t = pingpong_trace(2000, 2000, &tlen);

	o = render(t, tlen, &opts);
	assert_well_formed(&o);
	arrows = occurrences(o.buf, "class=\"cph\"");
	cr_assert_geq(arrows, 1, "the hand-overs drawn: %zu arrows", arrows);
	/* 4 ms of a 1-s timeline: a few pixel columns */
	cr_assert_leq(arrows, 40, "%zu hand-over arrows for a few pixels", arrows);
	/* and a band per lane and look over those columns, not one per step */
	bands = occurrences(o.buf, "class=\"cpb\"") + occurrences(o.buf, "class=\"cpe\"");
	cr_assert_geq(bands, 2, "%zu bands", bands);
	cr_assert_leq(bands, 40, "%zu bands for a few pixels", bands);
	free(o.buf);
	free(t);
}

/*
 * The same 2,000 rounds spread over 400 ms: a round every 200 us, several a
 * pixel. A connector per pixel column painted the space between the lanes
 * solid red. Now the connectors of one kind and direction stand at least 8 px
 * apart, and each hand-over arrow's tooltip counts the hand-overs it stands
 * for: they add up to the path's, one a round (pong wakes ping).
 */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

Test(svg, critical_path_connectors_stand_apart_and_count_the_ones_they_hide)
{
	const unsigned rounds = 2000;
	struct svg_opts opts = { .critical_path_tid = 100 };
	static double xs[2][4 * 2000];
	size_t tlen, handovers = 0, drawn[2] = { 0, 0 };
	void *t = pingpong_trace(rounds, 200000, &tlen);
	struct out o = render(t, tlen, &opts);
	const char *cls[2] = { "class=\"cpj\"", "class=\"cph\"" };

	assert_well_formed(&o);
	for (int k = 0; k < 2; k++) {
		for (const char *p = o.buf; (p = strstr(p, cls[k])) != NULL; p++) {
			const char *d = strstr(p, " d=\""), *end = strstr(p, "/>"), *close = strstr(p, "</path>");
			double x1, y1, x2, y2;
			size_t more = 0;

			cr_assert_not_null(d, "a connector without its path");
			cr_assert_eq(sscanf(d, " d=\"M%lf %lfL%lf %lf", &x1, &y1, &x2, &y2), 4, "%.60s", d);
			cr_assert_lt(drawn[k], sizeof(xs[0]) / sizeof(xs[0][0]));
			xs[k][drawn[k]++] = x1;
			if (k == 0)
				continue;
			/* a hand-over: from pong's lane up to ping's, its tooltip saying how many */
			cr_assert_lt(y2, y1, "a hand-over from ping to pong: none is on the path");
			cr_assert(close && (!end || close < end), "a hand-over arrow without its tooltip");
			const char *plus = strstr(p, "(+");
			if (plus && plus < close)
				cr_assert_eq(sscanf(plus, "(+%zu more", &more), 1, "%.80s", plus);
			handovers += 1 + more;
		}
		qsort(xs[k], drawn[k], sizeof(double), cmp_double);
		for (size_t i = 1; i < drawn[k]; i++)
			cr_assert_geq(xs[k][i] - xs[k][i - 1], 8.0 - 0.05, "%s at %.1f and %.1f px", cls[k],
				      xs[k][i - 1], xs[k][i]);
		/* 400 ms of a 1-s timeline: far fewer than the rounds, more than a handful */
		cr_assert(drawn[k] > 10 && drawn[k] < rounds / 4, "%zu %s", drawn[k], cls[k]);
	}
	cr_assert_eq(handovers, rounds, "pong wakes ping %u times; the arrows say %zu", rounds, handovers);
	free(o.buf);
	free(t);
}

/* A thread asleep in a call at the stop is marked where its lane ends, the tooltip saying why. */
Test(svg, stuck_thread_marked_at_its_lane_end)
{
	struct sy s = { 0 };
	struct out o;
	size_t tlen;
	void *t;

	sy_task(&s, SY_T0 + 1000, 100, 100, "writer");
	sy_task(&s, SY_T0 + 1000, 200, 200, "reader");
	sy_chan(&s, SY_T0 + 2000, 100, SY_PIPE, IPCT_KIND_PIPE, "");
	sy_call(&s, 100, 100, SY_T0 + 10000, SY_T0 + 11000, IPCT_OP_WRITE, 1, SY_PIPE, 64, 0);
	sy_call(&s, 200, 200, SY_T0 + 12000, SY_T0 + 13000, IPCT_OP_READ, 0, SY_PIPE, 64, 0);
	sy_call(&s, 100, 100, SY_T0 + 900000, SY_T0 + 900500, IPCT_OP_OTHER, 39, 0, 0, 0);
	sy_sleep(&s, 200, 200, SY_T0 + 20000, 0, SY_T0 + 1000000, SY_PIPE, IPCT_OP_READ, 0, 0, 0);
	s.ev[s.n - 1].h.flags = IPCT_F_UNFINISHED;
	s.ev[s.n - 1].sl.waker_pid = s.ev[s.n - 1].sl.waker_tid = 0;
	sy_call(&s, 200, 200, SY_T0 + 19000, SY_T0 + 1000000, IPCT_OP_READ, 0, SY_PIPE, 0,
		IPCT_F_UNFINISHED);
	t = sy_write(&s, "stuck reader", &tlen);
	cr_assert_not_null(t);
	o = render(t, tlen, NULL);
	assert_well_formed(&o);
	assert_tooltips(&o);
	cr_assert_not_null(strstr(o.buf, "<g id=\"stuck\">"), "no stuck mark");
	cr_assert_not_null(strstr(o.buf, "reader 200 is asleep in read on #1 pipe since"),
			   "the tooltip does not say where it is stuck");
	cr_assert_not_null(strstr(o.buf, "waiting for writer 100"), "nor for whom");
	free(o.buf);
	free(t);
}

#include <sys/mman.h>
#include <sys/resource.h>

#define MANY_LANES 2000
#define MANY_CALLS 300

static long peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * Issue 16: rendering 2,000 threads took 276 MB, a row of pixel cells per lane.
 * 2,000 lanes of calls across the whole width, streamed from a file so that
 * only the render counts: it grew the peak by 14 MB; the old code took 199 MB. The
 * bound is ten times what it takes now.
 */
Test(timeline, memory_bounded_over_thousands_of_lanes, .timeout = 300)
{
	struct trace_meta meta = { .start_mono_ns = SY_T0 };
	struct svg_opts opts = { .no_group = true, .no_graph = true };
	int fd = memfd_create("lanes", 0), err = 0;
	struct trace_writer *w;
	struct trace_reader *r;
	char path[64];
	long before;
	FILE *out;

	cr_assert_geq(fd, 0);
	w = trace_writer__open_fd(fd, &meta, 1);
	cr_assert_not_null(w);
	for (uint32_t i = 0; i < MANY_LANES; i++) {
		struct ipct_task t = { .h = { .type = IPCT_EV_TASK, .ts = SY_T0, .pid = 1000 + i, .tid = 1000 + i } };

		snprintf(t.comm, sizeof(t.comm), "t%u", i);
		cr_assert_eq(trace_writer__add(w, &t.h), 0);
	}
	for (uint64_t k = 0; k < MANY_CALLS; k++)
		for (uint32_t i = 0; i < MANY_LANES; i++) {
			uint64_t ts = SY_T0 + 1000000 * (k + 1) + i;
			struct ipct_syscall c = { .h = { .type = IPCT_EV_SYSCALL, .ts = ts + 500,
							 .pid = 1000 + i, .tid = 1000 + i },
						  .enter_ts = ts, .ret = 8, .arg = 8, .fd = 3, .op = IPCT_OP_WRITE,
						  .nr = 1 };

			cr_assert_eq(trace_writer__add(w, &c.h), 0);
		}
	cr_assert_eq(trace_writer__close(w), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = trace_reader__open_path(path, &err, NULL);
	cr_assert_not_null(r, "%d", err);
	out = fopen("/dev/null", "w");
	cr_assert_not_null(out);
	before = peak_rss_kb();
	cr_assert_eq(svg_of_trace(r, &opts, out), 0);
	cr_assert_lt(peak_rss_kb() - before, 130 * 1024, "render of %d lanes grew the peak by %ld KB",
		     MANY_LANES, peak_rss_kb() - before);
	fclose(out);
	trace_reader__free(r);
	close(fd);
}

/* What the recorder writes at the stop for a thread asleep in a call since `out`. */
static void sy_asleep_at_stop(struct sy *s, uint32_t pid, uint64_t out, uint64_t stop, unsigned op,
			      uint64_t chan)
{
	union sy_ev *e = sy_add(s, IPCT_EV_SLEEP, stop, pid, pid);

	e->h.flags = IPCT_F_UNFINISHED;
	e->sl.out_ts = out;
	e->sl.state = 1;
	e->sl.op = (uint8_t)op;
	e->sl.chan = chan;
	e = sy_add(s, IPCT_EV_SYSCALL, stop, pid, pid);
	e->h.flags = IPCT_F_UNFINISHED;
	e->sc.enter_ts = out - 1000;
	e->sc.op = (uint8_t)op;
	e->sc.chan = chan;
	e->sc.arg = -1;
}

Test(svg, stuck_marks_only_waits_of_half_the_view_not_idle_loops_or_short_waits)
{
	const uint64_t stop = SY_T0 + 4000000000ull;
	struct sy s = { 0 };
	struct out o;
	size_t tlen;
	void *t;

	sy_task(&s, SY_T0 + 1000, 10, 10, "looper");
	sy_task(&s, SY_T0 + 1000, 20, 20, "hung");
	sy_task(&s, SY_T0 + 1000, 30, 30, "late");
	sy_chan(&s, SY_T0 + 2000, 20, SY_PIPE, IPCT_KIND_PIPE, "pipe:[4242]");
	sy_chan(&s, SY_T0 + 2000, 30, SY_FIFO, IPCT_KIND_FIFO, "/tmp/fifo");
	sy_call(&s, 30, 30, SY_T0 + 10000, SY_T0 + 20000, IPCT_OP_WRITE, 1, SY_FIFO, 1, 0);
	/* an event loop idle in epoll_wait from 0.2 s: idle, not stuck */
	sy_asleep_at_stop(&s, 10, SY_T0 + 200000000ull, stop, IPCT_OP_EPOLL_WAIT, 0);
	/* a read on a pipe from 0.5 s: 3.5 s of a 4 s view */
	sy_asleep_at_stop(&s, 20, SY_T0 + 500000000ull, stop, IPCT_OP_READ, SY_PIPE);
	/* a read the stop cut 20 ms after it began */
	sy_asleep_at_stop(&s, 30, stop - 20000000ull, stop, IPCT_OP_READ, SY_FIFO);
	t = sy_write(&s, "stuck marks", &tlen);
	cr_assert_not_null(t);
	o = render(t, tlen, NULL);
	cr_assert_not_null(strstr(o.buf, "<g id=\"stuck\">"), "no stuck group");
	cr_assert_not_null(strstr(o.buf, "hung 20 is asleep in read"), "the long read is not marked");
	cr_assert_null(strstr(o.buf, "looper 10 is asleep"), "an idle event loop marked stuck");
	cr_assert_null(strstr(o.buf, "late 30 is asleep"), "a 20 ms wait marked stuck");
	free(o.buf);
	free(t);
}
