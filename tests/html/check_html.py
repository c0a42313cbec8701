#!/usr/bin/env python3
"""Browser tests of recur's HTML reports (`--format html`), in headless Chromium.

Writes HTML reports (report, phrases, compare, query) of examples/reports, of hostile text,
of ../shared/corpus when it is there, and a synthetic report of 100,000 clusters; checks each file
as text (one self-contained file, no network reference, the embedded data equal to --format json),
then opens it in Chromium through the DevTools protocol (tests/html/cdp.py) and checks:
  - no console error, uncaught exception or blocked request, and no request but the file itself;
  - clusters, phrases and passages are in the DOM, never more than a few thousand elements;
  - real mouse clicks: list -> cluster view with highlighted differences, heat map -> filtered list,
    phrase row -> variants and locations, compare passage -> its partner scrolled into view,
    query -> its sources -> a source's passages;
  - typing into the search box filters the list.
Screenshots and summary.json go to --out (build/html-artifacts). Exit status 1 if a check failed.

  python3 tests/html/check_html.py [--recur build/recur] [--out build/html-artifacts]
                                   [--corpus ../shared/corpus] [--scale 100000] [--chromium chromium]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The data: the first element has the id, every element the class; their texts joined are the JSON.
DATA_RE = re.compile(r'<script type="application/json" id="recur-data" class="recur-data">(.*?)</script>'
                     r'((?:\n<script type="application/json" class="recur-data">.*?</script>)*)', re.S)
CHUNK_RE = re.compile(r'<script type="application/json" class="recur-data">(.*?)</script>', re.S)
MAX_ELEMENTS = 6000  # a view never draws more DOM elements than this, whatever the report's size

# What would make the page reach the network, outside the embedded data.
NETWORK = [
    (re.compile(r"https?:(?!-)", re.I), "an http(s) address"),
    (re.compile(r"http(?!-equiv=\"Content-Security-Policy\")", re.I), "'http' other than the CSP meta"),
    (re.compile(r"\b(?:ftp|wss?|file):/", re.I), "an ftp/ws/file address"),
    (re.compile(r"//[A-Za-z0-9-]+\.[A-Za-z0-9.-]+"), "a protocol-relative address"),
    (re.compile(r"\burl\s*\(", re.I), "a CSS url()"),
    (re.compile(r"@import", re.I), "a CSS @import"),
    (re.compile(r"@font-face", re.I), "a web font"),
    (re.compile(r"\bsrc\s*=", re.I), "a src attribute"),
    (re.compile(r"\bhref\s*=\s*\"(?!#|data:)", re.I), "an href to another document"),
    (re.compile(r"\b(?:fetch|XMLHttpRequest|WebSocket|EventSource|importScripts|sendBeacon)\b"), "a network API"),
]


class Checks:
    def __init__(self, out):
        self.out = out
        self.results = []
        self.summary = {}

    def run(self, name, fn, *args):
        t0 = time.monotonic()
        try:
            fn(*args)
            self.results.append((name, True, ""))
            print("PASS %-38s %.1f s" % (name, time.monotonic() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the next check runs
            detail = "%s: %s" % (type(e).__name__, e)
            if not isinstance(e, (AssertionError, cdp.CdpError)):
                detail += "\n" + traceback.format_exc()
            self.results.append((name, False, detail))
            print("FAIL %-38s %s" % (name, detail), flush=True)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def recur(args, binary):
    r = subprocess.run([binary, *args, "-q"], cwd=ROOT, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("recur %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace")))


def embedded(path):
    """The page, and the match of its data elements: group(1) the first one's text, group(2) the others."""
    with open(path, encoding="utf-8") as f:
        html = f.read()
    m = DATA_RE.search(html)
    check(m, path + ": no <script id=recur-data>")
    return html, m


def data_text(m):
    return m.group(1) + "".join(CHUNK_RE.findall(m.group(2)))


def drop_timings(j):
    j = json.loads(json.dumps(j))
    if isinstance(j.get("stats"), dict):
        j["stats"].pop("seconds", None)
    return j


