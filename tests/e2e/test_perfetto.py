"""The Perfetto exports (issue 16): the protobuf trace ui.perfetto.dev opens at sizes the JSON
cannot reach, checked against Perfetto's wire rules with a decoder written here (no protobuf
library on the machine): every packet on one sequence whose state the first packet clears;
every event on a described track; interned names defined before use; slices nested per thread;
every flow with one start and one end that does not precede it."""

import collections
import json
import os

from lib import IPCTRACE, Said, check, record, run, tool


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field, value) pairs of one message: ints for varint and fixed64, bytes for the rest."""
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 1:
            v, i = int.from_bytes(b[i:i + 8], "little"), i + 8
        elif wire == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        else:
            raise AssertionError("wire type %d in field %d" % (wire, num))
        check(i <= len(b), "field %d runs past its message" % num)
        out.append((num, v))
    return out


def one(fs, num, default=None):
    v = [x for n, x in fs if n == num]
    return v[0] if v else default


def test_perfetto_protobuf_export(ctx):
    r = record(ctx, [tool("pipe_blocking"), "8", "1024", "2"])
    said = Said(r.out)
    pb, js = ctx.path("t.perfetto-trace"), ctx.path("t.json")
    for out in (pb, js):
        r = run([IPCTRACE, "export", "--perfetto", "-o", out, ctx.trace], timeout=60)
        check(r.rc == 0, "export --perfetto -o %s: %s" % (out, r.why()))
    with open(js) as f:
        json.load(f)
    data = open(pb, "rb").read()
    check(os.path.getsize(pb) * 2 < os.path.getsize(js), "the protobuf (%d bytes) is not half "
          "the JSON (%d)" % (os.path.getsize(pb), os.path.getsize(js)))
    tracks, names, cats, events = {}, {}, {}, []
    packets = [v for n, v in fields(data) if n == 1]
    check(len(packets) > 50, "only %d packets" % len(packets))
    first = fields(packets[0])
    check(one(first, 13, 0) & 1, "the first packet does not clear the sequence's state")
    for raw in packets:
        p = fields(raw)
        check(one(p, 10) == 1, "a packet off sequence 1: %r" % p)
        td = one(p, 60)
        if td is not None:
            td = fields(td)
            uuid = one(td, 1)
            check(uuid not in tracks, "track %#x described twice" % uuid)
            parent = one(td, 5)
            check(parent is None or parent in tracks, "thread track before its process")
            thread = one(td, 4)
            tracks[uuid] = fields(thread) if thread is not None else None
            continue
        interned = one(p, 12)
        for n, entry in fields(interned) if interned is not None else []:
            e = fields(entry)
            (cats if n == 1 else names)[one(e, 1)] = one(e, 2).decode()
        te = fields(one(p, 11))
        ts, kind, track = one(p, 8), one(te, 9), one(te, 11)
        check(track in tracks, "an event on track %#x, never described" % track)
        name_iid, cat_iid = one(te, 10), one(te, 3)
        check(name_iid is None or name_iid in names, "name iid %s used before defined" % name_iid)
        check(cat_iid is None or cat_iid in cats, "category iid %s used before defined" % cat_iid)
        events.append((ts, len(events), kind, track, names.get(name_iid),
                       [v for n, v in te if n == 47], [v for n, v in te if n == 48]))
    thread_names = {fields_name for t in tracks.values() if t
                    for fields_name in [one(t, 5, b"").decode()]}
    check({"writer", "reader"} <= thread_names, "threads named %s" % sorted(thread_names))
    depth = collections.Counter()
    starts, ends = {}, {}
    for ts, _, kind, track, name, out, into in sorted(events):
        if kind == 1:
            depth[track] += 1
        elif kind == 2:
            depth[track] -= 1
            check(depth[track] >= 0, "a slice ends on track %#x before it began" % track)
        for f in out:
            check(f not in starts, "flow %d starts twice" % f)
            starts[f] = ts
        for f in into:
            check(f not in ends, "flow %d ends twice" % f)
            ends[f] = ts
    check(not +depth, "slices left open: %s" % dict(+depth))
    check(starts.keys() == ends.keys(), "flows without both ends")
    bad = [f for f in starts if ends[f] < starts[f]]
    check(not bad, "%d flows end before they start" % len(bad))
    writes = said.num("writer", r"in (\d+) writes")
    xfers = [e for e in events if e[4] and e[4].startswith("transfer") and e[5]]
    check(len(xfers) >= writes, "%d transfer flows for %d writes" % (len(xfers), writes))
