"""Training modules: writing them (the quiz as plain text), taking the quiz, and the
requirements an admin sets (before the first share, before joining tier 2).

The quiz is written as blocks separated by a blank line: the question on the first line,
then one answer per line starting with "-" (wrong) or "*" (right, exactly one). A quiz is
passed when every answer is right; which ones were wrong is not revealed, so the text has
to be read. Callable without a request; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session, selectinload

from advocacy.errors import DomainError
from advocacy.people.models import User
from advocacy.sanitize import sanitize_html
from advocacy.sharing.models import Share
from advocacy.training.models import REQUIREMENTS, QuizQuestion, TrainingModule, TrainingProgress

log = logging.getLogger(__name__)

MAX_QUESTIONS = 20


class TrainingRequired(DomainError):
    """A required module is not passed yet; the message names it."""


@dataclass(frozen=True)
class QuestionData:
    text: str
    options: list[str]
    correct: int


def parse_quiz(source: str) -> list[QuestionData]:
    """The questions of the quiz text, or a DomainError saying what is wrong where."""
    blocks = [b for b in (block.strip() for block in source.replace("\r\n", "\n")
                          .split("\n\n")) if b]
    if len(blocks) > MAX_QUESTIONS:
        raise DomainError(_("At most %(n)d questions, please.", n=MAX_QUESTIONS))
    questions = []
    for number, block in enumerate(blocks, start=1):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        text, answers = lines[0], lines[1:]
        if text.startswith(("-", "*")) or len(text) > 500:
            raise DomainError(_("Question %(n)d: start with the question itself (at most 500 "
                                "characters), then the answers.", n=number))
        if len(answers) < 2 or any(not a.startswith(("-", "*")) for a in answers):
            raise DomainError(_("Question %(n)d: give at least two answers, each on its own "
                                "line starting with “-” (wrong) or “*” (right).", n=number))
        right = [i for i, answer in enumerate(answers) if answer.startswith("*")]
        if len(right) != 1:
            raise DomainError(_("Question %(n)d: mark exactly one answer as right with “*”.",
                                n=number))
        options = [answer[1:].strip()[:300] for answer in answers]
        if not all(options):
            raise DomainError(_("Question %(n)d has an empty answer.", n=number))
        questions.append(QuestionData(text, options, right[0]))
    return questions


def _block(text: str, options: list[str], correct: int) -> str:
    return "\n".join([text] + [("* " if i == correct else "- ") + option
                               for i, option in enumerate(options)])


def quiz_text(module: TrainingModule) -> str:
    """The quiz of `module` in the format `parse_quiz` reads, for editing."""
    return "\n\n".join(_block(q.text, q.option_list, q.correct) for q in module.questions)


@dataclass
class ModuleData:
    title: str
    summary: str = ""
    body_html: str = ""
    published: bool = False
    quiz: str = ""


def save_module(session: Session, actor_id: int | None, module: TrainingModule | None,
                data: ModuleData) -> TrainingModule:
    questions = parse_quiz(data.quiz)
    if data.published and not questions:
        raise DomainError(_("A published module needs at least one quiz question."))
    if module is None:
        module = TrainingModule(created_by_id=actor_id)
        session.add(module)
    module.title, module.summary = data.title.strip(), data.summary.strip()
    module.body_html = sanitize_html(data.body_html)
    module.published = data.published
    # Question rows (and so the ids an open quiz form sends) change only with the quiz.
    if quiz_text(module) != "\n\n".join(_block(q.text, q.options, q.correct)
                                         for q in questions):
        module.questions = [QuizQuestion(position=n, text=q.text, options="\n".join(q.options),
                                         correct=q.correct) for n, q in enumerate(questions)]
    session.flush()
    return module


def set_requirement(session: Session, module: TrainingModule, requirement: str) -> None:
    if requirement not in REQUIREMENTS:
        raise DomainError(_("Please choose when the module is required."))
    if requirement != "none" and not module.published:
        raise DomainError(_("Publish the module before requiring it."))
    module.requirement = requirement
    session.flush()


def delete_module(session: Session, module: TrainingModule) -> None:
    """Only a module nobody has passed: passing one is a record worth keeping."""
    passed = session.scalar(sa.select(TrainingProgress.user_id).where(
        TrainingProgress.module_id == module.id, TrainingProgress.passed_at.is_not(None))
        .limit(1))
    if passed is not None:
        raise DomainError(_("Colleagues have passed this module; unpublish it instead."))
    session.delete(module)
    session.flush()


def modules(session: Session, *, drafts: bool = False) -> list[TrainingModule]:
    query = sa.select(TrainingModule).order_by(TrainingModule.requirement.desc(),
                                               TrainingModule.title)
    if not drafts:
        query = query.where(TrainingModule.published)
    return list(session.scalars(query))


def progress_of(session: Session, user_id: int) -> dict[int, TrainingProgress]:
    return {p.module_id: p for p in session.scalars(
        sa.select(TrainingProgress).where(TrainingProgress.user_id == user_id))}


@dataclass(frozen=True)
class QuizResult:
    right: int
    total: int

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.right == self.total


def take_quiz(session: Session, user: User, module_id: int, answers: dict[int, int],
              now: dt.datetime) -> QuizResult:
    """Count the right answers; all right passes (once: a later try changes nothing)."""
    module = session.scalar(sa.select(TrainingModule).where(
        TrainingModule.id == module_id, TrainingModule.published)
        .options(selectinload(TrainingModule.questions)))
    if module is None or not module.questions:
        raise DomainError(_("This module is not available."))
    result = QuizResult(sum(answers.get(q.id) == q.correct for q in module.questions),
                        len(module.questions))
    progress = session.get(TrainingProgress, (user.id, module.id)) or TrainingProgress(
        user_id=user.id, module_id=module.id, attempts=0)
    session.add(progress)
    progress.attempts += 1
    if result.passed and progress.passed_at is None:
        progress.passed_at = now
        log.info("person %s passed training module %s", user.id, module.id)
    session.flush()
    return result


def missing(session: Session, user_id: int | None, requirement: str) -> list[TrainingModule]:
    """Published modules required for `requirement` that the person has not passed."""
    query = sa.select(TrainingModule).where(TrainingModule.published,
                                            TrainingModule.requirement == requirement)
    if user_id is not None:
        query = query.where(~TrainingModule.id.in_(
            sa.select(TrainingProgress.module_id).where(
                TrainingProgress.user_id == user_id, TrainingProgress.passed_at.is_not(None))))
    return list(session.scalars(query.order_by(TrainingModule.title)))


def _titles(found: list[TrainingModule]) -> str:
    return ", ".join(f"“{m.title}”" for m in found)


def require_before_first_share(session: Session, user: User) -> None:
    """Raise TrainingRequired if `user` has never shared and a required module is open."""
    if session.scalar(sa.select(Share.id).where(Share.user_id == user.id).limit(1)):
        return
    found = missing(session, user.id, "first_share")
    if found:
        raise TrainingRequired(ngettext(
            "Before your first share, please complete the training %(titles)s.",
            "Before your first share, please complete the trainings %(titles)s.",
            len(found), titles=_titles(found)))


def require_for_tier(session: Session, user: User | None, name: str, tier_id: int) -> None:
    """Raise TrainingRequired if someone would join tier 2 without the required modules
    (`user` None: a person not created yet, who has passed nothing)."""
    if tier_id != 2 or (user is not None and user.tier_id == 2):
        return
    found = missing(session, user.id if user is not None else None, "tier2")
    if found:
        raise TrainingRequired(ngettext(
            "%(name)s has to complete the training %(titles)s before joining tier 2.",
            "%(name)s has to complete the trainings %(titles)s before joining tier 2.",
            len(found), name=name, titles=_titles(found)))