def static_checks(path, json_path=None):
    """One file: self-contained, no network reference outside the data, data intact and inert."""
    html, m = embedded(path)
    data, rest = data_text(m), html[:m.start()] + html[m.end():]
    check(html.startswith('<!DOCTYPE html>\n<html lang="zh-CN" data-recur="'), "signature at the start")
    check("<" not in data, "the data holds a raw '<' (every '<' must be written \\u003c)")
    check(len(DATA_RE.findall(html)) == 1, "one run of data elements")
    check(rest.count("<script") == 1, "one script element besides the data, found %d" % rest.count("<script"))
    check("default-src 'none'" in rest, "the Content-Security-Policy forbidding every request")
    for rx, what in NETWORK:
        hit = rx.search(rest)
        check(not hit, "%s in the page: ...%s..." % (what, rest[max(0, hit.start() - 40):hit.end() + 40] if hit else ""))
    parsed = json.loads(data)
    if json_path:
        with open(json_path, encoding="utf-8") as f:
            want = json.load(f)
        check(drop_timings(parsed) == drop_timings(want), "the embedded data differs from --format json")
    return parsed


# ------------------------------------------------------------------------------------------------
# browser helpers

def open_page(browser, path, timeout=120):
    page = browser.page()
    t0 = time.monotonic()
    page.navigate("file://" + os.path.abspath(path))
    page.wait_for("document.documentElement.dataset.ready || document.documentElement.dataset.errors", timeout)
    page.load_seconds = time.monotonic() - t0
    no_errors(page)
    return page


def no_errors(page):
    errs = page.errors()
    attr = page.evaluate("document.documentElement.dataset.errors || ''")
    check(not errs and not attr, "errors in the page: %s %s" % (errs, attr))
    reqs = [u for u in page.requests() if not u.startswith("data:")]
    check(len(reqs) <= 1 and all(u.startswith("file://") for u in reqs), "requests besides the file: %s" % reqs)


def show(page, fragment, view, timeout=60):
    page.evaluate("location.hash = %s" % json.dumps(fragment))
    page.wait_for("document.documentElement.dataset.ready === %s" % json.dumps(view), timeout)


def count(page, selector):
    return page.evaluate("document.querySelectorAll(%s).length" % json.dumps(selector))


def elements(page):
    return page.evaluate("document.getElementsByTagName('*').length")


def click_heat_cell(page):
    """A real click on the first filled cell of the heat map (SVG, or canvas for dense maps)."""
    if count(page, "svg.heatmap rect.cell"):
        page.click("svg.heatmap rect.cell", 0)
        return
    pos = page.evaluate("(() => { const c = document.querySelector('canvas.heatmap'); c.scrollIntoView({block: 'center'});"
                        " const b = c.getBoundingClientRect(), f = c.dataset.firstCell.split(',').map(Number);"
                        " return [b.left + f[0], b.top + f[1]]; })()")
    page.click_at(*pos)


def shot(page, checks, name):
    page.screenshot(os.path.join(checks.out, name + ".png"))


# ------------------------------------------------------------------------------------------------
# the checks

