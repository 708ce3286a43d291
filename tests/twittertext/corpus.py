"""Texts that are hard to count: a hand-written corpus, and pieces that generated texts are
built from. Used by the X judge tests (tests/unit/test_x_counting.py) and by the browser
agreement test (tests/browser/test_counting_agreement.py)."""

from __future__ import annotations

import random

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
DISCLOSURE = "Ich arbeite bei Example GmbH. #Mitarbeiter"

X_CORPUS = [
    # bare domains: links on X when the TLD is one X knows
    "t0.io/x", "s0.com", "example.de", "www.example.com", "Mehr auf example.de.",
    "EXAMPLE.COM/Pfad", "sub.example.co.uk/path?x=1#frag", "example.com:8080/x",
    "example.com:8080", "example.com?q=1", "example.com/?q=1&r=2!", "a.b.c.d.com",
    "foo.bar", "foo.c", "example.invalid", "localhost:3000/x", "http://localhost:3000/x",
    "example.рф", "пример.рф", "例え.jp", "日本example.com/path", "xn--bcher-kva.de",
    "a_b.example.com", "-example.com", "_example.com", ".example.com", "/example.com",
    "vermögensberatung.vermögensberater", "嘉里大酒店.嘉里大酒店", "example.com/日本",
    "example.com/ü", "x.com", "x.COM/y", "a.co.uk.", "(example.com)", "„example.com“",
    " ".join(f"t{i}.io/x" for i in range(20)),
    # with a scheme
    "https://example.com", "http://a.co/?q=1&r=2!", "HTTPS://EXAMPLE.COM/日本",
    "https://example.com/page.", "https://example.com/x)", "(https://example.com/y)",
    "https://en.wikipedia.org/wiki/Python_(programming_language)",
    "https://en.wikipedia.org/wiki/Foo_(bar)).", "https://a.com/p.(x)", "https://a.com/(a)(b)",
    "https://a.com/p(a(b)c)d(x)", "https://example.com/x?y=(1)", "https://example.com/?",
    "'https://example.com/q'", '"https://example.com/r"', "<https://example.com/s>",
    "https://", "www.", "https://...", "ftp://example.com", "https://t.co/abc123",
    "https://t.co/abc123.def", "https://t.co/" + "a" * 41, "https://例え.テスト/パス",
    "https://xn--bcher-kva.example/", "https://" + "a" * 63 + ".com",
    "https://" + "a" * 64 + ".com", "https://😀example.com:8080/b.com",
    "Read https://example.com/page. Then www.example.org!",
    # long links
    "https://example.com/" + "a" * 300, "example.com/" + "a" * 280,
    "a" * 256 + " https://example.com/" + "x" * 100, "example.com/" + "a" * 4100,
    # e-mail addresses, mentions, hashtags, cashtags
    "user@example.com", "mail me: user@example.com!", "@alice", "@alice@mastodon.social",
    "#hashtag", "#Mitarbeiter", "$CASH", "x@a.b.com",
    # emoji
    "😀", "👍🏽", "👋🏿", FAMILY, "👩🏽\u200d💻", "🏳️\u200d🌈", "❤️", "❤\ufe0e", "🇩🇪", "🇺🇸",
    "🇪", "🇪🇩", "1\ufe0f\u20e3", "#\u20e3", "*\ufe0f\u20e3", "\u200d", "\ufe0f", "🏽", "😀🏽",
    "😀\ufe0f", "©", "©\ufe0f", "®", "™", "‼", "☝🏽", "☝\ufe0f🏽", "🫠", "🧑\u200d🤝\u200d🧑",
    "❤️\u200d🔥", "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    # scripts, combining marks, odd spaces
    "日本語のテキスト", "中文", "한국어", "\u1100\u1161\u11a8", "ภาษาไทย", "क्षत्रिय", "مرحبا",
    "e\u0301", "q\u0308\u0323", "\u0301", "a\u200bb", "\u00a0", "\u3000", "\u2028", "\ufeff",
    "\x1c", "\x85", "\u202e", "„Zitat“ – 5 € …", "′ — \u200d", "a\r\nb\tc",
    # the disclosure line, umlauts composed and decomposed
    DISCLOSURE, "Grüße aus Köln", "Gru\u0308ße aus Ko\u0308ln", "a\u0308" * 281, "日" * 141,
    "a" * 280, "a" * 281,
]

PIECES = [
    # words, German, typography
    "Hello", "world", "advocacy", "Grüße", "Gru\u0308ße", "Köln", "Ko\u0308ln", "ß", "Äpfel",
    "„Zitat“", "–", "—", "…", "€", "′", "©", "®", "™", "‼", DISCLOSURE,
    # CJK, Hangul (precomposed and jamo), Thai, Devanagari, Arabic
    "日本語", "テキスト", "中文", "한국어", "\u1100\u1161\u11a8", "ภาษาไทย", "क्षत्रिय", "नमस्ते",
    "مرحبا",
    # emoji: plain, skin tones, ZWJ sequences, flags, keycaps, VS15/VS16, lone pieces
    "😀", "👍🏽", "👋🏿", FAMILY, "👩🏽\u200d💻", "🏳️\u200d🌈", "❤️", "❤\ufe0e", "🇩🇪", "🇺🇸",
    "🇪", "1\ufe0f\u20e3", "#\u20e3", "*\ufe0f\u20e3", "\u200d", "\ufe0f", "🏽", "☝", "🫠",
    "🧑\u200d🤝\u200d🧑",
    # combining marks, zero-width and odd spaces
    "e\u0301", "q\u0308\u0323", "\u0301", "a\u200bb", "\u00a0", "\u3000", "\u2028", "\ufeff",
    "\x1c", "\x85",
    # links with and without scheme, trailing punctuation, parentheses, quotes
    "https://example.com", "https://example.com/page.", "https://example.com/x)",
    "(https://example.com/y)", "https://en.wikipedia.org/wiki/Python_(programming_language)",
    "https://en.wikipedia.org/wiki/Foo_(bar)).", "http://a.co/?q=1&r=2!", "www.example.com,",
    "WWW.EXAMPLE.COM/Ä", "HTTPS://EXAMPLE.COM/日本", "'https://example.com/q'",
    '"https://example.com/r"', "<https://example.com/s>", "https://", "www.", "https://...",
    "https://example.com/" + "a" * 120, "t0.io/x", "s0.com", "example.de", "example.com:8080/x",
    "example.com?q=1", "a_b.example.com", "user@example.com", "https://t.co/abc123", "日本.jp",
    "example.рф", "https://a.com/p(a(b)c)d", "xn--bcher-kva.de", "example.com/" + "b" * 200,
    # mentions, hashtags
    "@alice", "@alice@mastodon.social", "@bob@example.com", "#hashtag", "$CASH",
    # separators and punctuation that touch links
    "\n", "\r\n", "\t", " ", "  ", ".", ",", "/", "-", "_", "(", ")", "'", '"', ":", "?", "!",
    "@", "#",
]
SEPARATORS = ["", " ", " ", "\n", "\t", ", ", ". "]


def random_corpus(seed: int, count: int, pieces: list[str] | None = None) -> list[str]:
    """Seeded mixtures of the pieces (the same texts on every run)."""
    rng = random.Random(seed)
    corpus = []
    for _ in range(count):
        pieces_ = rng.choices(pieces or PIECES, k=rng.randint(1, 14))
        corpus.append("".join(piece + rng.choice(SEPARATORS) for piece in pieces_))
    return corpus
