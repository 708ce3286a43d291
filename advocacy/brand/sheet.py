"""What the worksheet asks, in order (DOMAIN.md, "Personal-brand worksheet").

One declaration serves the form's labels, the read-only and print views, the comparison of
two versions and the Markdown export, so the seven blocks cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

CONTENT_TYPES = {
    "opinion": _l("Point-of-view posts"), "blog": _l("Blog articles"),
    "audio_video": _l("Podcasts and videos"), "campaign_event": _l("Campaign and event posts"),
    "live": _l("Livestreams and webinars"), "community": _l("Community engagement"),
    "engaging": _l("Engaging with others' posts"),
}
SOURCES = {
    "corporate": _l("Corporate content"), "press": _l("Press"), "studies": _l("Studies"),
    "others": _l("Other people's posts"), "magazines": _l("Magazines"),
}
GOALS = {
    "visibility": _l("Visibility"), "growth": _l("Network growth"),
    "expert": _l("Being seen as an expert"), "loyalty": _l("Loyalty and appreciation"),
    "market_value": _l("Market value"), "leads": _l("Lead generation"),
}
INTENTION_LABELS = {"educate": _l("Educate"), "inform": _l("Inform"),
                    "inspire": _l("Inspire"), "entertain": _l("Entertain")}

CEO_QUESTIONS = (
    ("goal", _l("What do you want to achieve on social media?")),
    ("kpis", _l("Which figures will show that you are getting there?")),
    ("brand", _l("How will you build a strong brand? Choose a few topics, also beyond the "
                 "company.")),
    ("audiences", _l("Whom do you want to reach?")),
    ("message", _l("Your core message: a personal statement in one or two sentences.")),
    ("platforms", _l("Which platforms will you use, and why those?")),
    ("profile", _l("Is your profile ready: photo, banner, bio, keywords in the headline?")),
    ("activity", _l("What is your activity plan: what do you post, and how often?")),
    ("cadence", _l("How often will you react, comment and answer?")),
    ("review", _l("How and when will you review what works and develop it further?")),
)


@dataclass(frozen=True)
class Question:
    key: str
    label: Any
    kind: str = "text"  # text | pairs | choices | split | number | lines
    choices: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Block:
    key: str
    title: Any
    questions: tuple[Question, ...]


BLOCKS = (
    Block("brand", _l("You as a personal brand"), (
        Question("topics_now", _l("Which topics do you want to stand for, now and in the "
                                  "coming years?")),
        Question("strengths", _l("What values and strengths from your past and current jobs "
                                 "set you apart?")),
        Question("career", _l("Where is your career heading, and what will you start "
                              "posting about?")),
        Question("perception", _l("How do you want to be seen from outside?")),
        Question("personal", _l("What are you willing to share about yourself?")),
    )),
    Block("topics", _l("Topics and hashtags"), (
        Question("pairs", _l("Topics and their hashtags"), "pairs"),
        Question("other_topics", _l("Other topics")),
        Question("interests", _l("Personal interests that go well with your work")),
    )),
    Block("audience", _l("Target audience"), (
        Question("audience_now", _l("Who follows you today?")),
        Question("audience_next", _l("Whom do you want to reach next (topics, job roles, "
                                     "industries)?")),
    )),
    Block("content", _l("Type of content"), (
        Question("content_types", _l("What you want to post"), "choices", CONTENT_TYPES),
        Question("sources", _l("Where your content comes from"), "choices", SOURCES),
        Question("websites", _l("Relevant websites and links"), "lines"),
    )),
    Block("style", _l("Style and intention"), (
        Question("intention", _l("Intention"), "split", INTENTION_LABELS),
        Question("style", _l("What makes you recognisable")),
    )),
    Block("goals", _l("Goals"), (
        Question("goals", _l("Your goals"), "choices", GOALS),
    )),
    Block("time", _l("Time"), (
        Question("daily_minutes", _l("Minutes a day for community work"), "number"),
        Question("posts_per_week", _l("Posts a week"), "number"),
        Question("minutes_per_post", _l("Minutes per post"), "number"),
    )),
)


def answered(question: Question, value: Any) -> bool:
    if question.kind == "split":
        return bool(value) and sum(value.values()) == 100
    return bool(value)


def filled_blocks(data: Mapping[str, Any]) -> list[str]:
    """The blocks with at least one answer."""
    return [block.key for block in BLOCKS
            if any(answered(q, data.get(q.key)) for q in block.questions)]


def display(question: Question, value: Any) -> str:
    """An answer as one readable text (for the read-only views, comparison and export)."""
    if not value:
        return ""
    if question.kind == "pairs":
        return "; ".join(f"{p['topic']} {p['hashtags']}".strip() for p in value)
    if question.kind == "choices":
        assert question.choices is not None
        return ", ".join(str(question.choices[key]) for key in value if key in question.choices)
    if question.kind == "split":
        assert question.choices is not None
        return ", ".join(f"{question.choices[key]} {value.get(key, 0)} %"
                         for key in question.choices)
    if question.kind == "lines":
        return "\n".join(value)
    return str(value)


def rows(data: Mapping[str, Any]) -> list[tuple[Block, list[tuple[Question, str]]]]:
    return [(block, [(q, display(q, data.get(q.key))) for q in block.questions])
            for block in BLOCKS]


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[Block, Question,
                                                                            str, str]]:
    """Every answer that differs between two versions, as text."""
    changed = []
    for block in BLOCKS:
        for question in block.questions:
            before, after = display(question, old.get(question.key)), display(
                question, new.get(question.key))
            if before != after:
                changed.append((block, question, before, after))
    return changed


def markdown(name: str, data: Mapping[str, Any], ceo: Mapping[str, Any] | None,
             saved: str) -> str:
    """The worksheet as a Markdown document to take along."""
    lines = [f"# {_l('Personal-brand worksheet')}: {name}", "", f"_{saved}_", ""]
    for block, answers in rows(data):
        lines += [f"## {block.title}", ""]
        for question, text in answers:
            lines += [f"**{question.label}**", "", _quote(text) if text else "—", ""]
    if ceo:
        lines += [f"## {_l('Social CEO: ten guiding questions')}", ""]
        for number, (key, label) in enumerate(CEO_QUESTIONS, start=1):
            lines += [f"**{number}. {label}**", "", _quote(ceo.get(key, "")) or "—", ""]
    return "\n".join(lines).rstrip() + "\n"


def _quote(text: str) -> str:
    """Answers are the person's own text: kept as written, each line its own paragraph line
    (a leading '#' or '-' typed by them must not turn into Markdown structure)."""
    return "\n".join(("\\" + line if line[:1] in "#->*+|" else line) if line else ""
                     for line in text.splitlines())
