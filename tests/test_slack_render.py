"""The Slack renderers stay within Slack's limits, whatever the answer: checked with the strict
fake's own Block Kit validator (:func:`fakes.slack_api.message_problem` /
:func:`~fakes.slack_api.view_problem`) and by posting to :class:`FakeSlackAPI`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from adapters.slack import render
from adapters.slack.render import (
    MAX_FINDINGS_SHOWN,
    MAX_MESSAGE_TEXT,
    answer_blocks,
    answer_text,
    cap_messages,
    details_blocks,
    notice_blocks,
    review_intro,
    shared_intro,
)
from adapters.slack.views import details_modal, feedback_modal, feedback_thanks_modal, help_blocks, home_view
from bot.models import Answer, Citation, DraftFinding, SourceType, Verdict
from bot.service import SourceInfo
from fakes.slack_api import FakeSlackAPI, message_problem, view_problem

SLACK_TOKEN = "xoxb-test"
LONG_RULE = "Regla 7 — " + "Publicaciones sobre expedientes en tramitación y datos de terceros " * 40
HUGE_WORD = "x" * 4000


def _draft_with_findings(count: int) -> tuple[str, list[DraftFinding]]:
    draft, findings = "", []
    for n in range(count):
        prefix = f"Vecino {n} con DNI "
        dni = f"{n:08d}Z"
        start = len(draft) + len(prefix)
        draft += f"{prefix}{dni}, atendido hoy en la oficina de empleo. "
        label = "DNI de una persona identificable " * 10  # a very long label
        findings.append(DraftFinding(kind="dni", text=dni, start=start, end=start + len(dni), label=label))
    return draft, findings


def _citation(n: int) -> Citation:
    return Citation(
        n=n,
        source_id="BOE-A-2015-11719",
        tipo=SourceType.LEY,
        network=None,
        title="Real Decreto Legislativo 5/2015, texto refundido del Estatuto Básico del Empleado Público " * 12,
        locator=f"Artículo {n}, apartado " + "tercero, letra b) " * 60,
        url="https://www.boe.es/buscar/act.php?id=BOE-A-2015-11719&p=" + "a" * 5000,
        quote="El personal guardará secreto de las materias clasificadas. <!channel> " * 30,
        version="2023-03-01 (texto consolidado, última modificación publicada) " * 5,
        chunk_id=f"c{n}",
    )


def pathological_answer() -> Answer:
    """A very long question, 60 findings, long rule titles, 150 citations and words longer
    than a section."""
    draft, findings = _draft_with_findings(60)
    explanation = "\n\n".join(
        [
            f"No lo publiques: se aplica la {LONG_RULE}.",
            "\n".join(f"- {LONG_RULE[:300]} (punto {i})" for i in range(30)),
            HUGE_WORD,
            "Además, " + "ten en cuenta el deber de sigilo. " * 400,
        ]
    )
    return Answer(
        question="¿Puedo publicar esto? " * 800,
        draft=draft,
        verdict=Verdict.NO_PERMITIDO,
        answer=explanation,
        summary=f"⛔ No deberías publicarlo.\n{explanation}",
        summary_citations=[1, 2, 3],
        details=explanation,
        draft_findings=findings,
        citations=[_citation(n) for n in range(1, 151)],
    )


def _messages(answer: Answer, **kwargs: Any) -> list[list[dict[str, Any]]]:
    kwargs.setdefault("feedback_ref", "0123456789abcdef")
    return answer_blocks(answer, **kwargs)


def _weight(block: dict[str, Any]) -> int:
    texts = [block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])]
    return sum(len(t["text"]) for t in texts if isinstance(t, dict) and isinstance(t.get("text"), str))


def _buttons(messages: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [e for m in messages for b in m if b["type"] == "actions" for e in b["elements"]]


def _assert_valid(messages: list[list[dict[str, Any]]]) -> None:
    for blocks in messages:
        assert message_problem(blocks) is None, message_problem(blocks)
        assert 1 <= len(blocks) <= 50
        assert sum(_weight(b) for b in blocks) <= MAX_MESSAGE_TEXT


@pytest.fixture
def slack() -> Iterator[FakeSlackAPI]:
    # Rate limits off: this posts a long answer's messages back to back, which is not the point here.
    with FakeSlackAPI(valid_token=SLACK_TOKEN, rate_limits=False) as fake:
        yield fake


def test_pathological_answer_stays_within_every_limit(slack: FakeSlackAPI) -> None:
    answer = pathological_answer()
    messages = _messages(
        answer, share_ref="0123456789abcdef", details_ref="0123456789abcdef", intro=shared_intro("U1", answer.question)
    )
    _assert_valid(messages)
    assert len(messages) > 1
    summary = [b for m in messages for b in m]
    # the summary message lists only the sources the summary cites
    cited = "\n".join(e["text"] for b in summary if b["type"] == "context" for e in b["elements"][1:] or b["elements"])
    assert [int(n) for n in re.findall(r"^\*\[(\d+)\]\*", cited, re.M)] == [1, 2, 3]
    details = details_blocks(answer)
    _assert_valid(details)
    blocks = summary + [b for m in details for b in m]
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"].strip()) > 0 and len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert all(0 < len(e["text"]) <= 3000 for e in block["elements"])
    # nothing is lost but what is capped on purpose: all 150 citations, in order
    contexts = "\n".join(e["text"] for m in details for b in m if b["type"] == "context" for e in b["elements"])
    assert [int(n) for n in re.findall(r"^\*\[(\d+)\]\*", contexts, re.M)] == list(range(1, 151))
    assert "boe.es" not in contexts  # the 5,000-character URL could not be a link: plain titles
    assert "&lt;!channel&gt;" in contexts and "<!channel>" not in contexts
    # the intro quotes the question, cut
    assert blocks[0]["type"] == "context" and len(blocks[0]["elements"][0]["text"]) < 400
    # buttons: only on the last message, labels within 75, values within 2000
    assert all(b["type"] != "actions" for m in messages[:-1] for b in m)
    buttons = _buttons(messages)
    assert {b["action_id"] for b in buttons} == {"show_details", "share_answer", "feedback_up", "feedback_down"}
    assert all(len(b["text"]["text"]) <= 75 and len(b["value"]) <= 2000 for b in buttons)
    assert _buttons(details) == []
    # and the strict fake accepts every message, by chat.postMessage and by response_url
    client = WebClient(token=SLACK_TOKEN, base_url=slack.base_url, timeout=5)
    for blocks in messages + details:
        assert client.chat_postMessage(channel="C1", text=answer_text(answer), blocks=blocks)["ok"]
    url = slack.response_url("largo")
    for blocks in messages[:5]:  # a response_url takes five messages
        assert WebhookClient(url, timeout=5).send(text=answer_text(answer), blocks=blocks).status_code == 200


def test_findings_are_capped_at_20_with_a_count_of_the_rest() -> None:
    answer = pathological_answer()
    sections = "\n".join(b["text"]["text"] for m in details_blocks(answer) for b in m if b["type"] == "section")
    findings = sections[sections.index("*Lo que he visto en tu borrador:*") :]
    lines = [line for line in findings.splitlines() if line.startswith("• ")]
    shown = [line for line in lines if "*" in line]
    assert len(shown) == MAX_FINDINGS_SHOWN == 20
    assert "• … y 40 más." in lines
    assert all(len(line) < 500 for line in shown)  # long labels are cut
    assert "*00000019Z*" in findings and "00000020Z" not in findings

    few = answer.model_copy(update={"draft_findings": answer.draft_findings[:20]})
    few_text = json.dumps(details_blocks(few), ensure_ascii=False)
    assert "más." not in few_text and "00000019Z" in few_text


def test_long_span_and_label_of_a_finding_are_cut() -> None:
    draft = "Hola " + "Juan " * 2000
    finding = DraftFinding(kind="nombre_persona", text=draft[5:], start=5, end=len(draft), label="nombre " * 100)
    answer = Answer(
        question="¿Puedo?", draft=draft, verdict=Verdict.CON_CAUTELAS, answer="Cuidado.", draft_findings=[finding]
    )
    messages = details_blocks(answer)
    _assert_valid(messages)
    [line] = [b["text"]["text"] for b in messages[0] if b["type"] == "section" and "borrador" in b["text"]["text"]]
    assert len(line) < 500


def test_refs_too_long_for_a_button_get_no_button() -> None:
    answer = pathological_answer()
    messages = _messages(answer, feedback_ref="f" * 2001, share_ref="s" * 2001)
    _assert_valid(messages)
    assert _buttons(messages) == []
    fits = _messages(answer, feedback_ref="f" * 2000)
    assert {b["value"] for b in _buttons(fits)} == {"f" * 2000}
    with pytest.raises(ValueError, match="2000"):
        render.button("Votar", "x", "v" * 2001)
    assert render.button("👍 " + "muy " * 40, "x", "v")["text"]["text"].endswith("…")
    assert len(render.button("👍 " + "muy " * 40, "x", "v")["text"]["text"]) <= 75


def test_empty_texts_never_make_empty_blocks() -> None:
    for text in ("", "   ", "\n\n"):
        [block] = notice_blocks(text)
        assert message_problem([block]) is None
    assert message_problem([render.section(""), render.context("", " "), render.header(" ")]) is None
    empty = Answer(question="¿?", verdict=Verdict.SIN_BASE, answer="")
    _assert_valid(_messages(empty))
    _assert_valid(_messages(empty, intro=review_intro("")))


def test_modals_fit_slack_limits() -> None:
    ref = "r" * 2000  # as long as a button value can be
    assert view_problem(feedback_modal(ref), "views.open") is None
    assert view_problem(feedback_thanks_modal(), "views.update") is None
    assert view_problem(feedback_thanks_modal(), "views.push") is None
    huge = details_modal(pathological_answer())
    assert view_problem(huge, "views.open") is None
    assert len(huge["blocks"]) == 100 and "bloques más" in huge["blocks"][-1]["elements"][0]["text"]
    for view in (feedback_modal(ref), feedback_thanks_modal(), huge):
        for name in ("title", "submit", "close"):
            if name in view:
                assert 0 < len(view[name]["text"]) <= 24


def test_help_and_home_with_many_long_sources() -> None:
    sources = [
        SourceInfo(
            source_id=f"S{n}",
            tipo=SourceType.GUIA,
            title="Guía interna de uso de redes sociales por el personal " * 20,
            url="https://intranet.ejemplo.es/" + "g" * 3000,
            network=None,
            version="2099-01-01 " * 20,
            chunks=1,
        )
        for n in range(300)
    ]
    blocks = help_blocks(sources, "la Unidad de Comunicación " * 200)
    assert message_problem(blocks) is None
    assert view_problem(home_view(sources, "comunicacion@ejemplo.es"), "views.publish") is None
    assert message_problem(help_blocks(None, "x")) is None and message_problem(help_blocks([], "x")) is None


def test_a_private_answer_fits_the_five_messages_of_a_response_url() -> None:
    answer = pathological_answer()
    answer = answer.model_copy(update={"summary": answer.summary + f"\n\n{answer.details}" * 2})
    messages = _messages(answer, feedback_ref="0123456789abcdef", share_ref="0123456789abcdef")
    assert len(messages) > 5
    capped = cap_messages(messages, 5)
    assert len(capped) == 5
    assert capped[:4] == messages[:4]
    _assert_valid(capped)
    note = capped[-1][0]["elements"][0]["text"]
    assert f"he omitido {len(messages) - 5} partes" in note
    assert {b["action_id"] for b in _buttons(capped)} == {"feedback_up", "feedback_down", "share_answer"}
    # "Ver fundamentos" only when there is something beyond the summary
    short = Answer(question="¿?", verdict=Verdict.SIN_BASE, answer="❔ Sin base.", summary="❔ Sin base.")
    assert _buttons(_messages(short, details_ref="d1")) == _buttons(_messages(short))
    assert cap_messages(messages[:3], 5) == messages[:3]