def check_report(browser, checks, name, path, data, search=True):
    page = open_page(browser, path)
    try:
        clusters = data["clusters"]
        check(page.evaluate("document.documentElement.dataset.ready") == "overview", "opens on the overview")
        check(count(page, "svg.histogram rect.bar") > 0, "similarity histogram drawn")
        docs = {(m["path"], m["document_index"]) for c in clusters for m in c["members"]}
        if len(docs) >= 2 and clusters:
            check(count(page, "svg.heatmap rect.cell") > 0 or page.evaluate(
                "!!(document.querySelector('canvas.heatmap') || {dataset: {}}).dataset.firstCell"), "heat map cells drawn")
        check(elements(page) < MAX_ELEMENTS, "overview has %d elements" % elements(page))
        shot(page, checks, name + "-overview")
        checks.summary[name] = {"clusters": len(clusters), "documents": len(docs), "load_seconds": round(page.load_seconds, 2),
                                "setup_ms": int(page.evaluate("document.documentElement.dataset.setupMs") or 0)}

        show(page, "#clusters", "clusters")
        rows = count(page, ".cluster-row")
        check(rows == min(50, len(clusters)), "%d cluster rows for %d clusters" % (rows, len(clusters)))
        check(elements(page) < MAX_ELEMENTS, "list has %d elements" % elements(page))
        shot(page, checks, name + "-clusters")

        # A real click from the list to the first cluster of the page with an edited member.
        target = next((k for k, c in enumerate(clusters[:50]) if any(m["similarity"] < 1 for m in c["members"])), None)
        if target is not None:
            cid = clusters[target]["id"]
            page.click(".cluster-row", target)
            page.wait_for("document.documentElement.dataset.ready === 'cluster'")
            check(page.evaluate("location.hash") == "#cluster=%d" % cid, "the click opened cluster %d" % cid)
            pairs = count(page, "#members .pair")
            check(pairs == min(40, len(clusters[target]["members"]) - 1), "%d member pairs shown" % pairs)
            marks = count(page, "#members ins") + count(page, "#members del")
            check(marks > 0, "highlighted differences shown")
            check(page.evaluate("document.querySelector('.rep .text').textContent") ==
                  clusters[target]["members"][0]["text"], "the representative's text, as written")
            locs = page.evaluate("Array.from(document.querySelectorAll('#members .loc')).map(e => e.textContent)")
            m1 = clusters[target]["members"][1]
            check("%s:%d" % (m1["path"], m1["line"]) in locs[0], "file:line of the member: %s" % locs[0])
            if m1["document"] != m1["path"]:
                check(m1["document"].strip() in locs[0], "document title of the member")
            checks.summary[name]["clicked_cluster"] = cid
            checks.summary[name]["highlighted_runs"] = marks
            shot(page, checks, name + "-cluster")
            # back to the list with the browser's history
            page.evaluate("history.back()")
            page.wait_for("document.documentElement.dataset.ready === 'clusters'")

        # filters in the fragment: at least 3 members, a member at least 0.9 similar
        show(page, "#clusters?size=3&sim=0.9", "clusters")
        want = sum(1 for c in clusters if len(c["members"]) >= 3 and
                   max(m["similarity"] for k, m in enumerate(c["members"]) if k != c["representative"]) >= 0.9 - 1e-9)
        check(page.evaluate("document.querySelector('.pager').textContent").replace(",", "").find("%d clusters" % want) >= 0,
              "size and similarity filters: %d clusters expected, pager says %s" %
              (want, page.evaluate("document.querySelector('.pager').textContent")))
        # the document filter: choose the first document of the list
        show(page, "#clusters", "clusters")
        if len(docs) >= 2 and len(docs) <= 500:
            label = page.evaluate("(() => { const s = document.querySelector('.filters select'); s.selectedIndex = 1;"
                                  " s.dispatchEvent(new Event('change')); return s.options[1].textContent; })()")
            page.wait_for("location.hash.indexOf('doc=') >= 0")
            named = {(m["path"], m["document_index"]) for c in clusters for m in c["members"]
                     if (m["document"].strip() if m["document"] != m["path"] else os.path.basename(m["path"])) == label}
            want = sum(1 for c in clusters if any((m["path"], m["document_index"]) in named for m in c["members"]))
            if len(named) == 1:
                rows = count(page, ".cluster-row")
                check(rows == min(50, want), "document %s: %d rows, %d clusters expected" % (label, rows, want))
                checks.summary[name]["document_filter"] = {"document": label, "clusters": want}
        show(page, "#clusters", "clusters")

        if search and clusters:
            text = clusters[min(len(clusters) - 1, 2)]["members"][0]["text"].strip()
            word = text[:4]
            page.type_text(".filters input[type=search]", word)
            page.wait_for("location.hash.indexOf('q=') >= 0 && document.querySelectorAll('mark.hit').length > 0", 60)
            want = sum(1 for c in clusters if any(word.lower() in (m["text"] + "\n" + m["document"] + "\n" + m["path"]).lower()
                                                  for m in c["members"]))
            rows = count(page, ".cluster-row")
            check(rows == min(50, want), "search %r: %d rows, %d clusters match" % (word, rows, want))
            shot(page, checks, name + "-search")

        if len(docs) >= 2 and clusters:
            show(page, "#overview", "overview")
            click_heat_cell(page)
            page.wait_for("document.documentElement.dataset.ready === 'clusters' && location.hash.indexOf('doc2=') >= 0")
            check(count(page, ".cluster-row") > 0, "the heat map cell lists clusters")
        no_errors(page)
    finally:
        page.close()


