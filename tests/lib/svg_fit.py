#!/usr/bin/python3
"""Measure every label of an ipctrace SVG with the fonts a renderer would use
(fontconfig picks them, fontTools reads their advance widths) and report the
labels that run out of their box: into the next label on the same line, out
of their quadrant of the modes figure, or off the page.

    /usr/bin/python3 tests/lib/svg_fit.py FILE.svg...     exit 1 naming each overflow

Needs fontconfig (fc-match) and python3-fonttools (Debian)."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from fontTools.ttLib import TTFont

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
    return out, family.group(1) if family else 'sans-serif'


def check(path, slack=1.0):
    root = ET.parse(path).getroot()
    classes, family = css_classes(root)
    vb = root.get('viewBox')
    # the page is the viewBox (a slide frames a page in a larger 16:9 one)
    page_x0, page_w = (0.0, float(root.get('width'))) if not vb else \
        (float(vb.split()[0]), float(vb.split()[0]) + float(vb.split()[2]))
    parent = {c: p for p in root.iter() for c in p}
    boxes = []   # quadrant cells of the modes figure
    for r in root.iter(NS + 'rect'):
        if r.get('class') in ('cell', 'cellon'):
            x, y, w, h = (float(r.get(k)) for k in ('x', 'y', 'width', 'height'))
            boxes.append((x, y, x + w, y + h))
    labels = []
    for t in root.iter(NS + 'text'):
        s = t.text or ''
        if not s.strip() or t.get('clip-path'):
            continue   # lane labels are clipped to their column on purpose
        size, bold = classes.get(t.get('class'), (11.0, False))
        w = text_width(s, family, size or 11.0, bold)
        x, y = float(t.get('x')), float(t.get('y'))
        anchor = t.get('text-anchor', 'start')
        x0 = x - w if anchor == 'end' else x - w / 2 if anchor == 'middle' else x
        labels.append((y, x0, x0 + w, s, size or 11.0))
    bad = []
    for y, x0, x1, s, size in labels:
        if x0 < page_x0 - slack or x1 > page_w + slack:
            bad.append('off the page (%.0f..%.0f of %.0f): %r' % (x0, x1, page_w, s))
        for bx0, by0, bx1, by1 in boxes:
            if bx0 <= x0 < bx1 and by0 <= y <= by1 and x1 > bx1 + slack:
                bad.append('out of its quadrant by %.0f px: %r' % (x1 - bx1, s))
    labels.sort()
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if b[0] - a[0] > 0.5:
                break
            lo, hi = (a, b) if a[1] <= b[1] else (b, a)
            if lo[2] > hi[1] + slack:
                bad.append('runs into the next label by %.0f px: %r into %r' % (lo[2] - hi[1], lo[3], hi[3]))
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
