#!/usr/bin/env python3
"""How dense a corpus's reuse is: what `recur synth`'s density options are compared with.

usage: density.py REPORT.json CORPUS_DIR [--truth TRUTH.jsonl] [--sample N] [--seed S]

From recur's own stats (REPORT.json, `recur report --format json`): candidate pairs and verified
pairs per indexed paragraph, and the share of indexed paragraphs that are in clusters.
From the texts: the Jaccard distribution of unrelated pairs of paragraphs, over all pairs of a
random sample of N paragraphs (lines with at least 10 CJK characters) of CORPUS_DIR/**.txt.
Shingles are CJK character bigrams (recur's default for Chinese text, punctuation skipped).
A pair is unrelated when the truth puts its paragraphs in no common family, or, without a truth,
when its Jaccard is below the report's threshold (near-duplicates are not "unrelated").
"""
import argparse, glob, json, os, random, sys

def cjk(c):
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF or 0xF900 <= o <= 0xFAFF

def bigrams(line):
    cs = [c for c in line if cjk(c)]
    return frozenset(a + b for a, b in zip(cs, cs[1:])), len(cs)

ap = argparse.ArgumentParser()
ap.add_argument('report'); ap.add_argument('corpus')
ap.add_argument('--truth'); ap.add_argument('--sample', type=int, default=2000)
ap.add_argument('--seed', type=int, default=1)
a = ap.parse_args()
r = json.load(open(a.report)); s = r['stats']
n = s['paragraphs_indexed']
threshold = r['options']['threshold']
out = {
    'paragraphs_indexed': n,
    'candidates_per_paragraph': s['candidate_pairs'] / n,
    'verified_per_paragraph': s['verified_pairs'] / n,
    'clustered_share': s['clustered_paragraphs'] / n,
}
family = {}
if a.truth:
    for line in open(a.truth):
        t = json.loads(line); family[(os.path.basename(t['path']), t['line'])] = t['family']
paras = []
for f in sorted(glob.glob(os.path.join(a.corpus, '**', '*.txt'), recursive=True)):
    with open(f, encoding='utf-8', errors='replace') as fh:
        for i, line in enumerate(fh, 1):
            g, chars = bigrams(line)
            if chars >= 10: paras.append((os.path.basename(f), i, g))
rng = random.Random(a.seed)
sample = rng.sample(paras, min(a.sample, len(paras)))
js = []
for i in range(len(sample)):
    fi, li, gi = sample[i]
    for j in range(i + 1, len(sample)):
        fj, lj, gj = sample[j]
        inter = len(gi & gj)
        jac = inter / (len(gi) + len(gj) - inter) if gi or gj else 1.0
        if a.truth:
            f1, f2 = family.get((fi, li)), family.get((fj, lj))
            if f1 is not None and f1 == f2: continue
        elif jac >= threshold:
            continue
        js.append(jac)
js.sort()
q = lambda p: js[min(len(js) - 1, int(p * len(js)))]
out['unrelated_pairs_sampled'] = len(js)
out['unrelated_jaccard'] = {
    'mean': sum(js) / len(js), 'p50': q(0.5), 'p99': q(0.99), 'p99.9': q(0.999), 'max': js[-1],
    'share_ge_0.1': sum(x >= 0.1 for x in js) / len(js), 'share_ge_0.2': sum(x >= 0.2 for x in js) / len(js),
    'share_ge_0.3': sum(x >= 0.3 for x in js) / len(js),
}
json.dump(out, sys.stdout, indent=1); print()
