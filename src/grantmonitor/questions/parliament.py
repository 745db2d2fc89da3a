"""Read a written question's metadata from the Flemish Parliament's open-data JSON.

The parliament publishes each written question (schriftelijke vraag) as a JSON object with
fields such as ``vraagnummer``, ``zittingsjaar``, ``titel``, ``onderwerp``, ``vraagsteller``
(a person object or a plain name), ``minister`` (idem, with the portfolio as ``titel``,
``functie`` or ``bevoegdheid``) and ``procedureverloop``: the steps of the procedure, each with
a ``datum`` and a description (``omschrijving``, ``status`` or ``stap``). The date the question
was asked and the answer's date, if any, are read from those steps.

:func:`parse_question` turns one object into :class:`QuestionMetadata`; it is lenient with what
is merely missing (no title, no session: derived from the date, no answer yet) and refuses what
is unusable (no number, no minister, a date it cannot read) with a :class:`ParliamentFormatError`
naming the field and the value. :func:`import_file` reads a saved file (one object, a list, or a
list under ``items``/``vragen``/``resultaten``) and saves every question through
:func:`grantmonitor.questions.services.question_import`, all or nothing.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.services import question_import

LIST_KEYS = ("items", "vragen", "resultaten", "result", "results")
STEP_TEXT_KEYS = ("omschrijving", "status", "stap", "naam", "type")
ASKED = re.compile(r"ingediend|indiening|gesteld|ontvangen vraag", re.IGNORECASE)
ANSWERED = re.compile(r"antwoord|beantwoord", re.IGNORECASE)
NOT_YET_ANSWERED = re.compile(r"verwacht|termijn|herinnering|rappel|uitstel", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Problem:
    """One unusable field: where (item, field), the value found and what is wrong."""

    item: int
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        return _("item %(item)s, field “%(field)s” (value %(value)s): %(message)s") % {
            "item": self.item,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }


class ParliamentFormatError(ValueError):
    """The file, or a question in it, cannot be imported; ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass
class QuestionMetadata:
    number: int
    session: str
    minister: str
    questioner: str
    asked_on: datetime.date
    portfolio: str = ""
    title: str = ""
    answered_on: datetime.date | None = None
    missing: list[str] = field(default_factory=list)  # optional fields the source left out


@dataclass
class ImportedQuestion:
    question: WrittenQuestion
    created: bool
    missing: list[str]


# ---------------------------------------------------------------------------------------
# Parsing one question
# ---------------------------------------------------------------------------------------


def parse_question(data: object, *, item: int = 1) -> QuestionMetadata:
    """One parliament object as :class:`QuestionMetadata`; every unusable field is reported."""
    if not isinstance(data, dict):
        raise ParliamentFormatError(
            [Problem(item, "-", _shown(data), _("a question is a JSON object."))]
        )
    problems: list[Problem] = []
    missing: list[str] = []

    def refuse(name: str, value: object, message: str) -> None:
        problems.append(Problem(item, name, _shown(value), message))

    number = _number(data.get("vraagnummer"), refuse)
    minister, portfolio = _person(data.get("minister"), "minister", refuse)
    questioner, _unused = _person(data.get("vraagsteller"), "vraagsteller", refuse)
    portfolio = portfolio or _text(data.get("bevoegdheid"))
    asked_on, answered_on = _procedure(data, refuse)
    session = _session(data.get("zittingsjaar"), asked_on, refuse)

    title = _text(data.get("titel")) or _text(data.get("onderwerp"))
    for name, present in (
        ("titel", bool(title)),
        ("zittingsjaar", bool(_text(data.get("zittingsjaar")))),
        ("antwoord", answered_on is not None),
        ("bevoegdheid", bool(portfolio)),
    ):
        if not present:
            missing.append(name)
    if problems:
        raise ParliamentFormatError(problems)
    return QuestionMetadata(
        number=number,
        session=session,
        minister=minister,
        questioner=questioner,
        asked_on=asked_on,
        portfolio=portfolio[:300],
        title=title[:500],
        answered_on=answered_on,
        missing=missing,
    )


def _shown(value: object) -> str:
    if value is None:
        return _("(missing)")
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 80 else text[:77] + "…"


def _text(value: object) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _number(value: object, refuse) -> int:
    text = _text(value)
    digits = re.fullmatch(r"(?:nr\.?\s*)?(\d{1,9})", text, re.IGNORECASE) if text else None
    if value is None or text == "":
        refuse("vraagnummer", value, _("the question's number is required."))
    elif digits is None or int(digits.group(1)) == 0:
        refuse("vraagnummer", value, _("the question's number is a whole number, e.g. 418."))
    else:
        return int(digits.group(1))
    return 0


