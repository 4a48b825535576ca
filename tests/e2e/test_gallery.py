"""The teacher's kit: every section of the course note has its figure in the gallery, in
English and Korean; Korean diagrams are drawn with Hangul glyphs, not tofu; --lang changes
the words people read and never the JSON; the network figure's demo talks across namespaces."""

import json
import os
import re
import struct
import subprocess
import zlib

import pytest

from lib import (IPCTRACE, Fail, Said, check, endpoint, expect, one_channel, record, report,
                 run, tool)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The note itself, where this checkout sits beside the project's shared files (as the issue cites it).
NOTE = os.environ.get("IPCTRACE_SEED_NOTE") or next(
    (p for p in (os.path.join(ROOT, up, "shared", "seeds", "000_02862eb3e06183b6.txt")
                 for up in ("..", os.path.join("..", ".."))) if os.path.exists(p)), "")


def note_sections():
    rows = []
    with open(os.path.join(ROOT, "doc", "note-sections.txt"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                sec, row, heading = line.rstrip("\n").split("|")
                rows.append((sec, row, heading))
    return rows


def gallery_figures():
    out = subprocess.run(["sh", os.path.join(ROOT, "tools", "gallery.sh"), "--figures"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


@pytest.mark.nobpf
def test_every_note_section_has_a_figure_in_both_languages():
    figs = gallery_figures()
    for sec, row, heading in note_sections():
        match = [f for f in figs if f[0] == sec and (not row or f[2] == row)]
        check(len(match) == 1, "section %s %s (%s): %d figures in tools/gallery.sh FIGURES"
              % (sec, row, heading, len(match)))
        _, demo, en, ko = match[0]
        check(os.path.exists(os.path.join(ROOT, "demos", demo + ".c")) or demo == "pipeline",
              "figure %s draws %s, which is not a demo" % (sec, demo))
        check(en.strip() and ko.strip(), "figure %s lacks a title in a language" % sec)
        check(re.search("[\uac00-\ud7a3]", ko) or ko == en, "figure %s: Korean title %r has no Hangul"
              % (sec, ko))


@pytest.mark.nobpf
def test_note_sections_are_the_note_s():
    """doc/note-sections.txt against the note: its numbered headings and its table's rows."""
    if not os.path.exists(NOTE):
        pytest.skip("the course note is not at %s (set IPCTRACE_SEED_NOTE)" % NOTE)
    text = open(NOTE, encoding="utf-8").read()
    listed = note_sections()
    for sec, title in re.findall(r"^#{3,4} (\d+(?:\.\d+)+)\. (.+)$", text, re.M):
        if sec in ("1.1", "2.1", "2.2"):
            continue   # headings of groups, their subsections have the figures
        check(any(s == sec and title.strip().startswith(h.strip()) for s, _, h in listed),
              "the note's %s %s is not in doc/note-sections.txt" % (sec, title))
    table = re.findall(r"^\|\s*\*\*(.+?)\*\*\s*\|", text.split("## 4.")[1], re.M)
    check(len(table) == 6, "the note's table: %s" % table)
    for row in table:
        row = row.replace("Mesage", "Message")   # the note's typo
        check(any(s == "4" and r == row for s, r, _ in listed), "table row %s not listed" % row)
    for mode in re.findall(r"^- \*\*((?:Sync|Async)-\w+)\*\*", text, re.M):
        check(any(s == "3" and r == mode for s, r, _ in listed), "quadrant %s not listed" % mode)


def png_pixels(path):
    """(width, height, rows of RGBA bytes) of an 8-bit RGB or RGBA PNG, as rsvg-convert writes."""
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color = struct.unpack(">IIBB", body[:10])
            check(depth == 8 and color in (2, 6), "PNG is not 8-bit RGB(A): %d %d" % (depth, color))
            bpp = 4 if color == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows = zlib.decompress(idat), w * bpp, []
    prev = bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line if bpp == 4 else bytearray(b for i in range(0, stride, 3)
                                                    for b in (line[i], line[i + 1], line[i + 2], 255)))
        prev = line
    return w, h, rows


def ink_components(path):
    """Connected groups of dark pixels: a glyph's strokes (a tofu box is one ring, or a box with hex digits)."""
    w, h, rows = png_pixels(path)
    dark = [[rows[y][4 * x + 3] > 128 and rows[y][4 * x] < 128 for x in range(w)] for y in range(h)]
    seen, comps = set(), 0
    for y in range(h):
        for x in range(w):
            if dark[y][x] and (x, y) not in seen:
                comps += 1
                stack = [(x, y)]
                seen.add((x, y))
                while stack:
                    cx, cy = stack.pop()
                    for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                        if 0 <= nx < w and 0 <= ny < h and dark[ny][nx] and (nx, ny) not in seen:
                            seen.add((nx, ny))
                            stack.append((nx, ny))
    return comps


def render_probe(ctx, family, text, name):
    svg = ctx.path(name + ".svg")
    with open(svg, "w", encoding="utf-8") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120">'
                '<rect width="160" height="120" fill="#fff"/><text x="10" y="95" '
                'style="font-family:%s;font-size:90px;fill:#000">%s</text></svg>' % (family, text))
    png = ctx.path(name + ".png")
    r = run(["rsvg-convert", "-o", png, svg], timeout=30)
    check(r.rc == 0, "rsvg-convert: " + r.why())
    return png


@pytest.mark.nobpf
def test_korean_svg_draws_hangul_glyphs_not_tofu(ctx):
    """The Korean SVG's own font-family, drawn by rsvg-convert: each syllable is its strokes."""
    svg = open(os.path.join(ROOT, "tests", "golden", "demo_ko.svg"), encoding="utf-8").read()
    family = re.search(r"text\{font-family:([^;]+);", svg).group(1)
    check("Noto Sans CJK KR" in family, "no Hangul face named first: " + family)
    # strokes that do not touch: 이 = ㅇ + ㅣ, 를 = ㄹ + ㅡ + ㄹ, 파 = ㅍ + ㅏ (2 parts)
    for syllable, parts in (("\uc774", 2), ("\ub97c", 3), ("\ud30c", 2)):
        got = ink_components(render_probe(ctx, family, syllable, "probe%x" % ord(syllable)))
        check(got == parts, "%s drawn as %d pieces, a glyph has %d (tofu?)" % (syllable, got, parts))
    # and a code point no font has is drawn otherwise (the check can tell tofu from a glyph)
    tofu = ink_components(render_probe(ctx, family, "\U000f0000", "tofu"))
    check(tofu != 2, "a missing glyph looks like a two-stroke syllable: the probe proves nothing")


def test_lang_changes_words_not_json(ctx):
    r = record(ctx, [tool("pipe_blocking")])
    said = Said(r.out)
    en = run([IPCTRACE, "report", ctx.trace], timeout=60)
    ko = run([IPCTRACE, "report", "--lang", "ko", ctx.trace], timeout=60)
    check(en.rc == 0 and ko.rc == 0, "report: %s %s" % (en.why(), ko.why()))
    check("IPC channels" in en.out and "IPC 채널" in ko.out, "headings: " + ko.out[:300])
    check("공유 매개체" in ko.out and "단방향" in ko.out, "the note's words: " + ko.out[:600])
    check("IPC channels" not in ko.out, "English left in the Korean report")
    # the numbers are the same in both languages: the pipe's bytes as the demo counted them
    total = said.num("writer", r"wrote (\d+) bytes")
    kib = "%.1f KiB" % (total / 1024)
    check(kib in en.out and kib in ko.out, "%s missing in a language" % kib)
    j_en = run([IPCTRACE, "report", "--json", ctx.trace], timeout=60)
    j_ko = run([IPCTRACE, "report", "--json", "--lang", "ko", ctx.trace], timeout=60)
    check(j_en.out == j_ko.out, "--lang changed the JSON")
    json.loads(j_ko.out)
    svg = ctx.path("ko.svg")
    r = run([IPCTRACE, "render", "--lang", "ko", "-o", svg, ctx.trace], timeout=60)
    check(r.rc == 0, "render --lang ko: " + r.why())
    s = open(svg, encoding="utf-8").read()
    check("통신 방향" in s and ">Legend<" not in s, "Korean SVG words")
    bad = run(["/usr/bin/python3", os.path.join(ROOT, "tests", "lib", "svg_fit.py"), svg], timeout=120)
    check(bad.rc == 0, "labels overflow in the Korean SVG of a real trace:\n" + bad.out)


def test_network_figure_crosses_namespaces(ctx):
    """1.1.3: a client here, its server in another network namespace on a veth pair."""
    ns = "ipct-e2e-%d" % os.getpid()
    up = run([os.path.join(ROOT, "tools", "netns-peer.sh"), "up", ns, "10.79.0"], timeout=30)
    if up.rc != 0:
        pytest.skip("cannot make a network namespace here: " + up.why())
    try:
        r = record(ctx, [tool("netns_tcp"), ns, "10.79.0.2", "8", "300"])
    finally:
        run([os.path.join(ROOT, "tools", "netns-peer.sh"), "down", ns], timeout=30)
    said = Said(r.out)
    c, s = said.pid("client"), said.pid("peer-server")
    j = report(ctx.trace)
    conn = [x for x in j["channels"] if x["kind"] == "tcp" and not x.get("listening")
            and "10.79.0.2" in x["name"]]
    check(len(conn) == 1, "one connection to the peer, got %s" % [x["name"] for x in j["channels"]])
    ch = conn[0]
    expect(ch, "direction", "half-duplex", "request and reply in turn")
    expect(endpoint(ch, c), "bytes_sent", said.num("client", r"sent (\d+) bytes"), "client")
    expect(endpoint(ch, s), "bytes_received", said.num("peer-server", r"received (\d+) bytes"),
           "peer-server")
    expect(endpoint(ch, s), "sends", said.num("peer-server", r"in (\d+) sends"), "peer-server")


def test_recording_in_korean_prints_and_draws_korean(ctx):
    """--lang on recording: the report printed at the end and the SVG written are Korean."""
    r = run([IPCTRACE, "-q", "--lang", "ko", "-o", ctx.trace, "-w", ctx.svg, "--",
             tool("pipe_blocking")], timeout=120)
    check(r.rc == 0, "ipctrace --lang ko -- pipe_blocking: " + r.why())
    said = Said(r.out)
    check("IPC 채널" in r.out and "통신 가능 범위" in r.out, "the report is not Korean: " + r.out[-800:])
    check("IPC channels" not in r.out, "English heading in the Korean report")
    check(str(said.pid("reader")) in r.out, "the reader's pid is not in the report")
    s = open(ctx.svg, encoding="utf-8").read()
    check("통신 방향" in s and "Noto Sans CJK KR" in s, "the SVG is not Korean")
    bad = run([IPCTRACE, "-q", "--lang", "fr", "-o", ctx.path("x.trace"), "--", "true"], timeout=30)
    check(bad.rc == 2 and "--lang" in bad.err and "en, ko" in bad.err,
          "an unknown language is a usage error naming the known ones: %s" % bad.why())


@pytest.mark.nobpf
def test_label_measure_catches_overflows(ctx):
    """tests/lib/svg_fit.py, which the golden and gallery checks rely on, does see a label
    leave its box, run into its neighbour (on its line or overlapping from another), or leave
    the page, also inside a scaled group."""
    bad = ctx.path("bad.svg")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100">'
                '<style>text{font-family:sans-serif}.td{font-size:11px}</style>'
                '<rect class="cell" x="0" y="0" width="60" height="50"/>'
                '<text class="td" x="5" y="20">a long label in a small box</text>'
                '<text class="td" x="100" y="70">left</text><text class="td" x="110" y="70">right</text>'
                '<text class="td" x="280" y="90">off the page</text>'
                '<text class="td" x="150" y="40">upper label</text><text class="td" x="160" y="46">lower</text>'
                '<g transform="translate(150 0) scale(2)"><rect x="0" y="0" width="40" height="20" '
                'stroke="#000"/><text x="2" y="12" font-size="10">통신 가능 범위</text></g></svg>')
    r = run(["/usr/bin/python3", os.path.join(ROOT, "tests", "lib", "svg_fit.py"), bad], timeout=60)
    check(r.rc == 1, "overflows not reported: " + r.why())
    for what in ("out of its box by", "a long label", "runs into the next label", "off the page",
                 "통신 가능 범위", "runs into a label on another line"):
        check(what in r.out, "svg_fit.py did not report %r: %s" % (what, r.out))
