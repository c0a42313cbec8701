#!/usr/bin/env python3
"""Scores a recur report JSON against gen_corpus.py's truth.jsonl: pairwise precision/recall/F1.
usage: score.py REPORT.json TRUTH.jsonl   (stand-in until `recur eval` exists)"""
import json, sys, itertools, collections
r = json.load(open(sys.argv[1]))
truth = {}
for line in open(sys.argv[2]):
    t = json.loads(line); truth[(t['path'], t['line'])] = t
fam_members = collections.defaultdict(list)
for k, t in truth.items(): fam_members[t['family']].append(k)
true_pairs = set()
for f, ms in fam_members.items():
    for a, b in itertools.combinations(sorted(ms), 2): true_pairs.add((a, b))
pred = set()
for c in r['clusters']:
    keys = sorted((m['path'], m['line']) for m in c['members'])
    for a, b in itertools.combinations(keys, 2): pred.add((a, b))
tp = len(pred & true_pairs)
p = tp / len(pred) if pred else 1.0; rc = tp / len(true_pairs) if true_pairs else 1.0
f1 = 2 * p * rc / (p + rc) if p + rc else 0
by_rate = collections.defaultdict(lambda: [0, 0])
for a, b in true_pairs:
    rate = max(truth[a]['edit_rate'], truth[b]['edit_rate'])
    by_rate[rate][1] += 1; by_rate[rate][0] += (a, b) in pred
print('pairs: true %d predicted %d correct %d  precision %.4f recall %.4f F1 %.4f' % (len(true_pairs), len(pred), tp, p, rc, f1))
for rate in sorted(by_rate): print('  edit rate <= %.2f: recall %.4f (%d pairs)' % (rate, by_rate[rate][0] / by_rate[rate][1], by_rate[rate][1]))
