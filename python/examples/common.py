"""Shared by the examples: a character corpus (Debian's fortunes, or a synthetic text when the package is
missing) and batches from it."""
import os
import random

import numpy as np

FORTUNES = "/usr/share/games/fortunes"
CATEGORIES = ("art", "education", "humorists", "literature", "love", "people", "platitudes", "songs-poems",
              "wisdom", "work")


def corpus_text(max_chars=400_000):
    """The fortunes of AttnScope's corpus categories, a blank line between fortunes."""
    fortunes = []
    for c in CATEGORIES:
        path = os.path.join(FORTUNES, c)
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                fortunes += [p.strip("\n") for p in f.read().split("\n%\n") if p.strip()]
    if not fortunes:  # no fortunes package: a synthetic text with the same flavour of structure
        r = random.Random(0)
        words = "the a cat dog sat ran on under over mat hill river sky grey old stone light".split()
        fortunes = [" ".join(r.choice(words) for _ in range(r.randint(5, 20))) + "." for _ in range(5000)]
        name = "synthetic words"
    else:
        random.Random(1337).shuffle(fortunes)
        name = "fortunes"
    return "\n\n".join(fortunes)[:max_chars] + "\n", name


def batches(stream, batch, context, rng):
    """Random crops: inputs s[i, i+T), targets s[i+1, i+T] (the engine's TextCorpus layout without <bos>)."""
    starts = rng.integers(0, len(stream) - context - 1, batch)
    x = np.stack([stream[s:s + context] for s in starts])
    y = np.stack([stream[s + 1:s + context + 1] for s in starts])
    return x, y
