/* advocacy: character budgets per social network, counted the way each network counts.
 *
 * The browser twin of advocacy/providers/counting.py: the same rules, the same numbers
 * (tests/browser/test_counting_agreement.py checks that). Change one, change the other.
 * Sets window.AdvocacyCount = {findUrls, xWeightedLength, graphemeLength, utf16Length,
 * measure}. Lengths agree with Python; findUrls indices are UTF-16 (JS string) indices.
 */
(function () {
  "use strict";

  var URL_LENGTH = 23;
  // Python's str.isspace() and JS \s together, spelled out so both end URLs alike.
  var URL_RE = /([hH][tT][tT][pP][sS]?:\/\/|[wW][wW][wW]\.)[^\t\n\x0b\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff<>"]+/gu;
  var TRAILING = ".,;:!?)]}'\"";
  var EMOJI_RE = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]{2}|[0-9#*]\uFE0F?\u20E3/u;
  // Code points that weigh 1 on X; everything else weighs 2.
  var X_LIGHT = [[0x0000, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];
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

  /* The [start, end] UTF-16 spans of the URLs in text, in order. */
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

  /* count() applied to the text between URLs, plus urlLength for every URL. */
  function withUrls(text, count, urlLength) {
    var total = 0;
    var position = 0;
    findUrls(text).forEach(function (span) {
      total += count(text.slice(position, span[0])) + urlLength;
      position = span[1];
    });
    return total + count(text.slice(position));
  }

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

  function xCodePointWeight(code) {
    for (var i = 0; i < X_LIGHT.length; i++) {
      if (code >= X_LIGHT[i][0] && code <= X_LIGHT[i][1]) return 1;
    }
    return 2;
  }

  function xClusterWeight(cluster) {
    if (EMOJI_RE.test(cluster)) return 2;
    var weight = 0;
    for (var character of cluster) {
      weight += xCodePointWeight(character.codePointAt(0));
    }
    return weight;
  }

  /* X's weight of text that holds no URL. */
  function xPlainWeight(text) {
    var weight = 0;
    for (var segment of SEGMENTER.segment(text)) {
      weight += xClusterWeight(segment.segment);
    }
    return weight;
  }

  function xWeightedLength(text) {
    return withUrls(text.normalize("NFC"), xPlainWeight, URL_LENGTH);
  }

  var COUNTERS = { weighted: xPlainWeight, graphemes: graphemeLength, utf16: utf16Length };

  function used(rule, text) {
    if (rule.unit === "weighted") text = text.normalize("NFC");
    var count = COUNTERS[rule.unit];
    return rule.urlLength === null ? count(text) : withUrls(text, count, rule.urlLength);
  }

  /* Measure text against network's budget; limit (optional) replaces the default. */
  function measure(network, text, limit) {
    if (!Object.prototype.hasOwnProperty.call(NETWORK_RULES, network)) {
      throw new Error("unknown network: " + network);
    }
    if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit >= 1)) {
      throw new RangeError("limit must be a positive integer, not " + limit);
    }
    var rule = NETWORK_RULES[network];
    var result = {
      network: network,
      used: used(rule, text),
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
    xWeightedLength: xWeightedLength,
    graphemeLength: graphemeLength,
    utf16Length: utf16Length,
    measure: measure
  });
})();
