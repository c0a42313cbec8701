#!/usr/bin/env python3
"""Generates a Chinese-like corpus with planted near-duplicate families, for measuring recur.

usage: gen_corpus.py OUT_DIR SIZE_MB [--seed N] [--from DIR]
Writes OUT_DIR/docs/NNNNN.txt (about 100 KB each, one paragraph per line, full-width indent) and
OUT_DIR/truth.jsonl: one line per planted paragraph {"family", "path", "line", "edit_rate"}.
Background paragraphs are random strings over a CJK alphabet (taken from --from's text when given),
so they do not share text with each other; 5% of paragraphs belong to planted families of 2-5
copies edited at 0, 4, 8 or 12% of their characters (substitutions, insertions, deletions, and
for some copies two sentences swapped). Streams: memory does not grow with SIZE_MB.
(Stand-in until `recur synth` exists.)"""
import json, os, random, sys

def main():
    args = sys.argv[1:]
    out, size_mb = args[0], float(args[1])
    seed = int(args[args.index('--seed') + 1]) if '--seed' in args else 7
    src = args[args.index('--from') + 1] if '--from' in args else None
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    if src and os.path.isdir(src):
        chars = {}
        for f in sorted(os.listdir(src)):
            for ch in open(os.path.join(src, f), encoding='utf-8', errors='ignore').read():
                if '\u4e00' <= ch <= '\u9fff': chars[ch] = chars.get(ch, 0) + 1
        alphabet = sorted(chars, key=lambda c: -chars[c])[:3000]
    def sentence():
        return ''.join(rng.choice(alphabet) for _ in range(rng.randint(8, 30))) + rng.choice('，，，；') 
    def paragraph():
        s = ''.join(sentence() for _ in range(rng.randint(3, 10)))
        return s[:-1] + '。'
    def edit(p, rate):
        s = list(p)
        for _ in range(int(round(len(s) * rate))):
            i = rng.randrange(len(s)); op = rng.random()
            if op < 0.5: s[i] = rng.choice(alphabet)
            elif op < 0.75: s.insert(i, rng.choice(alphabet))
            elif len(s) > 1: del s[i]
        t = ''.join(s)
        if rng.random() < 0.3:  # swap two sentences
            parts = t.split('，')
            if len(parts) > 2:
                i = rng.randrange(len(parts) - 1); parts[i], parts[i + 1] = parts[i + 1], parts[i]
                t = '，'.join(parts)
        return t
    os.makedirs(os.path.join(out, 'docs'), exist_ok=True)
    target = int(size_mb * 1e6)
    written = 0; doc = 0; family = 0
    pending = []  # (doc index to place at, family, text, rate)
    truth = open(os.path.join(out, 'truth.jsonl'), 'w')
    while written < target:
        path = os.path.join(out, 'docs', '%05d.txt' % doc)
        lines = []; size = 0
        while size < 100_000:
            if rng.random() < 0.012:  # start a family: original here, copies in later documents
                family += 1; orig = paragraph()
                lines.append((orig, family, 0.0))
                for _ in range(rng.randint(1, 4)):
                    rate = rng.choice([0.0, 0.04, 0.08, 0.12])
                    pending.append((doc + rng.randint(0, 3), family, edit(orig, rate), rate))
            else:
                due = [p for p in pending if p[0] <= doc]
                if due and rng.random() < 0.5:
                    p = due[0]; pending.remove(p); lines.append((p[2], p[1], p[3]))
                else:
                    lines.append((paragraph(), None, None))
            size += len(lines[-1][0].encode()) + 7
        with open(path, 'w', encoding='utf-8') as f:
            for i, (text, fam, rate) in enumerate(lines):
                f.write('\u3000\u3000' + text + '\n')
                if fam is not None:
                    truth.write(json.dumps({'family': fam, 'path': path, 'line': i + 1, 'edit_rate': rate}) + '\n')
        written += size; doc += 1
    truth.close()

if __name__ == '__main__':
    main()
