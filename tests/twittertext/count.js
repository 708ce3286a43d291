// The judge: X's own counting library. Reads one JSON string per line on stdin and answers
// each with one JSON line {"weightedLength": n, "valid": bool, "urls": ["...", ...]}, the
// links being the texts X counts as links. Started once per test session by
// tests/twittertext/judge.py.
"use strict";

const readline = require("readline");
const twitterText = require("twitter-text");

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  const text = JSON.parse(line);
  const parsed = twitterText.parseTweet(text);
  const urls = twitterText.extractUrlsWithIndices(text.normalize("NFC"));
  process.stdout.write(JSON.stringify({
    weightedLength: parsed.weightedLength,
    valid: parsed.valid,
    urls: urls.map((url) => url.url)
  }) + "\n");
});