def check_phrases(browser, checks, name, path, data):
    page = open_page(browser, path)
    try:
        phrases = data["phrases"]
        check(count(page, "svg.histogram rect.bar") > 0, "histograms drawn")
        shot(page, checks, name + "-overview")
        show(page, "#phrases", "phrases")
        rows = count(page, ".phrase-row")
        check(rows == min(50, len(phrases)), "%d phrase rows for %d phrases" % (rows, len(phrases)))
        check(elements(page) < MAX_ELEMENTS, "list has %d elements" % elements(page))
        shot(page, checks, name + "-phrases")
        if phrases:
            k = next((i for i, p in enumerate(phrases[:50]) if len(p["variants"]) > 1), 0)
            page.click(".phrase-row", k)
            page.wait_for("document.documentElement.dataset.ready === 'phrase'")
            check(page.evaluate("location.hash") == "#phrase=%d" % phrases[k]["id"], "the click opened the phrase")
            check(count(page, "#variant-table tr") == len(phrases[k]["variants"]) + 1, "every variant listed")
            locs = count(page, "#location-table tr.location")
            check(locs == min(80, len(phrases[k]["locations"])), "%d locations listed" % locs)
            if len(phrases[k]["variants"]) > 1:
                check(count(page, "#variant-table ins") + count(page, "#variant-table del") > 0, "variant differences marked")
            shot(page, checks, name + "-phrase")
        checks.summary[name] = {"phrases": len(phrases), "load_seconds": round(page.load_seconds, 2)}
        no_errors(page)
    finally:
        page.close()


def check_compare(browser, checks, name, path, data):
    page = open_page(browser, path)
    try:
        ps = data["passages"]
        check(page.evaluate("document.documentElement.dataset.ready") == "passages", "opens on the passages")
        check(count(page, "#col-a .passage") == len(ps) and count(page, "#col-b .passage") == len(ps),
              "every passage on both sides")
        check(count(page, "svg.map rect.p, svg.map rect.t") == 2 * len(ps), "both coverage strips")
        shot(page, checks, name + "-passages")
        if ps:
            visible = ("(() => { const c = document.getElementById(%s), e = c.querySelector('.passage[data-n=\"%d\"]');"
                       " const r = e.getBoundingClientRect(), b = c.getBoundingClientRect();"
                       " return e.classList.contains('active') && r.top >= b.top - 1 && r.top < b.bottom; })()")
            last = len(ps) - 1
            page.click("#col-a .passage", last)
            page.wait_for(visible % (json.dumps("col-b"), last + 1), 10)
            check(page.evaluate("location.hash") == "#passage=%d" % (last + 1), "the fragment names the passage")
            first_b = page.evaluate("document.querySelector('#col-b .passage').dataset.n")
            page.click("#col-b .passage", 0)
            page.wait_for(visible % (json.dumps("col-a"), int(first_b)), 10)
            shot(page, checks, name + "-clicked")
            if any(not p["kind"] == "exact" for p in ps):
                check(count(page, ".passage ins") + count(page, ".passage del") > 0, "edits highlighted")
        checks.summary[name] = {"passages": len(ps), "coverage": data["coverage"], "load_seconds": round(page.load_seconds, 2)}
        no_errors(page)
    finally:
        page.close()


def check_query(browser, checks, name, path, data):
    page = open_page(browser, path)
    try:
        qs = data["queries"]
        check(page.evaluate("document.documentElement.dataset.ready") == "queries", "opens on the queries")
        rows = count(page, ".query-row")
        check(rows == min(50, len(qs)), "%d query rows for %d queries" % (rows, len(qs)))
        shot(page, checks, name + "-queries")
        k = next((i for i, q in enumerate(qs[:50]) if q["sources"]), None)
        check(k is not None, "a query with sources")
        page.click(".query-row", k)
        page.wait_for("document.documentElement.dataset.ready === 'query'")
        q = qs[k]
        check(count(page, ".source-row") == len(q["sources"]), "every source listed")
        ps = q["sources"][0]["passages"]
        check(count(page, "#col-a .passage") == len(ps) and count(page, "#col-b .passage") == len(ps),
              "the first source's passages on both sides")
        if len(q["sources"]) > 1:
            page.click(".source-row", 1)
            page.wait_for("document.documentElement.dataset.ready === 'query' && location.hash.indexOf('source=2') >= 0")
            ps = q["sources"][1]["passages"]
            check(count(page, "#col-a .passage") == len(ps), "the second source's passages")
        page.click("#col-a .passage", len(ps) - 1)
        page.wait_for("(() => { const c = document.getElementById('col-b'), e = c.querySelector('.passage[data-n=\"%d\"]');"
                      " const r = e.getBoundingClientRect(), b = c.getBoundingClientRect();"
                      " return e.classList.contains('active') && r.top >= b.top - 1 && r.top < b.bottom; })()" % len(ps), 10)
        check(page.evaluate("location.hash").find("passage=%d" % len(ps)) >= 0, "the fragment names the passage")
        shot(page, checks, name + "-query")
        checks.summary[name] = {"queries": len(qs), "sources_of_first": len(q["sources"]),
                                "load_seconds": round(page.load_seconds, 2)}
        no_errors(page)
    finally:
        page.close()


