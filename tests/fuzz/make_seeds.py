#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets to tests/fuzz/corpus/<target>/.

Seeds are small slices of ../shared/corpus (cut at line ends) plus hand-made edge cases, each
prefixed with the option bytes its target reads (see the comment at the top of each target).
Deterministic: running it again gives the same files. The committed seeds are its output; run it
only to change them (it replaces the directories).

Usage: tests/fuzz/make_seeds.py [SHARED_CORPUS_DIR]
"""
import hashlib
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "corpus"
OUT = HERE / "corpus"


def slices(rng, count, lo=300, hi=2000):
    """`count` slices of the shared corpus, whole lines, lo..hi bytes (the first line may be cut
    short at a character boundary when it alone exceeds hi)."""
    files = sorted(CORPUS.glob("*.txt"))
    out = []
    for k in range(count):
        data = files[k % len(files)].read_bytes()
        lines = data.split(b"\n")
        start = rng.randrange(len(lines))
        want = rng.randrange(lo, hi)
        piece = b""
        for line in lines[start:]:
            if len(piece) + len(line) + 1 > want and piece:
                break
            piece += line + b"\n"
        if len(piece) > hi:  # one very long line: cut it at a character boundary
            piece = piece[:hi].decode("utf-8", "ignore").encode("utf-8")
        out.append(piece)
    return out


def special_slices():
    """Slices of the places in the corpus that matter most: the table of contents, a --doc-split
    heading, the paid markers."""
    big = (CORPUS / "001_f16d54ad4e828787.txt").read_bytes()
    out = [big[:1200], big[big.index("新时代北京组织工作综述\n".encode()) - 200:][:1500]]
    at = big.index(b"##paidbegin##")
    out.append(big[at - 300:at + 500].decode("utf-8", "ignore").encode("utf-8"))
    out.append(big[-300:])
    small = (CORPUS / "002_7e6bc3bca2ee1e02.txt").read_bytes()
    out.append(small[1100:2400].decode("utf-8", "ignore").encode("utf-8"))
    return out


U = lambda s: s.encode("utf-8")
CHINESE = "组织工作高质量发展，坚持党建引领。一、总体情况\n（一）基本做法：强化基层治理！\n"
TRADITIONAL = "組織工作高質量發展，堅持黨建引領。經驗材料彙編：幹部隊伍建設與機構改革。\n"

# Hand-made edge cases: raw file bytes.
EDGE = {
    "empty": b"",
    "one_byte": b"a",
    "bom_utf8": b"\xef\xbb\xbf" + U(CHINESE),
    "bom_only": b"\xef\xbb\xbf",
    "bom_utf8_bad_bytes": b"\xef\xbb\xbf" + U(CHINESE) + b"\xff\xfe\xc0" + U(CHINESE),
    "utf16le_bom": b"\xff\xfe" + CHINESE.encode("utf-16-le"),
    "utf16be_bom": b"\xfe\xff" + CHINESE.encode("utf-16-be"),
    "utf16le_no_bom": CHINESE.encode("utf-16-le"),
    "utf16be_no_bom": CHINESE.encode("utf-16-be"),
    "utf16le_lone_surrogates": b"\xff\xfe" + "甲".encode("utf-16-le") + b"\x00\xd8" + b"A\x00" + b"\x00\xdc" + b"\x3d\xd8",
    "utf16le_odd_length": b"\xff\xfe" + CHINESE.encode("utf-16-le") + b"\x41",
    "utf32le_bom": b"\xff\xfe\x00\x00" + CHINESE.encode("utf-32-le"),
    "utf32be_bom": b"\x00\x00\xfe\xff" + CHINESE.encode("utf-32-be"),
    "gb18030": CHINESE.encode("gb18030") * 3,
    "gb18030_four_byte": ("𠀀€😀ß" + CHINESE).encode("gb18030"),
    "gb18030_short": "组织".encode("gb18030"),
    "gb18030_truncated": CHINESE.encode("gb18030") + b"\x81\x30",
    "big5": TRADITIONAL.encode("big5") * 3,
    "shift_jis": "日本語のテキスト、カタカナとひらがな。\n".encode("shift_jis") * 3,
    "latin1": "Café déjà vu, naïve façade, Ærø.\n".encode("latin-1") * 4,
    "utf8_lone_surrogates": U("文本") + b"\xed\xa0\x80" + U("文本") + b"\xed\xbf\xbf\n",
    "utf8_cesu_pair": U("表情") + b"\xed\xa0\xbd\xed\xb8\x80" + U("\n"),
    "utf8_overlongs": b"a\xc0\xafb\xe0\x80\xafc\xf0\x80\x80\xafd\xc1\xbf\n",
    "utf8_above_max": b"x\xf4\x90\x80\x80y\xf5\x80\x80\x80\xff\xfe\n",
    "utf8_truncated": U(CHINESE) + b"\xe4\xb8",
    "utf8_one_bad_byte": U(CHINESE * 20) + b"\x80" + U(CHINESE),
    "nul": U("组织") + b"\x00" + U("工作\n"),
    "many_nuls": b"\x00" * 64,
    "controls": bytes(range(1, 32)) * 3,
    "crlf": U("第一章 总则\r\n\r\n　　第一条 为了规范工作。\r\n　　第二条 本办法适用于全体。\r\n"),
    "cr_only": U("一行\r二行\r三行\r"),
    "combining_run": U("e" + "\u0301" * 40 + "\u0323\u0302" * 10 + "a\u030a\n"),
    "combining_after_cjk": U("组\u0301\u0302织\u20dd工作\n"),
    "hangul_jamo": U("\u1100\u1161\u11a8\u1100\u1161 한국어 텍스트\n"),
    "nfkc_specials": U("ﬁﬂ ＡＢＣ１２３ ß ẞ K Å ǅ ㈱ ⑳ ① ½ ℃ ﹏ ｶﾞ \u00ad\u200b\u2028\ufeff\n"),
    "supplementary": U("𠀀𠀁😀🇨🇳\U0010FFFF\uFFFD\uFFFE\uE000\n"),
    "only_markers": U("##paidbegin##\n##paidend##\n##paidbegin####paidend##\n"),
    "markers_in_text": U("　　出台办法##paidbegin##镇（街道）党委书记\n人选##paidend##落实。\n"),
    "headings": U("一、总体情况\n（一）基本做法\n(2)具体措施\n1. 第一点\n1、第二点\n１．全角\n第一章 总则\n第3节\n①要点\n⑳结尾\n"),
    "toc": U("目　　录\n一、省级\n新时代北京组织工作综述　　1\n新时代天津组织工作综述　　7\n综述 13\n综述\t99\n"),
    "doc_split": U("前言\n新时代北京组织工作综述\n　　北京的做法很多，效果明显。\n新时代天津组织工作综述\n天津也一样。\n综述\n"),
    "indented_wrapped": U("　　党的十八大以来，全市各级党组织始终坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻\n"
                          "新时代党的建设总要求和新时代党的组织路线，以党的政治建设为统领\n　　第二段开始了。\n"),
    "whitespace_lines": U("\u3000\u3000\n \t\r\n\n\u00a0\n\f\n   \n"),
    "long_line_no_newline": U("很长的一行没有换行符" * 30),
    "quotes_sentence_end": U("他说：“这是最后一句。”\n下一行继续\n‘单引号？’\n"),
    "ascii_words": b"Hello, world! It's 3.14 and 1,000 items; don't stop.\nThe end.\n",
    "mixed_scripts": U("中文English混合Русский текст ελληνικά العربية हिन्दी ไทย\n"),
    "repeats": U(("坚持党建引领推动高质量发展\n" * 3 + "\n") * 3),
    "same_char": U("啊" * 300),
    "ascii_a": b"a" * 500,
    "traditional": U(TRADITIONAL * 2),
}


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    rng = random.Random(20240601)
    texts = [(f"corpus_{k:02d}", s) for k, s in enumerate(slices(rng, 14) + special_slices())]
    texts += list(EDGE.items())

    for name, data in texts:
        # decode: the raw bytes (the last byte picks the forced encoding).
        write("decode", name, data)
    # decode: corpus slices in the legacy encodings auto detection must recognise.
    for name, data in texts[:4]:
        s = data.decode("utf-8")
        write("decode", name + "_gb18030", s.encode("gb18030"))
        write("decode", name + "_utf16le_bom", b"\xff\xfe" + s.encode("utf-16-le"))
        write("decode", name + "_big5", s.encode("big5", "replace"))

    # The other targets read valid UTF-8 text (anything else becomes U+FFFD), so encoded variants
    # add nothing there; each text gets option bytes that vary with its name.
    utf8 = [(n, d) for n, d in texts if not n.startswith(("utf16", "utf32", "gb18030", "big5", "shift_jis", "latin1"))]
    for name, data in utf8:
        h = hashlib.sha256(name.encode()).digest()
        # normalize: flags (bit 0 no casefold, bit 1 simplify, bits 2-4 removed ranges) + 2 bytes per range.
        flags = h[0] & 0x1F
        if name == "traditional":
            flags |= 2
        n = (flags >> 2) & 7
        write("normalize", name, bytes([flags]) + h[1:1 + 2 * n] + data)
        # segment: mode (bits 0-1), strip set (2-4), doc-split (5-7); the corpus-like settings for
        # the slices with markers and document headings.
        seg = h[16]
        if name in ("corpus_14", "corpus_15", "doc_split", "toc"):
            seg = 0 | (1 << 2) | (1 << 5)  # auto, ##paid(begin|end)##, 综述$
        if name in ("corpus_16", "markers_in_text", "only_markers"):
            seg = 1 | (7 << 2)  # indent, paid markers + white space + 第
        write("segment", name, bytes([seg]) + data)
        # signature: shingle size, normalise first, perms; seed.
        write("signature", name, bytes([h[20], h[21]]) + data)
        # phrases: min_chars, min_docs, tolerance.
        write("phrases", name, bytes([h[24] & 0x7F]) + data)
    # phrases: the real settings (min_chars 8, min_docs 2..3) on corpus slices joined as documents.
    joined = b"\n\n".join(d for _, d in texts[:6])
    write("phrases", "corpus_joined", bytes([7 | (1 << 3) | (1 << 5)]) + joined[:6000])


if __name__ == "__main__":
    main()
