#!/usr/bin/env python3
"""Independent reference for recur's known-answer tests of shingling and MinHash signatures.

Run from the repository root:

    python3 tests/kat/minhash_reference.py > tests/kat/minhash_kat.hpp

tests/minhash_test.cpp includes the header and compares every value; the test
MinHashKat.ReferenceScriptReproducesThePinnedHeader runs this script and checks that its output is
still byte-identical to the header, so the constants cannot be edited by hand.

Python 3 standard library only. Nothing here calls recur or libxxhash:
- XXH3_64bits_withSeed is reimplemented from the xxHash specification (doc/xxhash_spec.md) for
  inputs up to 240 bytes, which covers every length recur hashes here (word tokens and 16-byte
  shingles). The implementation checks itself against the sanity vectors published in xxHash's
  cli/xsum_sanity_check.c before writing anything.
- NFKC_Casefold is unicodedata NFKC followed by str.casefold(), which agrees with ICU's
  NFKC_Casefold on the text used here (ASCII, full-width forms, common Han characters).
- Tokenising follows recur's documented rules (shingle.hpp): a CJK character is a token whose value
  is its code point; a run of ASCII letters and digits (with '.' or ',' between digits and an
  apostrophe between letters) is a word whose token is XXH3 of its bytes with seed
  shingle_seed ^ 0x9E3779B97F4A7C15; punctuation is not a token. The text avoids other scripts,
  whose words recur finds with ICU's word break.
- Signatures follow minhash.hpp: classic is min over shingles of fmix32(fold32(x) ^ seed_i) with
  seed_i the low 32 bits of successive splitmix64 outputs from state `seed`; one-permutation
  hashing bins each shingle by the remixed hash and fills empty bins by optimal densification
  with the probe sequence of src/minhash.cpp.
"""

import sys
import unicodedata

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1

# --- XXH3 (64-bit, seeded), inputs of 0..240 bytes -------------------------------------------

# The default secret, from the specification.
K_SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"
    "3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8"
    "a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364"
    "eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e"
    "2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e")
assert len(K_SECRET) == 192

PRIME32_1, PRIME32_2, PRIME32_3 = 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D
PRIME64_1, PRIME64_2, PRIME64_3 = 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
PRIME64_4, PRIME64_5 = 0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5
PRIME_MX1, PRIME_MX2 = 0x165667919E3779F9, 0x9FB21C651E98DF25


def r32(b, i):
    return int.from_bytes(b[i:i + 4], "little")


def r64(b, i):
    return int.from_bytes(b[i:i + 8], "little")