def check_hostile(browser, checks, path, data):
    """Report text that looks like markup stays text: no script runs, nothing is fetched."""
    page = open_page(browser, path)
    try:
        check(page.evaluate("document.querySelectorAll('script:not(.recur-data)').length") == 1,
              "no script element added by report text")
        check(page.evaluate("document.title").startswith("recur report"), "the title was not changed by report text")
        show(page, "#cluster=1", "cluster")
        text = page.evaluate("document.querySelector('.rep .text').textContent")
        check(text == data["clusters"][0]["members"][0]["text"], "the hostile text is shown as written")
        check("</script>" in text and "<!--" in text, "markup characters shown as text")
        check(count(page, "img") == 0 and count(page, "#members script") == 0, "no element from report text")
        shot(page, checks, "hostile-cluster")
        # searching for markup and URL-like characters (the fragment keeps them escaped)
        for word in ("</script>", "<!-- x -->", "x.js，都"):
            page.evaluate("location.hash = '#clusters?q=' + encodeURIComponent(%s)" % json.dumps(word))
            page.wait_for("document.documentElement.dataset.ready === 'clusters' && "
                          "document.querySelector('.filters input[type=search]').value === %s" % json.dumps(word))
            check(count(page, ".cluster-row") == 1 and count(page, "mark.hit") >= 1, "search for %r finds the cluster" % word)
        no_errors(page)
    finally:
        page.close()


def synthetic_report(template_html, n_clusters, seed=7):
    """The examples' page with a generated report of n_clusters clusters spliced in as its data."""
    rnd = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    files = ["synthetic/%03d.txt" % i for i in range(40)]
    clusters = []
    for cid in range(1, n_clusters + 1):
        base = [rnd.choice(alphabet) for _ in range(rnd.randint(30, 70))]
        members = []
        for k in range(rnd.choice((2, 2, 2, 3, 3, 4))):
            t = list(base)
            if k:
                for _ in range(rnd.randint(0, 6)):
                    t[rnd.randrange(len(t))] = rnd.choice(alphabet)
            f = rnd.randrange(len(files))
            doc = rnd.randint(1, 5)
            line = rnd.randint(1, 5000)
            members.append({"path": files[f], "document": "第%d号报告 %d" % (f, doc), "document_index": doc,
                            "paragraph": line, "line": line, "line_end": line, "byte_start": line * 300,
                            "byte_end": line * 300 + 3 * len(t), "similarity": 1.0 if k == 0 else round(rnd.uniform(0.5, 1), 6),
                            "text": "".join(t)})
        clusters.append({"id": cid, "size": len(members), "representative": 0, "members": members})
    data = {"recur_version": "synthetic", "options": {"threshold": 0.5},
            "stats": {"files": len(files), "files_read": len(files), "files_skipped": 0, "documents": 200,
                      "paragraphs": 10 * n_clusters, "clusters": n_clusters,
                      "clustered_paragraphs": sum(len(c["members"]) for c in clusters)},
            "skipped": [], "warnings": [], "clusters": clusters}
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    step = 1 << 20  # elements of about a megabyte, as recur writes them
    chunks = [body[i:i + step] for i in range(0, len(body), step)]
    elements = '<script type="application/json" id="recur-data" class="recur-data">' + chunks[0] + "</script>" + "".join(
        '\n<script type="application/json" class="recur-data">' + c + "</script>" for c in chunks[1:])
    m = DATA_RE.search(template_html)
    return template_html[:m.start()] + elements + template_html[m.end():], data


