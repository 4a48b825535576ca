#!/usr/bin/python3
"""Measure every label of an ipctrace SVG with the fonts a renderer would use
(fontconfig picks them, fontTools reads their advance widths) and report the
labels that run out of their box: into the next label on the same line, out
of the box drawn around them (a quadrant of the modes figure, a node of the
graph), or off the page.

    /usr/bin/python3 tests/lib/svg_fit.py FILE.svg...     exit 1 naming each overflow

Needs fontconfig (fc-match) and python3-fonttools (Debian)."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

try:
    from fontTools.ttLib import TTFont
except ImportError:
    sys.exit("svg_fit.py: python3-fonttools is missing: install it (make deps)")

NS = '{http://www.w3.org/2000/svg}'
_fonts = {}


def font_for(family, bold):
    """The font file fontconfig gives for a CSS family list (first family found) and weight."""
    key = (family, bold)
    if key not in _fonts:
        fams = [f.strip().strip('\'"') for f in family.split(',')]
        pattern = ','.join(f.replace('-', '\\-') for f in fams) + (':bold' if bold else '')
        out = subprocess.run(['fc-match', '-f', '%{file}:%{index}', pattern],
                             capture_output=True, text=True, check=True).stdout
        path, index = out.rsplit(':', 1)
        font = TTFont(path, fontNumber=int(index or 0), lazy=True)
        _fonts[key] = (font, font.getBestCmap(), font['hmtx'], font['head'].unitsPerEm)
    return _fonts[key]


def text_width(s, family, size, bold):
    """Advance width in px of s, falling back to a Hangul face for what the first lacks."""
    font, cmap, hmtx, upem = font_for(family, bold)
    fb = font_for("'Noto Sans CJK KR'", bold)
    w = 0.0
    for ch in s:
        f = (cmap, hmtx, upem) if ord(ch) in cmap else fb[1:]
        g = f[0].get(ord(ch))
        w += (f[1][g][0] if g else f[2] / 2) * size / f[2]
    return w


def css_classes(root):
    """class -> (font-size px, bold) from the SVG's <style>."""
    style = ''.join(s.text or '' for s in root.iter(NS + 'style'))
    out = {}
    for sel, body in re.findall(r'([^{}]+)\{([^}]*)\}', style):
        size = re.search(r'font-size:([\d.]+)px', body)
        bold = 'font-weight:bold' in body
        for cls in re.findall(r'\.([\w-]+)', sel):
            prev = out.get(cls, (None, False))
            out[cls] = (float(size.group(1)) if size else prev[0], bold or prev[1])
    family = re.search(r'text\{font-family:([^;]+);', style)
    # the CSS rule for text, else the root's presentation attribute (the graph's)
    return out, family.group(1) if family else root.get('font-family', 'sans-serif')


def transform_of(el, parent):
    """(scale, dx, dy) mapping el's coordinates to the page: translate() and scale() of
    el and its ancestors; None for any other transform (not measured)."""
    chain = []
    while el is not None:
        chain.append(el.get('transform') or '')
        el = parent.get(el)
    k, dx, dy = 1.0, 0.0, 0.0
    for tf in chain:   # innermost first: p_outer = t(p_inner)
        for op, args in reversed(re.findall(r'(\w+)\(([^)]*)\)', tf)):
            v = [float(a) for a in re.split(r'[ ,]+', args.strip()) if a]
            if op == 'translate':
                dx, dy = dx + v[0], dy + (v[1] if len(v) > 1 else 0.0)
            elif op == 'scale' and (len(v) == 1 or v[0] == v[1]):
                k, dx, dy = k * v[0], dx * v[0], dy * v[0]
            else:
                return None
    return k, dx, dy


def check(path, slack=1.0):
    root = ET.parse(path).getroot()
    classes, family = css_classes(root)
    vb = root.get('viewBox')
    # the page is the viewBox (a slide frames a page in a larger 16:9 one)
    page_x0, page_w = (0.0, float(root.get('width'))) if not vb else \
        (float(vb.split()[0]), float(vb.split()[0]) + float(vb.split()[2]))
    parent = {c: p for p in root.iter() for c in p}
    boxes = []   # drawn boxes: quadrants of the modes figure, the graph's nodes and hosts
    for r in root.iter(NS + 'rect'):
        if r.get('class') in ('cell', 'cellon') or r.get('stroke', 'none') != 'none':
            tf = transform_of(r, parent)
            if tf is None or '%' in r.get('width', ''):
                continue
            k, dx, dy = tf
            x, y, w, h = (float(r.get(a, 0)) for a in ('x', 'y', 'width', 'height'))
            boxes.append((k * x + dx, k * y + dy, k * (x + w) + dx, k * (y + h) + dy))
    labels = []
    for t in root.iter(NS + 'text'):
        s = t.text or ''
        if not s.strip() or t.get('clip-path'):
            continue   # lane labels are clipped to their column on purpose
        size, bold = classes.get(t.get('class'), (None, False))
        # presentation attributes (the graph sets them) on the text or a group around it;
        # a class's CSS rule wins over them, as in SVG
        anc = t
        while anc is not None:
            if size is None and anc.get('font-size'):
                size = float(anc.get('font-size').replace('px', ''))
            bold = bold or anc.get('font-weight') == 'bold'
            anc = parent.get(anc)
        size = size or 11.0
        tf = transform_of(t, parent)
        if tf is None:
            continue
        k, dx, dy = tf
        w = k * text_width(s, family, size, bold)
        x, y = k * float(t.get('x', 0)) + dx, k * float(t.get('y', 0)) + dy
        anchor = t.get('text-anchor', 'start')
        x0 = x - w if anchor == 'end' else x - w / 2 if anchor == 'middle' else x
        labels.append((y, x0, x0 + w, s, size))
    bad = []
    for y, x0, x1, s, size in labels:
        if x0 < page_x0 - slack or x1 > page_w + slack:
            bad.append('off the page (%.0f..%.0f of %.0f): %r' % (x0, x1, page_w, s))
        # the smallest box around the label's start is the one it must stay in
        around = [b for b in boxes if b[0] <= x0 < b[2] and b[1] <= y <= b[3]]
        if around:
            bx0, by0, bx1, by1 = min(around, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
            if x1 > bx1 + slack:
                bad.append('out of its box by %.0f px: %r' % (x1 - bx1, s))
    labels.sort()
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            # a label's ink: from its cap height (0.75 em over the baseline) to its descent (0.2 em)
            if b[0] - 0.75 * b[4] >= a[0] + 0.2 * a[4] - slack:
                break
            lo, hi = (a, b) if a[1] <= b[1] else (b, a)
            if lo[2] > hi[1] + slack:
                where = 'the next label' if abs(b[0] - a[0]) <= 0.5 else 'a label on another line'
                bad.append('runs into %s by %.0f px: %r into %r' % (where, lo[2] - hi[1], lo[3], hi[3]))
    return bad


def main(paths):
    failed = False
    for p in paths:
        for b in check(p):
            print('%s: %s' % (p, b))
            failed = True
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