def rotl64(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def swap32(x):
    return int.from_bytes(x.to_bytes(4, "little"), "big")


def swap64(x):
    return int.from_bytes(x.to_bytes(8, "little"), "big")


def mul128_fold64(a, b):
    p = a * b
    return (p ^ (p >> 64)) & M64


def xxh64_avalanche(h):
    h ^= h >> 33
    h = (h * PRIME64_2) & M64
    h ^= h >> 29
    h = (h * PRIME64_3) & M64
    return h ^ (h >> 32)


def xxh3_avalanche(h):
    h ^= h >> 37
    h = (h * PRIME_MX1) & M64
    return h ^ (h >> 32)


def rrmxmx(h, length):
    h ^= rotl64(h, 49) ^ rotl64(h, 24)
    h = (h * PRIME_MX2) & M64
    h ^= ((h >> 35) + length) & M64
    h = (h * PRIME_MX2) & M64
    return h ^ (h >> 28)


def mix16(data, i, s, seed):
    lo, hi = r64(data, i), r64(data, i + 8)
    return mul128_fold64(lo ^ ((r64(K_SECRET, s) + seed) & M64), hi ^ ((r64(K_SECRET, s + 8) - seed) & M64))


def xxh3_64(data, seed=0):
    """XXH3_64bits_withSeed(data, len(data), seed) for len(data) <= 240."""
    n, sec = len(data), K_SECRET
    seed &= M64
    if n == 0:
        return xxh64_avalanche(seed ^ r64(sec, 56) ^ r64(sec, 64))
    if n <= 3:
        combined = (data[0] << 16) | (data[n >> 1] << 24) | data[n - 1] | (n << 8)
        bitflip = ((r32(sec, 0) ^ r32(sec, 4)) + seed) & M64
        return xxh64_avalanche(combined ^ bitflip)
    if n <= 8:
        seed ^= swap32(seed & M32) << 32
        in1, in2 = r32(data, 0), r32(data, n - 4)
        bitflip = ((r64(sec, 8) ^ r64(sec, 16)) - seed) & M64
        return rrmxmx(((in2 + (in1 << 32)) & M64) ^ bitflip, n)
    if n <= 16:
        bitflip1 = ((r64(sec, 24) ^ r64(sec, 32)) + seed) & M64
        bitflip2 = ((r64(sec, 40) ^ r64(sec, 48)) - seed) & M64
        lo = r64(data, 0) ^ bitflip1
        hi = r64(data, n - 8) ^ bitflip2
        return xxh3_avalanche((n + swap64(lo) + hi + mul128_fold64(lo, hi)) & M64)
    acc = (n * PRIME64_1) & M64
    if n <= 128:
        if n > 32:
            if n > 64:
                if n > 96:
                    acc += mix16(data, 48, 96, seed) + mix16(data, n - 64, 112, seed)
                acc += mix16(data, 32, 64, seed) + mix16(data, n - 48, 80, seed)
            acc += mix16(data, 16, 32, seed) + mix16(data, n - 32, 48, seed)
        acc += mix16(data, 0, 0, seed) + mix16(data, n - 16, 16, seed)
        return xxh3_avalanche(acc & M64)
    if n <= 240:
        for i in range(8):
            acc += mix16(data, 16 * i, 16 * i, seed)
        acc = xxh3_avalanche(acc & M64)
        for i in range(8, n // 16):
            acc += mix16(data, 16 * i, 16 * (i - 8) + 3, seed)
        acc += mix16(data, n - 16, 136 - 17, seed)
        return xxh3_avalanche(acc & M64)
    raise ValueError("this reference implements XXH3 for inputs of at most 240 bytes")


def check_xxh3():
    """xxHash's own sanity vectors (cli/xsum_sanity_check.c, XSUM_XXH3_testdata)."""
    prime32, prime64 = 2654435761, 11400714785074694797
    buf, gen = bytearray(), prime32
    for _ in range(240):
        buf.append(gen >> 56)
        gen = (gen * prime64) & M64
    vectors = [(0, 0, 0x2D06800538D394C2), (0, prime64, 0xA8A6B918B2F0364A),
               (1, 0, 0xC44BDFF4074EECDB), (1, prime64, 0x032BE332DD766EF8),
               (6, 0, 0x27B56A84CD2D7325), (6, prime64, 0x84589C116AB59AB9),
               (12, 0, 0xA713DAF0DFBB77E7), (12, prime64, 0xE7303E1B2336DE0E),
               (24, 0, 0xA3FE70BF9D3510EB), (24, prime64, 0x850E80FC35BDD690),
               (48, 0, 0x397DA259ECBA1F11), (48, prime64, 0xADC2CBAA44ACC616),
               (80, 0, 0xBCDEFBBB2C47C90A), (80, prime64, 0xC6DD0CB699532E73),
               (195, 0, 0xCD94217EE362EC3A), (195, prime64, 0xBA68003D370CB3D9)]
    for n, seed, want in vectors:
        got = xxh3_64(bytes(buf[:n]), seed)
        if got != want:
            sys.exit(f"XXH3 reference is wrong: len {n} seed {seed:#x}: {got:#018x} != {want:#018x}")


# --- MinHash ---------------------------------------------------------------------------------

def splitmix64_stream(state):
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)


def fmix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    return h ^ (h >> 16)


def classic(shingles, perms=128, seed=1):
    stream = splitmix64_stream(seed)
    seeds = [next(stream) & M32 for _ in range(perms)]
    sig = [M32] * perms
    for x in shingles:
        folded = (x ^ (x >> 32)) & M32
        for i in range(perms):
            sig[i] = min(sig[i], fmix32(folded ^ seeds[i]))
    return sig


def probe(bin_, attempt, perms, seed):
    """Bin number `attempt` (1-based) of the densification probe sequence of bin `bin_`."""
    state = seed ^ ((bin_ << 32) | attempt) ^ 0xD1B54A32D192ED03
    return ((next(splitmix64_stream(state)) >> 32) * perms) >> 32


# recur caches the first 16 probes of each bin (MinHasher::kProbes); bins that need more take the
# slow path, and the comments in the header say how many of them each case has.
CACHED_PROBES = 16


def one_permutation(shingles, perms=128, seed=1, stats=None):
    sig = [M32] * perms
    if not shingles:
        return sig
    mixed_seed = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & M64
    filled = [False] * perms
    for x in shingles:
        h = ((x ^ mixed_seed) * 0xFF51AFD7ED558CCD) & M64
        h ^= h >> 32
        b = ((h >> 32) * perms) >> 32
        sig[b] = min(sig[b], h & M32)
        filled[b] = True
    empty = [i for i in range(perms) if not filled[i]]
    long_probes = 0
    for i in empty:
        attempt = 1
        while not filled[probe(i, attempt, perms, seed)]:
            attempt += 1
        long_probes += attempt > CACHED_PROBES
        sig[i] = sig[probe(i, attempt, perms, seed)]
    if stats is not None:
        stats.update(empty=len(empty), long_probes=long_probes)
    return sig


# --- text -> normalise -> tokens -> shingles -------------------------------------------------

WORD_SALT = 0x9E3779B97F4A7C15


def is_cjk(c):
    # Only the CJK Unified Ideographs occur in the text below; recur's is_cjk() has more ranges.
    return 0x4E00 <= ord(c) <= 0x9FFF


def normalise(text):
    return unicodedata.normalize("NFKC", text).casefold()


def tokens_of(norm, shingle_seed=0):
    assert all(ord(c) < 0x80 or is_cjk(c) or unicodedata.category(c).startswith(("P", "Z"))
               for c in norm), "the reference handles ASCII, Han and punctuation only"
    tokens, i, n = [], 0, len(norm)

    def alnum(k):
        return k < n and norm[k].isascii() and norm[k].isalnum()

    while i < n:
        c = norm[i]
        if is_cjk(c):
            tokens.append(ord(c))
            i += 1
        elif alnum(i):
            w = i
            while i < n:
                if alnum(i):
                    i += 1
                elif (i > w and i + 1 < n and norm[i] in ".," and norm[i - 1].isdigit()
                      and norm[i + 1].isascii() and norm[i + 1].isdigit()):
                    i += 1
                elif (i > w and i + 1 < n and norm[i] == "'" and norm[i - 1].isalpha()
                      and norm[i + 1].isascii() and norm[i + 1].isalpha()):
                    i += 1
                else:
                    break
            tokens.append(xxh3_64(norm[w:i].encode(), shingle_seed ^ WORD_SALT))
        else:
            i += 1  # punctuation and spaces are not tokens
    return tokens


def shingles_of(tokens, size=2, shingle_seed=0):
    """In order, duplicates kept; each shingle hashes its tokens as little-endian uint64s."""
    def h(ts):
        return xxh3_64(b"".join(t.to_bytes(8, "little") for t in ts), shingle_seed)
    if not tokens:
        return []
    if len(tokens) <= size:
        return [h(tokens)]
    return [h(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]


# --- output ----------------------------------------------------------------------------------

# The shingle list of the older 8-value tests: 32-bit values, so fold32 is the identity.
FIXED = [0x89ABCDEF, 42, 7, 1000000007, 0xCAFEBABE, 0, 0xFFFFFFFF]

# Mixed Chinese/English text: full-width digits and letters, a decimal number, an apostrophe word.
TEXT = "２０２３年，GDP增长5.2%；ＲＥＣＵＲ检测Don't重复。"


def weyl(n):
    """Shingle list i -> (i + 1) * 0x9E3779B97F4A7C15 mod 2^64 (the test rebuilds it the same way)."""
    return [((i + 1) * 0x9E3779B97F4A7C15) & M64 for i in range(n)]


def emit_sig(name, sig, comment):
    lines = [f"// {comment}", f"inline constexpr std::array<std::uint32_t, {len(sig)}> {name} = {{"]
    for k in range(0, len(sig), 6):
        lines.append("    " + " ".join(f"{v:#010x}u," for v in sig[k:k + 6]))
    lines.append("};")
    return "\n".join(lines)


def emit_u64(name, values, comment):
    lines = [f"// {comment}", f"inline constexpr std::array<std::uint64_t, {len(values)}> {name} = {{"]
    for k in range(0, len(values), 3):
        lines.append("    " + " ".join(f"{v:#018x}ull," for v in values[k:k + 3]))
    lines.append("};")
    return "\n".join(lines)


def main():
    check_xxh3()
    out = [
        "// Generated by tests/kat/minhash_reference.py (Python, independent of recur); do not edit.",
        "// Regenerate: python3 tests/kat/minhash_reference.py > tests/kat/minhash_kat.hpp",
        "#pragma once",
        "#include <array>",
        "#include <cstddef>",
        "#include <cstdint>",
        "",
        "namespace recur_kat {",
        "",
        "// The Weyl cases sign shingles i -> (i + 1) * 0x9E3779B97F4A7C15 mod 2^64, i = 0..n-1.",
        "",
        emit_sig("kClassicFixed", classic(FIXED), "classic, default options, the fixed 7-shingle list"),
        "",
    ]
    st = {}
    out += [emit_sig("kOphFixed", one_permutation(FIXED, stats=st),
                     f"oph, default options, the fixed 7-shingle list ({st['empty']} empty bins, "
                     f"{st['long_probes']} past the {CACHED_PROBES} cached probes)"), ""]
    for n in (1, 5, 40, 200, 1000):
        shingles = weyl(n)
        out += [emit_sig(f"kClassicWeyl{n}", classic(shingles), f"classic, default options, {n} Weyl shingle{'s' * (n > 1)}"), ""]
        st = {}
        sig = one_permutation(shingles, stats=st)
        out += [emit_sig(f"kOphWeyl{n}", sig, f"oph, default options, {n} Weyl shingle{'s' * (n > 1)} ({st['empty']} empty bins, "
                                               f"{st['long_probes']} past the {CACHED_PROBES} cached probes)"), ""]
    # A length that is not a multiple of 64 (the last bitmap word is partial) and another seed.
    shingles = weyl(20)
    out += [emit_sig("kClassicWeyl20Perms100Seed7", classic(shingles, 100, 7),
                     "classic, --perms 100 --seed 7, 20 Weyl shingles"), ""]
    st = {}
    sig = one_permutation(shingles, 100, 7, st)
    out += [emit_sig("kOphWeyl20Perms100Seed7", sig,
                     f"oph, --perms 100 --seed 7, 20 Weyl shingles ({st['empty']} empty bins, "
                     f"{st['long_probes']} past the {CACHED_PROBES} cached probes)"), ""]
    # Both ways of densifying: up to 128 bins the filled-bin bitmap fits one 16-byte vector (a
    # shuffle tests a bin's cached probes where the CPU has SSSE3), past 128 it is read by words;
    # 64 bins fill exactly one word.
    for perms, n in ((64, 8), (256, 5), (256, 120)):
        st = {}
        sig = one_permutation(weyl(n), perms, 1, st)
        out += [emit_sig(f"kOphWeyl{n}Perms{perms}", sig,
                         f"oph, --perms {perms}, {n} Weyl shingles ({st['empty']} empty bins, "
                         f"{st['long_probes']} past the {CACHED_PROBES} cached probes)"), ""]

    norm = normalise(TEXT)
    tokens = tokens_of(norm)
    shingles = shingles_of(tokens)
    assert '"' not in TEXT + norm and "\\" not in TEXT + norm, "emitted as plain C++ string literals"
    out += [
        "// End to end: text -> NFKC_Casefold -> tokens -> shingles (size 2, seed 0) -> signatures.",
        f"// Input: {TEXT}",
        f"inline constexpr const char* kText = \"{TEXT}\";",
        f"// Normalised: {len(norm.encode())} bytes.",
        f"inline constexpr const char* kTextNormalized = \"{norm}\";",
        emit_u64("kTextTokens", tokens, "tokens: code points of Han characters, XXH3 of words"),
        "",
        emit_u64("kTextShingles", shingles, "shingles, in text order"),
        "",
        emit_sig("kTextClassic", classic(shingles), "classic signature of the text's shingles"),
        "",
    ]
    st = {}
    sig = one_permutation(shingles, stats=st)
    out += [emit_sig("kTextOph", sig, f"oph signature of the text's shingles ({st['empty']} empty bins, "
                                       f"{st['long_probes']} past the {CACHED_PROBES} cached probes)"), ""]
    out.append("}  // namespace recur_kat")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