def check_scale(browser, checks, path, data):
    page = open_page(browser, path, timeout=300)
    try:
        s = checks.summary["scale"] = {"clusters": len(data["clusters"]), "bytes": os.path.getsize(path),
                                       "load_seconds": round(page.load_seconds, 2),
                                       "setup_ms": int(page.evaluate("document.documentElement.dataset.setupMs") or 0),
                                       "overview_draw_ms": int(page.evaluate("document.documentElement.dataset.drawMs") or 0)}
        check(elements(page) < MAX_ELEMENTS, "overview has %d elements" % elements(page))
        shot(page, checks, "scale-overview")
        click_heat_cell(page)
        page.wait_for("document.documentElement.dataset.ready === 'clusters' && location.hash.indexOf('doc2=') >= 0", 120)
        check(count(page, ".cluster-row") > 0, "the heat map (canvas) cell lists clusters")
        t0 = time.monotonic()
        show(page, "#clusters?page=1000", "clusters", 120)
        s["list_page_1000_seconds"] = round(time.monotonic() - t0, 2)
        check(count(page, ".cluster-row") == 50, "50 rows on page 1000")
        check(elements(page) < MAX_ELEMENTS, "list has %d elements" % elements(page))
        check(page.evaluate("document.querySelector('.cluster-row').dataset.id") == str(data["clusters"][49950]["id"]),
              "page 1000 starts at cluster 49951")
        page.click(".cluster-row", 10)
        page.wait_for("document.documentElement.dataset.ready === 'cluster'", 60)
        check(count(page, "#members .pair") >= 1, "a cluster of the big report opens")
        word = data["clusters"][77777]["members"][0]["text"][10:16]
        t0 = time.monotonic()
        show(page, "#clusters?q=" + word, "clusters", 120)
        s["search_seconds"] = round(time.monotonic() - t0, 2)
        check(page.evaluate("document.querySelector('.cluster-row') && document.querySelector('.cluster-row').dataset.id") ==
              str(next(c["id"] for c in data["clusters"] if any(word in m["text"] for m in c["members"]))),
              "search finds the cluster holding %s" % word)
        shot(page, checks, "scale-search")
        check(page.load_seconds < 60, "a report of %d clusters opens in %.1f s (limit 60 s)" % (len(data["clusters"]), page.load_seconds))
        no_errors(page)
    finally:
        page.close()