def _person(value: object, name: str, refuse) -> tuple[str, str]:
    """(full name, portfolio) of a person given as a name or an object; the first of a list."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        full = _text(value.get("volledigeNaam")) or _text(value.get("volledige-naam"))
        if not full:
            full = " ".join(
                part for part in (_text(value.get("voornaam")), _text(value.get("naam"))) if part
            )
        portfolio = next(
            (_text(value[key]) for key in ("titel", "functie", "bevoegdheid") if value.get(key)),
            "",
        )
    else:
        full, portfolio = _text(value), ""
    if not full:
        refuse(name, value, _("a name is required (a text, or an object with voornaam and naam)."))
    elif len(full) > 200:
        refuse(name, value, _("a name is at most 200 characters."))
    return full, portfolio


def parse_date(value: object) -> datetime.date | None:
    """An ISO date or date-time, or a Belgian 23/03/2018; None if it is none of these."""
    text = _text(value)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for form in DATE_FORMATS[1:]:
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _procedure(data: dict, refuse) -> tuple[datetime.date | None, datetime.date | None]:
    """The date asked and the answer's date, from ``procedureverloop`` or top-level dates."""
    steps = data.get("procedureverloop")
    if steps is None:
        steps = []
    if not isinstance(steps, list):
        refuse("procedureverloop", steps, _("the procedure is a list of steps with a date."))
        steps = []
    asked: list[datetime.date] = []
    answered: list[datetime.date] = []
    dated: list[datetime.date] = []
    for index, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            refuse(f"procedureverloop[{index}]", step, _("a step is an object with a date."))
            continue
        raw = step.get("datum")
        on = parse_date(raw)
        if on is None:
            refuse(
                f"procedureverloop[{index}].datum",
                raw,
                _("a date is written 2018-03-23 or 23/03/2018."),
            )
            continue
        text = " ".join(_text(step.get(key)) for key in STEP_TEXT_KEYS)
        dated.append(on)
        if ANSWERED.search(text) and not NOT_YET_ANSWERED.search(text):
            answered.append(on)
        elif ASKED.search(text):
            asked.append(on)
    for key in ("datum-indiening", "datumIndiening", "datum"):
        if data.get(key) is not None:
            on = parse_date(data[key])
            if on is None:
                refuse(key, data[key], _("a date is written 2018-03-23 or 23/03/2018."))
            else:
                asked.append(on)
            break
    for key in ("datum-antwoord", "datumAntwoord", "antwoorddatum"):
        if data.get(key) is not None:
            on = parse_date(data[key])
            if on is None:
                refuse(key, data[key], _("a date is written 2018-03-23 or 23/03/2018."))
            else:
                answered.append(on)
            break
    asked_on = min(asked) if asked else (min(dated) if dated else None)
    answered_on = max(answered) if answered else None
    if asked_on is None:
        refuse(
            "procedureverloop",
            data.get("procedureverloop"),
            _("the date the question was asked is required (a step “ingediend” with a datum)."),
        )
    elif answered_on is not None and answered_on < asked_on:
        refuse(
            "procedureverloop",
            answered_on.isoformat(),
            _("the answer's date lies before the date the question was asked (%(asked)s).")
            % {"asked": asked_on.isoformat()},
        )
        answered_on = None
    return asked_on, answered_on


def session_of(day: datetime.date) -> str:
    """The parliamentary year of a date: it opens on the fourth Monday of September."""
    september = datetime.date(day.year, 9, 1)
    opening = september + datetime.timedelta(days=(7 - september.weekday()) % 7 + 21)
    first = day.year if day >= opening else day.year - 1
    return f"{first}-{first + 1}"


def _session(value: object, asked_on: datetime.date | None, refuse) -> str:
    text = _text(value)
    if not text:
        return session_of(asked_on) if asked_on else ""
    match = re.fullmatch(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})", text)
    if match:
        first = int(match.group(1))
        second = int(match.group(2)) if len(match.group(2)) == 4 else (first + 1) % 100
        if second in (first + 1, (first + 1) % 100):
            return f"{first}-{first + 1}"
    refuse("zittingsjaar", value, _("a session is written as two years, e.g. 2017-2018."))
    return ""


# ---------------------------------------------------------------------------------------
# Importing a file
# ---------------------------------------------------------------------------------------


def questions_in(data: object) -> list:
    """The question objects of a parsed file: one object, a list, or a list under a key."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in LIST_KEYS:
            if isinstance(data.get(key), list):
                return data[key]
        return [data]
    raise ParliamentFormatError(
        [Problem(0, "-", _shown(data), _("the file holds a question object or a list of them."))]
    )


def read_file(path: Path) -> list[QuestionMetadata]:
    """Every question in a saved open-data file, parsed; all problems reported together."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ParliamentFormatError(
            [Problem(0, "-", str(path), _("the file cannot be read: %(error)s") % {"error": exc})]
        ) from exc
    except json.JSONDecodeError as exc:
        raise ParliamentFormatError(
            [
                Problem(
                    0,
                    "-",
                    str(path),
                    _("not valid JSON (line %(line)s, column %(column)s): %(error)s")
                    % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
                )
            ]
        ) from exc
    parsed, problems = [], []
    items = questions_in(data)
    if not items:
        raise ParliamentFormatError([Problem(0, "-", str(path), _("the file holds no question."))])
    for index, item in enumerate(items, start=1):
        try:
            parsed.append(parse_question(item, item=index))
        except ParliamentFormatError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ParliamentFormatError(problems)
    return parsed


@transaction.atomic
def import_file(path: Path) -> list[ImportedQuestion]:
    """Save every question of the file, or none: a new one is created, a known one updated."""
    result = []
    for metadata in read_file(path):
        question, created = question_import(
            number=metadata.number,
            session=metadata.session,
            minister=metadata.minister,
            questioner=metadata.questioner,
            date=metadata.asked_on,
            portfolio=metadata.portfolio,
            title=metadata.title,
            answer_date=metadata.answered_on,
        )
        result.append(ImportedQuestion(question, created, metadata.missing))
    return result
