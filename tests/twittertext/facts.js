// Prints static/js/counting-data.js: the facts our X counting needs, taken from the
// installed twitter-text (and the twemoji-parser it depends on) so that they cannot drift
// from the judge. tests/twittertext/test_x_judge.py checks that the file in the repository
// is exactly what this prints; after pinning a new twitter-text, regenerate it with
//   node tests/twittertext/facts.js > static/js/counting-data.js
//
// Facts, not code: the top-level domains X recognises, its weight table, and the emoji
// sequences of more than one code point that X counts as one (weight 2). Single-code-point
// emoji are left out on purpose: each already weighs 2 as a plain character (checked below).
"use strict";

const twitterText = require("twitter-text");

/* Babel's compiled modules export either the value itself or {default: value}. */
function defaultOf(module) {
  return module instanceof RegExp ? module : module.default;
}
const gtld = defaultOf(require("twitter-text/dist/regexp/validGTLD"));
const cctld = defaultOf(require("twitter-text/dist/regexp/validCCTLD"));
const emojiRegex = defaultOf(require("twemoji-parser/dist/lib/regex"));
const { parse: parseEmoji } = require("twemoji-parser");

const SKIN_TONES = ["\u{1F3FB}", "\u{1F3FC}", "\u{1F3FD}", "\u{1F3FE}", "\u{1F3FF}"];

function fail(message) {
  throw new Error(message);
}

/* The alternatives of "(?:(?:a|b|c)(?=...))", the shape of both TLD patterns. */
function tldList(pattern) {
  const match = /^\(\?:\(\?:(.*)\)\(\?=\[\^0-9a-zA-Z@\+\\?-\]\|\$\)\)$/.exec(pattern.source);
  if (!match) fail("the TLD pattern changed shape: " + pattern.source.slice(0, 80));
  const names = match[1].split("|");
  for (const name of names) {
    if (!/^[\p{L}\p{M}0-9-]+$/u.test(name)) fail("unexpected TLD " + JSON.stringify(name));
  }
  return names;
}

/* Every string a pattern made only of literals, \uXXXX escapes, classes, groups, "|", "?"
   and the look-ahead "(?!\ufe0e)" can match (the look-ahead treated as matching empty). */
function expand(source) {
  let at = 0;
  function unit() {
    if (source[at] === "\\" && source[at + 1] === "u") {
      const ch = String.fromCharCode(parseInt(source.slice(at + 2, at + 6), 16));
      at += 6;
      return ch;
    }
    if (source[at] === "\\") fail("unexpected escape at " + at);
    return source[at++];
  }
  function charClass() {
    at++; // [
    const out = [];
    while (source[at] !== "]") {
      const low = unit();
      if (source[at] === "-" && source[at + 1] !== "]") {
        at++;
        const high = unit();
        for (let code = low.charCodeAt(0); code <= high.charCodeAt(0); code++) {
          out.push(String.fromCharCode(code));
        }
      } else {
        out.push(low);
      }
    }
    at++; // ]
    return out;
  }
  function atom() {
    if (source.startsWith("(?!", at)) {
      alternatives(); // parsed and dropped: it consumes nothing
      return [""];
    }
    if (source[at] === "(") {
      at += source.startsWith("(?:", at) ? 3 : 1;
      const inner = alternatives();
      if (source[at++] !== ")") fail("unbalanced group at " + at);
      return inner;
    }
    if (source[at] === "[") return charClass();
    return [unit()];
  }
  function sequence() {
    let strings = [""];
    while (at < source.length && source[at] !== "|" && source[at] !== ")") {
      let options = atom();
      if (source[at] === "?") {
        at++;
        options = ["", ...options];
      }
      strings = strings.flatMap((head) => options.map((tail) => head + tail));
    }
    return strings;
  }
  function alternatives() {
    if (source.startsWith("(?!", at)) {
      at += 3;
      alternatives();
      at++; // )
      return [""];
    }
    let strings = sequence();
    while (source[at] === "|") {
      at++;
      strings = strings.concat(sequence());
    }
    return strings;
  }
  const all = alternatives();
  if (at !== source.length) fail("pattern not fully read, stopped at " + at);
  return all;
}

