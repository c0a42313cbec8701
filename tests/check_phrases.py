#!/usr/bin/env python3
"""Independent checks of a `recur phrases --format json` report (issue 12).

Reads the JSON only (and, with --corpus, the corpus files themselves) and measures:

  contained       of the top N phrases, how many have a text (in content characters) that lies
                  inside the text or extent of another top-N phrase;
  overlaps        pairs of locations of one phrase that overlap (same file, byte ranges);
  line_breaks     phrase, extent and variant texts holding a raw line break;
  duplicate_variants  variants of one phrase whose texts are equal in content characters;
  variant_mismatch    with --corpus: variants of the top N whose `documents` differ from the
                  number of documents whose content characters contain the variant's text
                  (documents cut at lines matching --doc-split, as recur does); with
                  --within-paragraphs, documents in which one paragraph holds the text, as recur
                  matches (a paragraph ends before a blank line, a line indented with white space
                  or a ##paidbegin## marker: the layouts of ../shared/corpus);
  excluded_left   with --exclude: top-N phrases whose text is a stock phrase, part of one, or
                  one plus at most max(4, len/3) characters.

Content characters: NFKC case-folded text without punctuation, symbols and white space (letters
and digits of any script, CJK). Prints one JSON object; with --max-* options exits 1 when a
measure is over its limit.
"""
import argparse
import json
import os
import re
import sys
import unicodedata


def content(text):
    t = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in t if unicodedata.category(c)[0] in "LN")


# Where a paragraph of ../shared/corpus ends: before a blank line, a line indented with white space
# (the ideographic spaces of 001's reports, whose other lines are wrapped), or a paid-content marker.
PARAGRAPH_BREAK = re.compile(r"\n(?=[\u3000 \t])|\n\s*\n|##paidbegin##")


def documents_of(corpus, doc_split, paragraphs=False):
    """(path, document index) -> content characters of that document; with `paragraphs`, a list
    of the content characters of each of its paragraphs."""
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus)) if os.path.isdir(corpus) else [corpus]
    rx = re.compile(doc_split) if doc_split else None
    docs = {}
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        index, parts = 1, []
        for line in lines:
            if rx and rx.search(line.strip()) and parts and content("".join(parts)):
                docs[(path, index)] = "\n".join(parts)
                index, parts = index + 1, []
            parts.append(line)
        docs[(path, index)] = "\n".join(parts)
    if paragraphs:
        return {k: [content(p) for p in PARAGRAPH_BREAK.split(v)] for k, v in docs.items()}
    return {k: content(v) for k, v in docs.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--corpus", help="the corpus the report was made from (folder or file)")
    ap.add_argument("--doc-split", default="")
    ap.add_argument("--within-paragraphs", action="store_true",
                    help="count a variant's documents where one paragraph holds its text")
    ap.add_argument("--variant-top", type=int, default=30, help="phrases whose variants are recounted")
    ap.add_argument("--exclude", help="the --exclude file of the run")
    ap.add_argument("--max-contained", type=int)
    ap.add_argument("--max-overlaps", type=int)
    ap.add_argument("--max-line-breaks", type=int)
    ap.add_argument("--max-duplicate-variants", type=int)
    ap.add_argument("--max-variant-mismatch", type=int)
    ap.add_argument("--max-excluded-left", type=int)
    a = ap.parse_args()

    with open(a.report, encoding="utf-8") as f:
        report = json.load(f)
    phrases = report["phrases"]
    top = phrases[: a.top]
    texts = [content(p["text"]) for p in top]
    extents = [content(p.get("extent", p["text"])) for p in top]
    contained = []
    for i, t in enumerate(texts):
        hosts = [j for j in range(len(top)) if j != i and (t in texts[j] or t in extents[j]) and
                 not (texts[j] == t and j > i)]
        if hosts:
            contained.append({"id": top[i]["id"], "in": [top[j]["id"] for j in hosts]})

    overlaps = 0
    for p in phrases:
        by_path = {}
        for loc in p["locations"]:
            by_path.setdefault(loc["path"], []).append((loc["byte_start"], loc["byte_end"]))
        for spans in by_path.values():
            spans.sort()
            for k in range(1, len(spans)):
                # every earlier span reaching past this start overlaps it
                overlaps += sum(1 for s in spans[:k] if s[1] > spans[k][0])

    line_breaks = 0
    duplicate_variants = 0
    for p in phrases:
        shown = [p["text"], p.get("extent", "")] + [v["text"] for v in p["variants"]]
        line_breaks += sum(1 for t in shown if "\n" in t or "\r" in t)
        seen = [content(v["text"]) for v in p["variants"]]
        duplicate_variants += len(seen) - len(set(seen))

    out = {"phrases": len(phrases), "top": len(top), "contained": len(contained), "contained_ids": contained,
           "overlaps": overlaps, "line_breaks": line_breaks, "duplicate_variants": duplicate_variants}

    if a.corpus:
        docs = documents_of(a.corpus, a.doc_split, a.within_paragraphs)
        mismatch, checked, examples = 0, 0, []
        for p in phrases[: a.variant_top]:
            for v in p["variants"]:
                t = content(v["text"])
                if a.within_paragraphs:
                    n = sum(1 for d in docs.values() if any(t in para for para in d))
                else:
                    n = sum(1 for d in docs.values() if t in d)
                checked += 1
                if n != v["documents"]:
                    mismatch += 1
                    if len(examples) < 5:
                        examples.append({"phrase": p["id"], "variant": v["text"], "reported": v["documents"], "counted": n})
        out.update(variants_checked=checked, variant_mismatch=mismatch, variant_mismatch_examples=examples)

    if a.exclude:
        with open(a.exclude, encoding="utf-8") as f:
            stock = [content(l) for l in f.read().splitlines() if l.strip() and not l.startswith("#")]
        stock = [s for s in stock if s]
        left = [p["id"] for p, t in zip(top, texts)
                if any(t in s or (s in t and len(t) - len(s) <= max(4, len(s) // 3)) for s in stock)]
        out.update(excluded_left=len(left), excluded_left_ids=left)

    print(json.dumps(out, ensure_ascii=False, indent=1))
    failed = False
    for key in ("contained", "overlaps", "line_breaks", "duplicate_variants", "variant_mismatch", "excluded_left"):
        limit = getattr(a, "max_" + key)
        if limit is not None and out.get(key, 0) > limit:
            print(f"check_phrases: {key} = {out[key]} > {limit}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
