/* advocacy: character budgets per social network, counted the way each network counts.
 *
 * The browser twin of advocacy/providers/counting.py, urls.py and little.py: the same
 * rules, the same numbers (tests/browser/test_counting_agreement.py checks that). Change
 * one, change the other. The facts X counts by (TLDs, weights, emoji sequences) come from
 * counting-data.js, which must be loaded first (window.AdvocacyCountingData).
 * Sets window.AdvocacyCount = {findUrls, xUrls, mastodonUrls, escapeLittle,
 * xWeightedLength, mastodonLength, graphemeLength, utf16Length, measure}. Lengths agree
 * with Python; the URL functions return UTF-16 (JS string) indices.
 */
(function () {
  "use strict";

  var URL_LENGTH = 23;
  var SEGMENTER = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  var ENCODER = new TextEncoder();

  var NETWORK_RULES = {
    x: { limit: 280, unit: "weighted", urlLength: URL_LENGTH, byteLimit: null },
    mastodon: { limit: 500, unit: "graphemes", urlLength: URL_LENGTH, byteLimit: null },
    bluesky: { limit: 300, unit: "graphemes", urlLength: null, byteLimit: 3000 },
    linkedin: { limit: 3000, unit: "utf16", urlLength: null, byteLimit: null },
    whatsapp: { limit: null, unit: "graphemes", urlLength: null, byteLimit: null },
    email: { limit: null, unit: "graphemes", urlLength: null, byteLimit: null },
    facebook: { limit: null, unit: "graphemes", urlLength: null, byteLimit: null },
    xing: { limit: null, unit: "graphemes", urlLength: null, byteLimit: null }
  };

  /* -- links as readers write them (Bluesky facets, LinkedIn escaping) ------------------ */

  // Python's str.isspace() and JS \s together, spelled out so both end URLs alike.
  var URL_RE = /([hH][tT][tT][pP][sS]?:\/\/|[wW][wW][wW]\.)[^\t\n\x0b\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff<>"]+/gu;
  var TRAILING = ".,;:!?)]}'\"";

  function countOf(text, character, start, end) {
    var count = 0;
    for (var i = start; i < end; i++) {
      if (text[i] === character) count++;
    }
    return count;
  }

  /* Where a URL matched at text[start:end] really ends, or -1 if nothing is left:
     trailing punctuation goes, except a ")" that closes a "(" inside the URL. */
  function urlEnd(text, start, prefixEnd, end) {
    while (end > prefixEnd && TRAILING.indexOf(text[end - 1]) !== -1) {
      if (text[end - 1] === ")" &&
          countOf(text, "(", start, end) >= countOf(text, ")", start, end)) {
        break;
      }
      end--;
    }
    return end > prefixEnd ? end : -1;
  }

  /* The [start, end] UTF-16 spans of the links written with a scheme or "www.". */
  function findUrls(text) {
    var spans = [];
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var end = urlEnd(text, match.index, match.index + match[1].length, URL_RE.lastIndex);
      if (end !== -1) spans.push([match.index, end]);
    }
    return spans;
  }

  /* -- LinkedIn's "little" format -------------------------------------------------------- */

  var LITTLE_RESERVED = "\\|{}@[]()<>*_~";

  function escaped(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      out += (LITTLE_RESERVED.indexOf(text[i]) !== -1 ? "\\" : "") + text[i];
    }
    return out;
  }

  /* The reserved characters escaped with a backslash, outside links. */
  function escapeLittle(text) {
    var out = "";
    var last = 0;
    findUrls(text).forEach(function (span) {
      out += escaped(text.slice(last, span[0])) + text.slice(span[0], span[1]);
      last = span[1];
    });
    return out + escaped(text.slice(last));
  }

  /* -- facts ------------------------------------------------------------------------------ */

  var SKIN_TONES = ["\u{1F3FB}", "\u{1F3FC}", "\u{1F3FD}", "\u{1F3FE}", "\u{1F3FF}"];
  var prepared = null;

  /* Case-folded the way X's case-insensitive patterns compare: each character upper-cased
     on its own, unless that yields several or turns non-ASCII into ASCII. */
  function canonical(text) {
    var out = "";
    for (var character of text) {
      var upper = character.toUpperCase();
      var keep = upper.length !== character.length ||
        (character.codePointAt(0) > 0x7f && upper.codePointAt(0) <= 0x7f);
      out += keep ? character : upper;
    }
    return out;
  }

  function facts() {
    if (prepared) return prepared;
    var data = window.AdvocacyCountingData;
    if (!data) throw new Error("counting-data.js must be loaded before counting.js is used");
    var tlds = new Set();
    var lengths = new Set();
    data.tlds.generic.concat(data.tlds.country).forEach(function (name) {
      tlds.add(canonical(name));
      lengths.add(name.length);
    });
    var emoji = new Set();
    var longest = 0;
    data.x.emoji_sequences.forEach(function (sequence) {
      // The lightest skin tone stands for all five.
      var variants = sequence.indexOf(SKIN_TONES[0]) === -1 ? [sequence] :
        SKIN_TONES.map(function (tone) { return sequence.replace(SKIN_TONES[0], tone); });
      variants.forEach(function (variant) {
        emoji.add(variant);
        longest = Math.max(longest, variant.length);
      });
    });
    prepared = {
      tlds: tlds,
      tldLengths: Array.from(lengths).sort(function (a, b) { return b - a; }),
      emoji: emoji,
      emojiStarts: new Set(Array.from(emoji, function (sequence) { return sequence[0]; })),
      longestEmoji: longest,
      light: data.x.light_ranges
    };
    return prepared;
  }

  /* -- character classes (as in urls.py) ------------------------------------------------- */

  var LATIN_ACCENTS = "\\xc0-\\xd6\\xd8-\\xf6\\xf8-\\xff\\u0100-\\u024f\\u0253\\u0254\\u0256" +
    "\\u0257\\u0259\\u025b\\u0263\\u0268\\u026f\\u0272\\u0289\\u028b\\u02bb\\u0300-\\u036f" +
    "\\u1e00-\\u1eff";
  // X compares without case, so the few characters whose case partner is an accented
  // letter above count as one too.
  var ACCENTS = LATIN_ACCENTS + "\\u0260\\u0269\\u0275\\u0280\\u0283\\u0288\\u028a\\u028c" +
    "\\u0292\\u0399\\u03b9\\u1fbe\\u2c65\\u2c66\\u2c7e\\u2c7f\\ua7dc";
  var CYRILLIC = "\\u0400-\\u04ff\\u1c80-\\u1c88";
  var WHITE_SPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var NON_ASCII = "\\xa0-\\ud7ff\\uf900-\\ufdcf\\ufdf0-\\uffef\\u{10000}-\\u{1fffd}" +
    "\\u{20000}-\\u{2fffd}\\u{30000}-\\u{3fffd}\\u{40000}-\\u{4fffd}\\u{50000}-\\u{5fffd}" +
    "\\u{60000}-\\u{6fffd}\\u{70000}-\\u{7fffd}\\u{80000}-\\u{8fffd}\\u{90000}-\\u{9fffd}" +
    "\\u{a0000}-\\u{afffd}\\u{b0000}-\\u{bfffd}\\u{c0000}-\\u{cfffd}\\u{d0000}-\\u{dfffd}" +
    "\\u{e1000}-\\u{efffd}\\ue000-\\uf8ff\\u{f0000}-\\u{ffffd}\\u{100000}-\\u{10fffd}";
  var X_QUERY = "a-zA-Z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|";
  var X_QUERY_END = "a-zA-Z0-9\\-_&=#/";

  /* A character class: test(character) and run(text, start) -> end of the run there. */
  function charClass(body, negated) {
    var source = "[" + (negated ? "^" : "") + body + "]";
    var one = new RegExp("^" + source + "$", "u");
    var run = new RegExp(source + "*", "uy");
    return {
      test: function (character) { return one.test(character); },
      run: function (text, start) {
        run.lastIndex = start;
        run.exec(text);
        return run.lastIndex;
      }
    };
  }

  var blocksLink = charClass("A-Za-z0-9@\\uff20$#\\uff03\\ufffe\\ufeff\\uffff");
  var labelChar = charClass("!'#%&()*+,\\\\./:;<=>?@\\[\\]^{|}~$\\t-\\r \\x85\\xa0\\u1680\\u180e" +
    "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufffe\\ufeff\\uffff\\u202a-\\u202e" +
    "\\u061c\\u200e\\u200f\\u2066-\\u2069", true);
  var asciiLabelChar = charClass("a-zA-Z0-9\\-" + ACCENTS);
  var xPathChar = charClass("a-zA-Z0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&" + CYRILLIC + ACCENTS);
  var xPathEnd = charClass("a-zA-Z0-9+\\-=_#/" + CYRILLIC + ACCENTS);
  var digits = charClass("0-9");
  var punycodeChar = charClass("a-zA-Z0-9\\-");
  var tldStop = charClass("a-zA-Z0-9@+\\-");
  var TCO = new RegExp("^https?:\\/\\/t\\.co\\/([a-z0-9]+)(?:\\?[" + X_QUERY + "]*[" +
    X_QUERY_END + "])?", "i");

  var X = {
    schemes: ["https://", "http://"],
    pathChar: xPathChar,
    pathEnd: xPathEnd,
    queryChar: charClass(X_QUERY),
    queryEnd: charClass(X_QUERY_END),
    groupEndsStretch: function () { return false; },
    loneGroups: true
  };
  var MASTODON = {
    schemes: ["https://", "http://", "dat://", "dweb://", "ipfs://", "ipns://", "ssb://",
      "gopher://", "gemini://"],
    pathChar: charClass(WHITE_SPACE + "<>()?", true),
    pathEnd: charClass(WHITE_SPACE + "()?!*\"'\\u300c\\u300d<>;:=,.$%\\[\\]~&|@", true),
    queryChar: charClass("a-zA-Z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^" + NON_ASCII),
    queryEnd: charClass("a-zA-Z0-9_&=#/\\-" + NON_ASCII),
    // A closing group on Mastodon may hold X's path characters only.
    groupEndsStretch: function (inside) {
      for (var character of inside) {
        if (character !== "(" && character !== ")" && !xPathChar.test(character)) return false;
      }
      return true;
    },
    loneGroups: false
  };

  /* The code point at UTF-16 index i, as a string ("" past the end). */
  function at(text, i) {
    var code = text.codePointAt(i);
    return code === undefined ? "" : String.fromCodePoint(code);
  }

  function asciiLower(text) {
    return text.replace(/[A-Z]/g, function (c) { return c.toLowerCase(); });
  }

  /* -- domains ------------------------------------------------------------------------------ */

  function tldEndsAt(text, end) {
    return end >= text.length || !tldStop.test(at(text, end));
  }

  /* Where a known TLD at start ends (the longer one where two fit), or -1. */
  function tldEnd(text, start) {
    var known = facts();
    var folded = canonical(text.slice(start, start + known.tldLengths[0]));
    for (var i = 0; i < known.tldLengths.length; i++) {
      var length = known.tldLengths[i];
      if (length <= folded.length && known.tlds.has(folded.slice(0, length)) &&
          tldEndsAt(text, start + length)) {
        return start + length;
      }
    }
    if (asciiLower(text.slice(start, start + 4)) === "xn--") {
      var punycodeEnd = punycodeChar.run(text, start + 4);
      if (punycodeEnd > start + 4 && tldEndsAt(text, punycodeEnd)) return punycodeEnd;
    }
    return -1;
  }

  /* The end of a label at start that a dot follows, or -1; runEnd: where the label
     characters from start end. Hyphens and underscores only inside. */
  function labelEnd(text, start, runEnd) {
    if (runEnd === start || text[runEnd] !== "." || "-_".indexOf(text[start]) !== -1 ||
        "-_".indexOf(text[runEnd - 1]) !== -1) {
      return -1;
    }
    return runEnd;
  }

  function asciiLabelEnd(text, start, runEnd) {
    return runEnd > start && text[runEnd] === "." ? runEnd : -1;
  }

  /* Where the domain names of one text end, by start: labels each followed by a dot, then
     a known TLD, as long as possible. Each start is worked out once (a long chain of labels
     would otherwise cost quadratic time). */
  function Domains(text, asciiOnly) {
    var ends = new Map();
    var labelAt = asciiOnly ? asciiLabelEnd : labelEnd;
    var chars = asciiOnly ? asciiLabelChar : labelChar;
    var run = [0, 0];

    function runEnd(start) {
      if (!(run[0] <= start && start < run[1])) run = [start, chars.run(text, start)];
      return run[1];
    }

    this.end = function (start) {
      var chain = [];
      var position = start;
      while (!ends.has(position)) {
        var dot = labelAt(text, position, runEnd(position));
        if (dot === -1) {
          ends.set(position, -1);
          break;
        }
        chain.push([position, dot]);
        position = dot + 1;
      }
      var found = ends.get(position);
      for (var i = chain.length - 1; i >= 0; i--) {
        // The rest of the chain wins; else this label, if it may stand before a TLD.
        if (found === -1 && text.slice(chain[i][0], chain[i][1]).indexOf("_") === -1) {
          found = tldEnd(text, chain[i][1] + 1);
        }
        ends.set(chain[i][0], found);
      }
      return ends.get(start);
    };
  }

  /* The spans of the ASCII domain names (accented Latin allowed) inside domain. */
  function asciiDomains(domain) {
    var names = new Domains(domain, true);
    var found = [];
    var position = 0;
    while (position < domain.length) {
      var end = names.end(position);
      if (end === -1) {
        position += at(domain, position).length;
      } else {
        found.push([position, end]);
        position = end;
      }
    }
    return found;
  }

  /* -- paths and queries -------------------------------------------------------------------- */

  function groupEnd(text, start, pathChar) {
    if (text[start] !== "(") return -1;
    var first = pathChar.run(text, start + 1);
    if (first > start + 1 && text[first] === ")") return first + 1;
    if (text[first] !== "(") return -1;
    var inner = pathChar.run(text, first + 1);
    if (inner === first + 1 || text[inner] !== ")") return -1;
    var last = pathChar.run(text, inner + 1);
    return text[last] === ")" ? last + 1 : -1;
  }

  function stretchEnd(text, start, flavour) {
    var position = start;
    var end = -1;
    while (position < text.length) {
      var character = at(text, position);
      if (flavour.pathChar.test(character)) {
        position += character.length;
        if (flavour.pathEnd.test(character)) end = position;
        continue;
      }
      var group = groupEnd(text, position, flavour.pathChar);
      if (group === -1) break;
      if (flavour.groupEndsStretch(text.slice(position + 1, group - 1))) end = group;
      position = group;
    }
    return end;
  }

  function pathEnd(text, start, flavour) {
    var end = start;
    for (;;) {
      var step = stretchEnd(text, end, flavour);
      if (step === -1 && flavour.loneGroups) step = groupEnd(text, end, flavour.pathChar);
      if (step === -1) return end;
      end = step;
    }
  }

  function queryEnd(text, start, flavour) {
    var end = -1;
    var position = start + 1;
    while (position < text.length) {
      var character = at(text, position);
      if (!flavour.queryChar.test(character)) break;
      position += character.length;
      if (flavour.queryEnd.test(character)) end = position;
    }
    return end;
  }

  /* -- the scan ------------------------------------------------------------------------------ */

  function schemeEnd(text, start, flavour) {
    for (var i = 0; i < flavour.schemes.length; i++) {
      var scheme = flavour.schemes[i];
      if (asciiLower(text.slice(start, start + scheme.length)) === scheme) {
        return start + scheme.length;
      }
    }
    return -1;
  }

  function candidateAt(text, start, before, flavour, domains) {
    var scheme = schemeEnd(text, start, flavour);
    var domain = scheme === -1 ? -1 : domains.end(scheme);
    if (domain === -1) {
      scheme = -1;
      domain = domains.end(start);
      if (domain === -1) return null;
    }
    var end = domain;
    if (text[end] === ":" && digits.run(text, end + 1) > end + 1) end = digits.run(text, end + 1);
    var hasPath = text[end] === "/";
    if (hasPath) end = pathEnd(text, end + 1, flavour);
    if (text[end] === "?") {
      var query = queryEnd(text, end, flavour);
      if (query !== -1) end = query;
    }
    return { before: before, start: start, schemeEnd: scheme, domainEnd: domain,
      hasPath: hasPath, end: end };
  }

  /* Every link-shaped stretch, left to right; a link never follows a letter, digit, @, $
     or # directly, and that character belongs to the match. */
  function candidates(text, flavour) {
    var domains = new Domains(text, false);
    var found = [];
    var position = 0;
    while (position < text.length) {
      var character = at(text, position);
      var candidate = null;
      if (!blocksLink.test(character)) {
        candidate = candidateAt(text, position + character.length, character, flavour, domains);
      }
      if (candidate === null && position === 0) {
        candidate = candidateAt(text, 0, "", flavour, domains);
      }
      if (candidate === null) {
        position += character.length;
      } else {
        found.push(candidate);
        position = candidate.end;
      }
    }
    return found;
  }

  function domainOf(text, candidate) {
    return text.slice(candidate.schemeEnd === -1 ? candidate.start : candidate.schemeEnd,
      candidate.domainEnd);
  }

  /* -- what each network accepts -------------------------------------------------------------- */

  var MAX_URL_LENGTH = 4096;

  function adapt(delta, points, first) {
    delta = first ? Math.floor(delta / 700) : delta >> 1;
    delta += Math.floor(delta / points);
    var k = 0;
    while (delta > 455) {
      delta = Math.floor(delta / 35);
      k += 36;
    }
    return k + Math.floor(36 * delta / (delta + 38));
  }

  /* The length of the punycode (RFC 3492) form of text, without "xn--". */
  function punycodeLength(text) {
    var codes = Array.from(text, function (c) { return c.codePointAt(0); });
    var basic = codes.filter(function (code) { return code < 0x80; }).length;
    var length = basic + (basic ? 1 : 0);
    var handled = basic;
    var n = 128;
    var delta = 0;
    var bias = 72;
    while (handled < codes.length) {
      var next = Math.min.apply(null, codes.filter(function (code) { return code >= n; }));
      delta += (next - n) * (handled + 1);
      n = next;
      for (var i = 0; i < codes.length; i++) {
        if (codes[i] < n) delta++;
        if (codes[i] !== n) continue;
        var q = delta;
        for (var k = 36; ; k += 36) {
          var t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
          if (q < t) break;
          length++;
          q = Math.floor((q - t) / (36 - t));
        }
        length++;
        bias = adapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
      delta++;
      n++;
    }
    return length;
  }

  function encodedLabelLength(label) {
    var parts = label.split(/[\u3002\uff0e\uff61]/);
    var length = parts.length - 1;
    parts.forEach(function (part) {
      length += /[^\x20-\x7e]/.test(part) ? 4 + punycodeLength(part) : part.length;
    });
    return length;
  }

  function encodedDomainLength(domain) {
    var labels = domain.split(".");
    return labels.length - 1 + labels.reduce(function (sum, label) {
      return sum + encodedLabelLength(label);
    }, 0);
  }

  function domainIsValid(domain) {
    if (domain.slice(0, 4) === "xn--" && asciiDomains(domain).length === 0) return false;
    return domain.split(".").every(function (label) {
      var length = encodedLabelLength(label);
      return length >= 1 && length <= 63;
    });
  }

  function tcoEnd(text, candidate) {
    var match = TCO.exec(text.slice(candidate.start, candidate.end));
    if (match === null) return candidate.end;
    return match[1].length > 40 ? -1 : candidate.start + match[0].length;
  }

  /* The [start, end] UTF-16 spans of the links X counts as 23 each. */
  function xUrls(text) {
    var spans = [];
    candidates(text, X).forEach(function (candidate) {
      var domain = domainOf(text, candidate);
      var schemeLength = candidate.schemeEnd === -1 ? 8 : candidate.schemeEnd - candidate.start;
      if (!domainIsValid(domain) ||
          schemeLength + candidate.end - candidate.start > MAX_URL_LENGTH) {
        return;
      }
      if (candidate.schemeEnd !== -1) {
        var end = tcoEnd(text, candidate);
        if (end !== -1) spans.push([candidate.start, end]);
        return;
      }
      if (["-", "_", ".", "/"].indexOf(candidate.before) !== -1) return;
      var names = asciiDomains(domain).map(function (span) {
        return [candidate.start + span[0], candidate.start + span[1]];
      });
      if (names.length && candidate.hasPath) names[names.length - 1][1] = candidate.end;
      spans.push.apply(spans, names);
    });
    return spans;
  }

  /* The [start, end] UTF-16 spans of the links Mastodon counts as its reserved length. */
  function mastodonUrls(text) {
    var spans = [];
    candidates(text, MASTODON).forEach(function (candidate) {
      if (candidate.schemeEnd === -1) return;
      var domain = domainOf(text, candidate);
      if (!domainIsValid(domain)) return;
      var growth = Math.max(0, encodedDomainLength(domain) - Array.from(domain).length);
      var length = Array.from(text.slice(candidate.start, candidate.end)).length;
      if (length + growth > MAX_URL_LENGTH) return;
      var end = tcoEnd(text, candidate);
      if (end !== -1) spans.push([candidate.start, end]);
    });
    return spans;
  }

  /* -- lengths -------------------------------------------------------------------------------- */

  function graphemeLength(text) {
    var segments = SEGMENTER.segment(text)[Symbol.iterator]();
    var count = 0;
    while (!segments.next().done) count++;
    return count;
  }

  function utf16Length(text) {
    return text.length;
  }

  function utf8Length(text) {
    return ENCODER.encode(text).length;  // a lone surrogate becomes U+FFFD: 3 bytes
  }

  function xEmojiLength(text, start, known) {
    if (!known.emojiStarts.has(text[start])) return 0;
    for (var length = Math.min(known.longestEmoji, text.length - start); length > 1; length--) {
      if (known.emoji.has(text.slice(start, start + length))) return length;
    }
    return 0;
  }

  function xCodePointWeight(code, known) {
    for (var i = 0; i < known.light.length; i++) {
      if (code >= known.light[i][0] && code <= known.light[i][1]) return 1;
    }
    return 2;
  }

  /* X's weighted length: NFC; 23 per link; 2 per emoji sequence; 1 or 2 per code point. */
  function xWeightedLength(text) {
    text = text.normalize("NFC");
    var known = facts();
    var links = new Map(xUrls(text));
    var total = 0;
    var position = 0;
    while (position < text.length) {
      if (links.has(position)) {
        total += URL_LENGTH;
        position = links.get(position);
        continue;
      }
      var emoji = xEmojiLength(text, position, known);
      if (emoji) {
        total += 2;
        position += emoji;
        continue;
      }
      var character = at(text, position);
      total += xCodePointWeight(character.codePointAt(0), known);
      position += character.length;
    }
    return total;
  }

  var WORD = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
  var MENTION = new RegExp("(?<![=/" + WORD + "])@([a-zA-Z0-9_]+(?:[.-]+[a-zA-Z0-9_]+)*)" +
    "(@[" + WORD + "]+(?:[.-]+[" + WORD + "]+)*)?", "gu");
  var NOT_A_MENTION = new RegExp("^(?:[@\\uff20" + LATIN_ACCENTS + "]|:\\/\\/)", "u");
  var BLANK = /^\p{White_Space}*$/u;

  function mastodonMentions(text) {
    var mentions = [];
    var match;
    MENTION.lastIndex = 0;
    while ((match = MENTION.exec(text)) !== null) {
      if (!NOT_A_MENTION.test(text.slice(MENTION.lastIndex))) {
        mentions.push([match.index, MENTION.lastIndex, "@" + match[1]]);
      }
    }
    return mentions;
  }

  /* Mastodon's length: links as urlLength x's, "@user@domain" as "@user", in graphemes. */
  function mastodonLength(text, urlLength) {
    if (BLANK.test(text)) return 0;
    var placeholder = "x".repeat(urlLength === undefined ? URL_LENGTH : urlLength);
    var entities = mastodonUrls(text).map(function (span) {
      return [span[0], span[1], placeholder];
    }).concat(mastodonMentions(text));
    entities.sort(function (a, b) { return a[0] - b[0]; });
    var out = "";
    var position = 0;
    entities.forEach(function (entity) {
      if (entity[0] < position) return;  // overlaps the previous one
      out += text.slice(position, entity[0]) + entity[2];
      position = entity[1];
    });
    return graphemeLength(out + text.slice(position));
  }

  var COUNTERS = {
    x: function (text) { return xWeightedLength(text); },
    mastodon: mastodonLength,
    linkedin: function (text) { return utf16Length(escapeLittle(text)); }
  };

  /* Measure text against network's budget; limit (optional) replaces the default limit,
     urlLength (optional) the length a link counts on Mastodon. */
  function measure(network, text, limit, urlLength) {
    if (!Object.prototype.hasOwnProperty.call(NETWORK_RULES, network)) {
      throw new Error("unknown network: " + network);
    }
    if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit >= 1)) {
      throw new RangeError("limit must be a positive integer, not " + limit);
    }
    var rule = NETWORK_RULES[network];
    var count = COUNTERS[network] || graphemeLength;
    var linkLength = urlLength === undefined || urlLength === null ? rule.urlLength : urlLength;
    var result = {
      network: network,
      used: count(text, linkLength === null ? 0 : linkLength),
      limit: limit === undefined || limit === null ? rule.limit : limit,
      unit: rule.unit,
      bytes_used: rule.byteLimit === null ? null : utf8Length(text),
      byte_limit: rule.byteLimit
    };
    result.over = (result.limit !== null && result.used > result.limit) ||
      (result.byte_limit !== null && result.bytes_used > result.byte_limit);
    result.remaining = result.limit === null ? null : result.limit - result.used;
    return result;
  }

  window.AdvocacyCount = Object.freeze({
    findUrls: findUrls,
    xUrls: xUrls,
    mastodonUrls: mastodonUrls,
    escapeLittle: escapeLittle,
    xWeightedLength: xWeightedLength,
    mastodonLength: mastodonLength,
    graphemeLength: graphemeLength,
    utf16Length: utf16Length,
    measure: measure
  });
})();