function weightOf(codePoint, config) {
  if (codePoint > 0xffff) return config.defaultWeight / config.scale;
  const range = config.ranges.find((r) => codePoint >= r.start && codePoint <= r.end);
  return (range ? range.weight : config.defaultWeight) / config.scale;
}

function emojiSequences(config) {
  const all = new Set(expand(emojiRegex.source));
  const sequences = new Set();
  for (const text of all) {
    const codePoints = Array.from(text);
    const entities = parseEmoji(text);
    if (entities.length !== 1 || entities[0].text !== text) {
      fail("twemoji-parser does not take " + JSON.stringify(text) + " as one emoji");
    }
    if (codePoints.length === 1) {
      if (weightOf(codePoints[0].codePointAt(0), config) !== 2) {
        fail("a one-code-point emoji that weighs differently as a character: " + text);
      }
    } else {
      sequences.add(text);
    }
  }
  // One skin tone stands for all five: keep the sequences with the lightest one only,
  // after checking that the other four are there too.
  const kept = [];
  for (const text of sequences) {
    const tones = SKIN_TONES.filter((tone) => text.includes(tone));
    if (tones.length > 1) fail("two skin tones in " + JSON.stringify(text));
    if (tones.length === 1 && tones[0] !== SKIN_TONES[0]) continue;
    if (tones.length === 1) {
      for (const tone of SKIN_TONES) {
        if (!sequences.has(text.replace(SKIN_TONES[0], tone))) {
          fail("not every skin tone of " + JSON.stringify(text));
        }
      }
    }
    kept.push(text);
  }
  return kept.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function facts() {
  const config = twitterText.configs.defaults;
  return {
    twitter_text: require("twitter-text/package.json").version,
    x: {
      max_weighted_length: config.maxWeightedTweetLength,
      url_length: config.transformedURLLength,
      default_weight: config.defaultWeight / config.scale,
      light_ranges: config.ranges.map((r) => {
        if (r.weight / config.scale !== 1) fail("a range of weight " + r.weight);
        return [r.start, r.end];
      }),
      emoji_sequences: emojiSequences(config)
    },
    tlds: { generic: tldList(gtld), country: tldList(cctld) }
  };
}

const HEADER = [
  "/* Generated by tests/twittertext/facts.js from twitter-text; do not edit by hand.",
  " * The facts X counts by: its weight table, its top-level domains and the emoji sequences",
  " * it counts as one. Read by static/js/counting.js (as window.AdvocacyCountingData) and by",
  " * advocacy/providers/urls.py (which reads the JSON after the \"=\" up to the final \";\"). */",
  ""
].join("\n");

/* JSON with every non-ASCII character escaped, so that joiners and variation selectors
   stay visible in the file; arrays are packed into lines of at most 96 characters. */
function asciiJson(value, indent) {
  const pad = " ".repeat(indent + 2);
  if (Array.isArray(value)) {
    const lines = [];
    let line = "";
    for (const item of value.map((element) => asciiJson(element, indent + 2))) {
      if (line && pad.length + line.length + item.length + 2 > 96) {
        lines.push(pad + line.trimEnd());
        line = "";
      }
      line += item + ", ";
    }
    if (line) lines.push(pad + line.slice(0, -2));
    return "[\n" + lines.join("\n") + "\n" + " ".repeat(indent) + "]";
  }
  if (value !== null && typeof value === "object") {
    const items = Object.keys(value).map((key) =>
      pad + JSON.stringify(key) + ": " + asciiJson(value[key], indent + 2));
    return "{\n" + items.join(",\n") + "\n" + " ".repeat(indent) + "}";
  }
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g,
    (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));
}

process.stdout.write(HEADER + "window.AdvocacyCountingData = " + asciiJson(facts(), 0) + ";\n");
