"""Evaluation cases: JSON Lines, one case per line (documented in ``evals/README.md``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot import InputError, Verdict
from bot.models import article_key, article_of

CASES_DIR = Path(__file__).parent / "cases"
#: Multi-turn cases: one conversation per line, ``{"id", "turns": [case, case…], "tags", "notes"}``.
CONVERSATIONS_DIR = Path(__file__).parent / "conversations"


class DatasetError(InputError, ValueError):
    """A dataset file cannot be used; the message names the file and line."""


class SourceSpec(BaseModel):
    """An expected source; every given field must match. ``grade`` weighs it in nDCG."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_id: str | None = None
    article: str | None = None
    locator: str | None = None
    network: str | None = None
    grade: int = Field(1, ge=1, le=3)

    @model_validator(mode="after")
    def _something_to_match(self) -> SourceSpec:
        if not any((self.source_id, self.article, self.locator, self.network)):
            raise ValueError("una fuente esperada necesita source_id, article, locator o network")
        return self

    def matches(self, source_id: str, locator: str, network: str | None) -> bool:
        if self.source_id is not None and self.source_id != source_id:
            return False
        if self.network is not None and self.network != network:
            return False
        if self.article is not None:
            found = article_of(locator)
            if found is None or article_key(found) != article_key(self.article):
                return False
        return not (
            self.locator is not None and not (locator == self.locator or locator.startswith(self.locator + "."))
        )


class Case(BaseModel):
    """One question with its expected answer."""

    model_config = ConfigDict(extra="ignore")

    id: str
    question: str = Field(min_length=1)
    draft: str | None = None
    expect_verdict: list[Verdict] = Field(min_length=1)
    forbid_verdict: list[Verdict] = []
    expect_sources: list[SourceSpec] = []
    #: Guideline rules a correct answer applies («Regla 42»); any one counts for the rule hit.
    expect_rules: list[str] = []
    tags: list[str] = []
    notes: str = ""
    dataset: str = ""
    #: ``dev`` (tuned on) or ``test`` (frozen, written independently; never tuned on).
    split: str = "dev"
    #: For a turn of a multi-turn case: the conversation's id and the turn's number (from 1).
    conversation: str | None = None
    turn: int = 0

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @property
    def forbidden(self) -> set[Verdict]:
        """Forbidden verdicts; ``permitido`` is implied when only stricter answers are acceptable."""
        forbidden = set(self.forbid_verdict)
        if Verdict.NO_PERMITIDO in self.expect_verdict and Verdict.PERMITIDO not in self.expect_verdict:
            forbidden.add(Verdict.PERMITIDO)
        return forbidden

    @property
    def out_of_scope(self) -> bool:
        return self.expect_verdict == [Verdict.SIN_BASE]

    @property
    def rules(self) -> set[str]:
        """The expected rules: ``expect_rules``, else the rules among ``expect_sources``."""
        if self.expect_rules:
            return set(self.expect_rules)
        return {s.locator for s in self.expect_sources if s.locator and s.locator.startswith("Regla ")}

    @property
    def retrieval_specs(self) -> list[SourceSpec]:
        """What counts as a right source for hit@k, MRR and nDCG: the expected sources and the
        expected rules (an answer shows the deciding rule first, the article behind it next)."""
        named = {s.locator for s in self.expect_sources if s.locator}
        rules = [SourceSpec(locator=rule, grade=1) for rule in sorted(self.expect_rules) if rule not in named]
        return [*self.expect_sources, *rules]

    @property
    def law_sources(self) -> list[SourceSpec]:
        """The expected law articles (BOE sources)."""
        return [s for s in self.expect_sources if s.source_id and s.source_id.startswith("BOE-")]


def load_cases(paths: list[Path]) -> list[Case]:
    """Read one or more datasets; ids missing in a file become ``<file>:<line>``."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise DatasetError(f"{path}: no se puede leer ({exc})") from None
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{path.name}:{number}"
            try:
                raw = json.loads(line)
                if not isinstance(raw, dict):
                    raise DatasetError(f"{where}: cada línea debe ser un objeto JSON")
                raw.setdefault("id", where)
                split = "test" if path.parent.name == "test" else "dev"
                base = {"dataset": path.stem, "split": split}
                if "turns" in raw:
                    read = _conversation(raw, base)
                else:
                    read = [Case.model_validate({**raw, **base})]
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{where}: JSON no válido ({exc.msg})") from None
            except ValidationError as exc:
                detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
                raise DatasetError(f"{where}: {detail}") from None
            for case in read:
                if case.id in seen:
                    raise DatasetError(f"{where}: id repetido {case.id!r} (ya en {seen[case.id]})")
                seen[case.id] = where
                cases.append(case)
    if not cases:
        raise DatasetError("los conjuntos de datos no contienen ningún caso")
    return cases


def _conversation(raw: dict[str, object], base: dict[str, str]) -> list[Case]:
    """The turns of one multi-turn case as cases ``<id>.1``, ``<id>.2``…, in order."""
    turns = raw["turns"]
    if not isinstance(turns, list) or not turns or not all(isinstance(t, dict) for t in turns):
        raise DatasetError(f"{raw['id']}: «turns» debe ser una lista de turnos (objetos JSON)")
    conversation = str(raw["id"])
    shared = {"tags": raw.get("tags", []), "notes": raw.get("notes", "")}
    return [
        Case.model_validate(
            {**shared, **turn, **base, "id": f"{conversation}.{n}", "conversation": conversation, "turn": n}
        )
        for n, turn in enumerate(turns, 1)
    ]


#: The splits: ``dev`` is tuned on; ``test`` was written independently and frozen before tuning.
SPLITS = ("dev", "test")


def default_datasets(split: str | None = None) -> list[Path]:
    """The shipped datasets of one split, or of both."""
    dev = sorted(CASES_DIR.glob("*.jsonl")) + sorted(CONVERSATIONS_DIR.glob("*.jsonl"))
    test = sorted((CASES_DIR / "test").glob("*.jsonl")) + sorted((CONVERSATIONS_DIR / "test").glob("*.jsonl"))
    return {"dev": dev, "test": test}.get(split or "", dev + test)
