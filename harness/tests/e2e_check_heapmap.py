#!/usr/bin/env python3
"""Checks what allocbench drew from a heap map: usage: DIR NAME [CSV].

DIR holds heapmap.html, heapmap.md and heapmap/NAME/NNNN.svg; CSV (default
DIR/heapmap/NAME.csv) is the SEGALLOC_MAP file they were drawn from. Every
picture must parse as SVG and show exactly the spans of its snapshot, by
state and kind; the page must step through exactly those pictures; the
bytes resident must be possible ones."""
import csv
import os
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def fail(msg):
    sys.exit(f"FAIL: {msg}")


def snapshots(path):
    """Rows grouped as allocbench groups them: a new snapshot when time_ms
    changes or the walk starts over (segment, first_slice not increasing)."""
    snaps, prev = [], None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (float(row["time_ms"]), int(row["segment"], 16), int(row["first_slice"]))
            if prev is None or key[0] != prev[0] or key[1:] <= prev[1:]:
                snaps.append([])
            snaps[-1].append(row)
            prev = key
    return snaps


def span_class(row):
    return row["kind"] if row["state"] == "page" else row["state"]


def check_picture(path, rows):
    root = ET.parse(path).getroot()
    if root.tag != SVG + "svg":
        fail(f"{path}: root is {root.tag}, not svg")
    drawn = {}
    for rect in root.iter(SVG + "rect"):
        cls = rect.get("class", "").split()
        if cls and cls[0] == "span":
            drawn[cls[1]] = drawn.get(cls[1], 0) + 1
    want = {}
    for row in rows:
        want[span_class(row)] = want.get(span_class(row), 0) + 1
    if drawn != want:
        fail(f"{path}: spans drawn {drawn}, snapshot has {want}")
    segments = {row["segment"] for row in rows}
    headers = sum(1 for r in root.iter(SVG + "rect") if r.get("class") == "header")
    if headers != len(segments):
        fail(f"{path}: {headers} segment headers for {len(segments)} segments")
    if not any(g.get("class") == "legend" for g in root.iter(SVG + "g")):
        fail(f"{path}: no legend")


def check_page(directory, name, count):
    html = open(os.path.join(directory, "heapmap.html")).read()
    m = re.search(r'\{name: "%s", peak: (\d+), times: \[([^\]]*)\]\}' % re.escape(name), html)
    if not m:
        fail(f"heapmap.html has no data for {name}")
    times = [t for t in m.group(2).split(",") if t.strip()]
    if len(times) != count or not 0 <= int(m.group(1)) < count:
        fail(f"heapmap.html: {len(times)} frames, peak {m.group(1)}; expected {count} frames")
    if "http" in html:
        fail("heapmap.html refers to the network")
    md = open(os.path.join(directory, "heapmap.md")).read()
    if "| **all** |" not in md or "### At the end" not in md:
        fail("heapmap.md has no table of the last snapshot")
    for pic in re.findall(r"\]\((heapmap/[^)]+\.svg)\)", md):
        if not os.path.exists(os.path.join(directory, pic)):
            fail(f"heapmap.md links a missing picture {pic}")


def check_resident(directory, snaps):
    """The resident column (absent from maps of older segalloc builds): no
    span above its own size, some bytes in RAM, heapmap.md says so, and no
    snapshot holds more than the peak RSS of the run it came from."""
    if "resident" not in snaps[0][0]:
        return
    for rows in snaps:
        for r in rows:
            if int(r["resident"]) > int(r["slices"]) * 65536:
                fail(f"span at slice {r['first_slice']} of {r['segment']}: {r['resident']} "
                     f"bytes resident in {r['slices']} slices")
    most = max(sum(int(r["resident"]) for r in rows) for rows in snaps)
    if most == 0:
        fail("no snapshot has a resident byte")
    md = open(os.path.join(directory, "heapmap.md")).read()
    if "Resident: " not in md:
        fail("heapmap.md does not say what is resident")
    results = os.path.join(directory, "results.csv")
    if os.path.exists(results):
        with open(results, newline="") as f:
            rss = [int(r["peak_rss_kib"]) * 1024 for r in csv.DictReader(f)
                   if r["allocator"] == "segalloc" and r["status"] == "ok"]
        if rss and most > max(rss):
            fail(f"a snapshot has {most} bytes resident, above the run's peak RSS {max(rss)}")


def main():
    directory, name = sys.argv[1], sys.argv[2]
    source = sys.argv[3] if len(sys.argv) > 3 else os.path.join(directory, "heapmap", name + ".csv")
    snaps = snapshots(source)
    folder = os.path.join(directory, "heapmap", name)
    pictures = sorted(f for f in os.listdir(folder) if f.endswith(".svg"))
    if pictures != [f"{i:04d}.svg" for i in range(len(snaps))]:
        fail(f"{len(snaps)} snapshots but pictures {pictures}")
    for i, rows in enumerate(snaps):
        check_picture(os.path.join(folder, pictures[i]), rows)
    check_page(directory, name, len(snaps))
    check_resident(directory, snaps)
    print(f"{name}: {len(snaps)} snapshots, pictures and page agree")


main()
