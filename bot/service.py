"""The facade every adapter and the evaluation runner call: ``Service.ask(question, draft)``.

A :class:`Service` is safe to share between threads. It loads the model and the index once,
builds the index on first use if there is none, and notices when another process (``python
-m bot index``, ``sources sync``) switched to a new index generation: the next question is
answered from the new one, never from a half-written one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.answer import compose
from bot.articles import named_articles
from bot.conversation import follow, next_context
from bot.decision import RuleSpec, Situation, decide, rule_specs
from bot.doubt import DoubtModel, DoubtSource, Intent, case_text, load_arbiter, reconsider, reread
from bot.embeddings import embeddings_for
from bot.errors import InputError
from bot.glossary import GLOSSARY_NAMES, Glossary, load_glossary
from bot.index import ChromaStore, Indexer, IndexMissingError, IndexReport, IndexStoreError
from bot.language import language_of
from bot.models import (
    DRAFT_QUESTION,
    Answer,
    Citation,
    Context,
    ImageSeen,
    LegalRef,
    Retrieved,
    SourceType,
    Trigger,
    Verdict,
)
from bot.pipeline import image_hits, read
from bot.retrieval import Mode, Retrieval, Retriever, Snapshot
from bot.scope import SCOPE_FILE, Scope, load_scope
from bot.settings import Settings, load_settings
from bot.signals import SIGNALS_FILE, SignalBook, SignalClass, load_signals
from bot.sources.sync import LawNames, load_law_names

if TYPE_CHECKING:
    from bot.vision import ImageReading

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Longest question read, and longest part of a draft searched with; a longer draft is still
#: screened whole for signals (that is cheap), and the answer says it was long.
MAX_INPUT_CHARS = 8000

#: One question per language of ``bot/i18n``, answered by :meth:`Service.warm_up`.
WARM_UP_QUESTIONS = (
    "¿Puedo subir a Instagram una foto de mi equipo en la oficina?",
    "Puc penjar a Instagram una foto del meu equip a l'oficina?",
    "Podo subir a Instagram unha foto do meu equipo na oficina?",
    "Nire taldearen argazki bat igo dezaket Instagramera?",
    "Can I post a photo of my team at the office on Instagram?",
)


class QuestionError(InputError, ValueError):
    """The question cannot be answered as given (empty, for instance); the message is for users."""


@dataclass(frozen=True)
class SourceInfo:
    """One source the bot answers from, for ``/fuentes``, the Slack App Home and ``sources status``."""

    source_id: str
    tipo: SourceType
    title: str
    network: str | None
    version: str | None
    url: str | None
    chunks: int


def _retrieved(retrieval: Retrieval, citations: list[Citation], snapshot: Snapshot) -> list[Retrieved]:
    """The ranked hits, then any cited chunk beyond them (a rule's article below the cut), so
    every citation points to something listed as retrieved."""
    scores = {h.chunk.id: h.score for h in retrieval.hits}
    listed = [h.chunk for h in retrieval.hits]
    listed += [
        snapshot.chunks[snapshot.position[c.chunk_id]]
        for c in citations
        if c.chunk_id not in scores and c.chunk_id in snapshot.position
    ]
    return [
        Retrieved(
            source_id=c.source_id,
            tipo=c.tipo,
            network=c.network,
            locator=c.locator,
            score=round(scores.get(c.id, 0.0), 4),
            chunk_id=c.id,
        )
        for c in listed
    ]


class _Reloading(Generic[T]):
    """A knowledge/ configuration file (glossary, scope) re-read when it changes on disk.

    Policy owners edit these files while the bot runs; a broken file logs its problems and
    leaves the loader's fallback (or partial result) in place.
    """

    def __init__(
        self, folder: Path, names: tuple[str, ...], loader: Callable[[Path], tuple[T, list[str]]], empty: T
    ) -> None:
        self.paths = [folder / name for name in names]
        self.loader = loader
        self.folder = folder
        self.value = empty
        self.stamp: float | None = None

    def get(self) -> T:
        stamp = max((p.stat().st_mtime for p in self.paths if p.exists()), default=0.0)
        if stamp != self.stamp:
            self.value, problems = self.loader(self.folder)
            for problem in problems:
                log.warning("%s: %s", self.paths[0].name, problem)
            self.stamp = stamp
        return self.value


class Service:
    """Answers questions from the current index generation.

    ``notify`` receives messages for the person waiting (e.g. "building the index for the
    first time"); ``progress`` is passed to the indexer for a progress bar.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        mode: Mode | None = None,
        auto_index: bool = True,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.mode: Mode = mode or self.settings.retrieval_mode
        self.auto_index = auto_index
        self.notify = notify or (lambda message: log.info("%s", message))
        self.store = ChromaStore(self.settings)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._retriever: Retriever | None = None
        self._glossary = _Reloading(self.settings.knowledge_dir, GLOSSARY_NAMES, load_glossary, Glossary())
        self._scope = _Reloading(self.settings.knowledge_dir, (SCOPE_FILE,), load_scope, Scope())
        self._signals = _Reloading(self.settings.knowledge_dir, (SIGNALS_FILE,), load_signals, SignalBook())
        self._law_names = _Reloading(self.settings.knowledge_dir, ("sources.toml",), load_law_names, LawNames())
        self._doubt = DoubtSource(
            self.settings.doubt_cases_dir,
            self.settings.doubt_dir,
            self.settings.doubt_conversations_dir,
            signals=self._signals.get,
        )
        self._arbiter = load_arbiter(self.settings.doubt_arbiter, "--aprender-arbitro")
        self._follow_up_arbiter = load_arbiter(self.settings.doubt_follow_up_arbiter, "--aprender-arbitro-seguimientos")
        self._rules: tuple[tuple[int, int], list[RuleSpec]] | None = None
        self._checked_at = 0.0

    # ------------------------------------------------------------------ public API

    def ask(
        self,
        question: str,
        draft: str | None = None,
        *,
        images: Sequence[bytes] = (),
        context: Context | None = None,
    ) -> Answer:
        """Answer one question (and the draft of the post, if any, and its photos) with a cited verdict.

        ``images`` are the bytes of photos the person wants to post: their text is screened like
        a draft and their faces count as people in the picture (:mod:`bot.vision`, the ``[ocr]``
        extra). An unreadable image is a :class:`QuestionError`.

        ``context`` is the :attr:`Answer.context` of the previous answer in the same
        conversation: the question is then read as a follow-up of the earlier turns
        (:mod:`bot.conversation`). It lives in memory only; nothing here stores it.
        """
        started = time.perf_counter()
        book = self._signals.get()
        seen = see(images)
        if seen and not (question or "").strip() and not (draft or "").strip():
            question = DRAFT_QUESTION
        reading = read((question or "")[:MAX_INPUT_CHARS], draft, book)
        if reading.empty:
            raise QuestionError("La pregunta está vacía: escribe qué quieres publicar o qué quieres saber.")
        # The asker's language, for the answer's own words (a short follow-up keeps the earlier one).
        language = language_of(question, draft, [t.question for t in context.turns] if context else ())
        shown = [ImageSeen(text=r.text, faces=len(r.faces), crowd=r.crowd) for r in seen]
        if shown:
            reading = replace(reading, hits=reading.hits + tuple(image_hits(shown, book)))
        followed = follow(reading, shown, context, book)
        alone, reading = reading, followed.reading
        image_text = "\n".join(r.text for r in followed.images if r.text)
        retriever = self._current_retriever()
        clean, fact = reading.question, reading.question_of_fact
        asked = f"{clean} {followed.earlier}".strip()
        scope = self._scope.get()
        expanded = retriever.glossary.expand(asked)
        statute_only = (
            not fact
            and not reading.draft
            and not followed.images
            and scope.only_statute(asked, retriever.glossary.expand, expanded=expanded)
        )
        if statute_only:
            fact = True  # «¿puedo pedir una excedencia?» asks what the statute allows, not about a post
        law_names = self._law_names.get()
        # A question naming one of the synced laws is about the bot's sources, whatever else it says.
        # The message's own words, apart from the earlier turns that ``asked`` carries.
        own = retriever.glossary.expand(clean) if followed.earlier else None
        # An earlier turn's law does not bring an aside into scope («¿sabes qué tiempo hará?»).
        in_scope = bool(law_names.mentioned(clean if own is not None else asked)) or scope.covers(
            expanded, question_of_fact=fact, own=own
        )
        # A follow-up that stands on its own words, with no fact about the post, is in scope on
        # them: «Ya que estamos, ¿me recomiendas una novela?» is not about the post discussed before.
        off_topic = (
            bool(followed.earlier)
            and not followed.elliptic
            and not (alone.draft or shown)
            and all((sig := book.get(h.signal)) is not None and sig.cls is SignalClass.TEMA for h in alone.hits)
            and not law_names.mentioned(clean)
            and own is not None
            and not scope.covers(own, question_of_fact=fact)
        )
        in_scope = in_scope and not off_topic
        # A follow-up («¿y si le tapo la cara?») is judged on its own words and the draft still
        # discussed, by the model learned from follow-ups (every step), or, without it, by the one
        # learned from single questions (only the hedge against a «sí»); its intent and scope are
        # read by the rules alone. One that opens another matter is read as a question on its own.
        follow_up = bool(context and context.turns) and not followed.new_topic
        doubt, risk_only = self._second_opinion(follow_up)
        # The model of questions on their own also reads the signals of the message itself
        # (its words, its draft, its photos); the follow-ups' model reads words only.
        signals = [h.signal for h in alone.hits] if not follow_up or risk_only else []
        doubt_text = case_text(
            clean if follow_up else asked, "\n".join(filter(None, [reading.draft, image_text])), signals
        )
        estimates = doubt.estimates(doubt_text) if doubt is not None else None
        intent = reread(
            estimates if not follow_up else None,
            Intent(fact, in_scope),
            # An aside in a conversation («Por cierto, ¿cómo se hace la tortilla?») stays out of scope.
            plain=not (reading.draft or followed.images or reading.pushes_for_yes or off_topic)
            and not any(h.via is not None for h in reading.hits),
            query=self.settings.doubt_query,
            scope=self.settings.doubt_scope,
            verdict=self.settings.doubt_verdict,
            settled=statute_only,
        )
        fact, in_scope = intent.question_of_fact, intent.in_scope
        query = " ".join(
            filter(
                None,
                [clean, followed.earlier, (reading.searched_draft or "")[:MAX_INPUT_CHARS], image_text[:2000]],
            )
        )
        named = named_articles(clean, law_names)
        retrieval = self._retrieve(
            retriever,
            query,
            prefer_rules=not fact,
            dense_query=clean or query,
            # A question about the rules that names no law is about the EBEP first.
            prefer_laws=law_names.mentioned(clean) or (law_names.default if fact else ()),
            named=named,
            # A question about the rules that names no network is not about the networks' terms.
            demote_terms=fact and not scope.names_network(expanded),
        )
        t_retrieved = time.perf_counter()

        ranking = {
            h.chunk.locator: h.score for h in retrieval.hits if h.chunk.rule_verdict is not None and h.via is None
        }
        decision = decide(
            Situation(
                reading.hits,
                question_of_fact=fact,
                in_scope=in_scope,
                has_draft=followed.has_material(fact) and not off_topic,
                manipulated=reading.pushes_for_yes,
                asks_requirements=reading.asks_requirements,
            ),
            self._rule_specs(retriever.snapshot, book),
            book,
            ranking,
        )
        if doubt is not None:
            # Each arbiter learned how its model fares: the cases' one on questions on their own,
            # the follow-ups' one on follow-ups; the cases' hedge alone (risk_only) keeps its threshold.
            if not follow_up:
                arbiter, cost = self._arbiter, self.settings.doubt_cost
            else:
                arbiter = None if risk_only else self._follow_up_arbiter
                cost = self.settings.doubt_follow_up_cost
            decision = reconsider(
                decision,
                doubt,
                doubt_text,
                high=self.settings.doubt_high,
                low=self.settings.doubt_low,
                sure=self.settings.doubt_sure,
                estimates=estimates,
                risk_only=risk_only,
                arbiter=arbiter,
                cost=cost,
            )
        if intent.moved is not None and (decision.verdict is Verdict.INFORMATIVO) == (intent.moved == "consulta"):
            decision = replace(decision, reread=intent.moved)
        by_locator = {c.locator: c for c in retriever.snapshot.rules}
        if decision.verdict is not Verdict.INFORMATIVO:
            # The rules that apply lead the sources, with their articles, whatever their similarity.
            applied_ids = [by_locator[a.rule.locator].id for a in decision.applied if a.rule.locator in by_locator]
            retrieval = retriever.promote(retrieval, applied_ids)
        elif doubt is not None and not named and not follow_up:
            # The articles that answered questions like this one lead (unless it names its own).
            retrieval = retriever.lead_with(retrieval, doubt.articles(doubt_text))
        draft = reading.draft
        findings = book.findings(draft, reading.draft_hits)
        composed = compose(
            clean,
            decision,
            retrieval,
            findings,
            book=book,
            rules=by_locator,
            law_names=law_names,
            contact_unit=self.settings.contact_unit,
            injection=reading.injection,
            long_draft=bool(draft and len(draft) > MAX_INPUT_CHARS),
            seen=[r.describe(language) for r in seen],
            language=language,
        )
        finished = time.perf_counter()
        return Answer(
            question=reading.asked,
            draft=draft,
            verdict=decision.verdict,
            answer=composed.text,
            summary=composed.summary,
            summary_citations=composed.summary_citations,
            details=composed.details_without_findings,
            citations=composed.citations,
            retrieved=_retrieved(retrieval, composed.citations, retriever.snapshot),
            draft_findings=findings,
            language=language,
            images=shown,
            follow_up=bool(context and context.turns),
            # What the answer was, not only what the message read as: «¿y el personal laboral?»
            # after an answer with information asks for more information.
            context=next_context(context, alone, followed, informative=decision.verdict is Verdict.INFORMATIVO),
            timings_ms={
                "retrieve": round((t_retrieved - started) * 1000, 2),
                "answer": round((finished - t_retrieved) * 1000, 2),
                "total": round((finished - started) * 1000, 2),
            },
            rules=[a.rule.locator for a in decision.applied],
            triggers=[
                Trigger(
                    rule=a.rule.locator,
                    signal=h.signal,
                    label=book.label(h.signal),
                    text=h.text,
                    start=h.start,
                    end=h.end,
                    field=h.field,
                )
                for a in decision.applied
                for h in a.triggers
            ],
        )

    def _second_opinion(self, follow_up: bool) -> tuple[DoubtModel | None, bool]:
        """The model that reconsiders this message's verdict, and whether only its hedge against
        a «sí» applies (see :func:`bot.doubt.reconsider`)."""
        if not follow_up:
            return self._doubt.get(), False
        if not self.settings.doubt_follow_ups:
            return None, False
        learned = self._doubt.follow_ups() if self.settings.doubt_follow_ups_model else None
        if learned is not None:
            return learned, False
        return self._doubt.get(), True

    def _rule_specs(self, snapshot: Snapshot, book: SignalBook) -> list[RuleSpec]:
        """The rules of ``snapshot`` with their conditions resolved against ``book`` (cached)."""
        key = (id(snapshot), id(book))
        if self._rules is None or self._rules[0] != key:
            specs, problems = rule_specs(snapshot.rules, book)
            for problem in problems:
                log.warning("%s", problem)
            self._rules = (key, specs)
        return self._rules[1]

    def retrieve(self, question: str, k: int = 10) -> Retrieval:
        """Only the retrieval step (used by the evaluation suite's retrieval metrics)."""
        names = self._law_names.get()
        return self._retrieve(
            self._current_retriever(),
            question,
            k,
            prefer_laws=names.mentioned(question),
            named=named_articles(question, names),
        )

    def sources(self) -> list[SourceInfo]:
        """Every source in the serving index, laws first, with its version date."""
        snapshot = self._current_snapshot()
        seen: dict[str, SourceInfo] = {}
        counts: dict[str, int] = {}
        for chunk in snapshot.chunks:
            counts[chunk.source_id] = counts.get(chunk.source_id, 0) + 1
            if chunk.source_id not in seen:
                seen[chunk.source_id] = SourceInfo(
                    chunk.source_id,
                    chunk.tipo,
                    chunk.title,
                    chunk.network,
                    chunk.version,
                    chunk.url.split("#", 1)[0] if chunk.url else None,
                    0,
                )
        order = {SourceType.LEY: 0, SourceType.GUIA: 1, SourceType.CONDICIONES: 2}
        infos = [SourceInfo(**{**s.__dict__, "chunks": counts[s.source_id]}) for s in seen.values()]
        return sorted(infos, key=lambda s: (order[s.tipo], s.network or "", s.source_id))

    def ensure_index(self) -> IndexReport | None:
        """Build the index if there is none (with a message); returns the report if it built one."""
        if self.store.pointer() is not None:
            return None
        self.notify("No hay índice todavía: lo construyo ahora (solo la primera vez; puede tardar un minuto)…")
        report = Indexer(self.settings, self.store).update()
        self.notify(f"Índice listo: {report.chunks} fragmentos en {report.seconds:.1f} s.")
        return report

    def warm_up(self) -> None:
        """Answer one question per language now, so the first person does not wait.

        That loads the model, the index, the language detector, the knowledge files (signals,
        scope, glossary) and each language's vocabulary and stemmer. Nothing is stored.
        """
        for question in WARM_UP_QUESTIONS:
            self.ask(question)

    @property
    def generation(self) -> int | None:
        """The index generation loaded for answering (None before the first question or warm-up)."""
        return self._snapshot.generation if self._snapshot else None

    # ------------------------------------------------------------------ internals

    def _retrieve(
        self,
        retriever: Retriever,
        query: str,
        k: int | None = None,
        prefer_rules: bool = False,
        dense_query: str | None = None,
        prefer_laws: tuple[str, ...] = (),
        named: tuple[LegalRef, ...] = (),
        demote_terms: bool = False,
    ) -> Retrieval:
        k = k or self.settings.top_k
        options: dict[str, Any] = {
            "prefer_rules": prefer_rules,
            "dense_query": dense_query,
            "prefer_laws": prefer_laws,
            "named": named,
            "demote_terms": demote_terms,
        }
        try:
            return retriever.retrieve(query, k, **options)
        except IndexStoreError:
            # The generation may have been pruned under us by a newer index: reload once.
            log.info("Retrieval failed on generation %s; reloading", retriever.snapshot.generation)
            self._checked_at = 0.0
            return self._current_retriever(force=True).retrieve(query, k, **options)

    def _current_snapshot(self) -> Snapshot:
        return self._current_retriever().snapshot

    def _current_retriever(self, *, force: bool = False) -> Retriever:
        now = time.monotonic()
        glossary = self._glossary.get()
        if (
            not force
            and self._retriever is not None
            and now - self._checked_at < self.settings.reload_check_seconds
            and self._retriever.glossary is glossary
        ):
            return self._retriever
        with self._lock:
            self._checked_at = now
            pointer = self.store.pointer()
            if pointer is None:
                if not self.auto_index:
                    raise IndexMissingError("No hay índice: ejecuta «puedo-publicar index» (o «python -m bot index»).")
                self.ensure_index()
                pointer = self.store.pointer()
                if pointer is None:
                    raise IndexStoreError("El índice recién construido no tiene generación activa; vuelve a indexar.")
            snapshot = self._snapshot
            if force or snapshot is None or snapshot.pointer.collections != pointer.collections:
                if snapshot is not None:
                    log.info("Index generation %s → %s", snapshot.generation, pointer.generation)
                snapshot = Snapshot(self.store, pointer, embeddings_for(self.settings))
                self._snapshot = snapshot
            if (
                self._retriever is None
                or self._retriever.snapshot is not snapshot
                or self._retriever.glossary is not glossary
            ):
                self._retriever = Retriever(snapshot, glossary, mode=self.mode, dense_weight=self.settings.dense_weight)
            return self._retriever


def see(images: Sequence[bytes]) -> list[ImageReading]:
    """Read each photo (:func:`bot.vision.read_image`); an unreadable one is a :class:`QuestionError`."""
    if not images:
        return []
    from bot.vision import ImageError, read_image

    seen = []
    for number, data in enumerate(images, 1):
        try:
            seen.append(read_image(data))
        except ImageError as exc:
            which = "la imagen" if len(images) == 1 else f"la imagen {number}"
            raise QuestionError(f"No puedo leer {which}: {exc}.") from None
    return seen