# ------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recur", default=os.path.join(ROOT, "build", "recur"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "html-artifacts"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--scale", type=int, default=100000, help="clusters of the synthetic report (0: none)")
    ap.add_argument("--chromium", default="chromium")
    a = ap.parse_args()
    binary = os.path.abspath(a.recur)
    os.makedirs(a.out, exist_ok=True)
    out = os.path.abspath(a.out)
    checks = Checks(out)

    def o(name):
        return os.path.join(out, name)

    ex = os.path.join(ROOT, "examples", "reports")
    made = []  # (check name, kind, html, json)

    def make(label, kind, args):
        recur([kind, *args, "--format", "html", "-o", o(label + ".html")], binary)
        recur([kind, *args, "--format", "json", "-o", o(label + ".json")], binary)
        made.append((label, kind, o(label + ".html"), o(label + ".json")))

    make("examples-report", "report", [ex])
    make("examples-phrases", "phrases", [ex])
    make("examples-compare", "compare", [os.path.join(ex, "jiangcheng.txt"), os.path.join(ex, "yunshan.txt")])
    scratch = tempfile.mkdtemp(prefix="recur-html-")  # archives and hostile text; removed at the end
    archive = os.path.join(scratch, "examples.db")
    recur(["index", "add", archive, *(os.path.join(ex, f) for f in ("haiyang.txt", "qinghe.txt", "yunshan.txt"))], binary)
    make("examples-query", "query", [archive, os.path.join(ex, "jiangcheng.txt")])

    hostile = os.path.join(scratch, "hostile")
    os.makedirs(hostile)
    evil = ("本段落里有脚本</script><script>document.title='pwned'</script>、注释<!-- x -->、"
            "图片<img src=x onerror=alert(1)>和地址https://evil.example/x.js，都应当原样显示为文字。")
    for name, city in (("a.txt", "海阳"), ("b.txt", "江城")):
        with open(os.path.join(hostile, name), "w", encoding="utf-8") as f:
            f.write(evil + "\n" + city + "市坚持把学习贯彻党的二十大精神作为首要政治任务，持续深化理论武装。\n")
    recur(["report", hostile, "--format", "html", "-o", o("hostile-report.html")], binary)

    corpus = os.path.abspath(a.corpus)
    have_corpus = os.path.isdir(corpus)
    if have_corpus:
        opts = ["--doc-split", "综述$", "--strip", "##paid(begin|end)##"]
        make("corpus-report", "report", [corpus, *opts])
        make("corpus-phrases", "phrases", [corpus, *opts])
        # compare the two documents of the compilation that share the most clustered text
        with open(o("corpus-report.json"), encoding="utf-8") as f:
            rep = json.load(f)
        shared = {}
        for c in rep["clusters"]:
            ds = sorted({(m["path"], m["document_index"]) for m in c["members"]})
            for i in range(len(ds)):
                for j in range(i + 1, len(ds)):
                    if ds[i][0] == ds[j][0] and ds[i][1] > 1:
                        shared[(ds[i], ds[j])] = shared.get((ds[i], ds[j]), 0) + sum(len(m["text"]) for m in c["members"])
        (pa, da), (pb, db) = max(shared, key=lambda k: (shared[k], k))
        make("corpus-compare", "compare", ["%s#%d" % (pa, da), "%s#%d" % (pb, db), *opts])
        checks.summary["corpus-compare-texts"] = ["%s#%d" % (pa, da), "%s#%d" % (pb, db)]
        # query: the compilation (76 reports) archived, the other files of the corpus as queries
        files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".txt"))
        big = max(files, key=os.path.getsize)
        corpus_archive = os.path.join(scratch, "corpus.db")
        recur(["index", "add", corpus_archive, big, *opts], binary)
        make("corpus-query", "query", [corpus_archive, *[f for f in files if f != big]])
    else:
        print("note: %s not found; the corpus checks are skipped" % corpus)

    parsed = {}
    for label, kind, html, js in made:
        checks.run("static " + label, lambda h=html, j=js, l=label: parsed.__setitem__(l, static_checks(h, j)))
    checks.run("static hostile-report", lambda: parsed.__setitem__("hostile-report", static_checks(o("hostile-report.html"))))

    def deterministic():
        again = o("examples-report-again.html")
        recur(["report", ex, "--format", "html", "-o", again], binary)
        a1, a2 = embedded(o("examples-report.html")), embedded(again)
        strip = lambda m: m.string[:m.start()] + m.string[m.end():]  # noqa: E731
        check(strip(a1[1]) == strip(a2[1]), "the page around the data is the same on every run")
        os.remove(again)
    checks.run("static deterministic page", deterministic)

    scale_path = None
    if a.scale > 0:
        with open(o("examples-report.html"), encoding="utf-8") as f:
            template = f.read()
        html, sdata = synthetic_report(template, a.scale)
        scale_path = o("scale-report.html")
        with open(scale_path, "w", encoding="utf-8") as f:
            f.write(html)

    with cdp.Browser(a.chromium) as browser:
        for label, kind, html, js in made:
            if label not in parsed:
                continue
            fn = {"report": check_report, "phrases": check_phrases, "compare": check_compare, "query": check_query}[kind]
            checks.run("browser " + label, fn, browser, checks, label, html, parsed[label])
        if "hostile-report" in parsed:
            checks.run("browser hostile-report", check_hostile, browser, checks, o("hostile-report.html"), parsed["hostile-report"])
        if scale_path:
            checks.run("browser scale-report (%d clusters)" % a.scale, check_scale, browser, checks, scale_path, sdata)
            os.remove(scale_path)  # 100 MB: the screenshots tell the story

    shutil.rmtree(scratch, ignore_errors=True)
    with open(o("summary.json"), "w", encoding="utf-8") as f:
        json.dump({"results": [{"check": n, "ok": ok, "detail": d} for n, ok, d in checks.results],
                   "summary": checks.summary}, f, ensure_ascii=False, indent=2)
    failed = [n for n, ok, _ in checks.results if not ok]
    print("%d checks, %d failed%s; screenshots in %s" % (len(checks.results), len(failed),
                                                        (": " + ", ".join(failed)) if failed else "", out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
