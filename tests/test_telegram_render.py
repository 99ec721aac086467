"""The Telegram renderer stays within Telegram's limits on pathological answers.

Every message it produces must pass the fake Bot API's own validator
(:func:`fakes.telegram_api.check_text`: HTML entity parsing, 4,096 UTF-16 units after
parsing, 1,024 for captions) and, end to end, be accepted by the fake through a real PTB
``Bot``; every ``callback_data`` must pass :func:`~fakes.telegram_api.check_reply_markup`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Bot
from telegram.constants import ParseMode

from adapters.telegram.app import FEEDBACK_DATA
from adapters.telegram.delivery import feedback_keyboard
from adapters.telegram.render import (
    MAX_CAPTION_LENGTH,
    MAX_FINDINGS_SHOWN,
    MAX_MESSAGE_LENGTH,
    Run,
    answer_messages,
    bold,
    link,
    notice_message,
    plain,
    to_messages,
    visible_length,
)
from bot.models import Answer, Citation, DraftFinding, SourceType, Verdict
from fakes.telegram_api import FakeTelegramAPI, check_reply_markup, check_text, utf16_len

EMOJI = "😀"
NASTY = f"a < b && c > d {EMOJI} </b> <i> &amp; &lt; «x» 👨‍👩‍👧 e\u0301 🇪🇸 👍🏽 "


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def valid_parts(messages: list[str], *, caption: bool = False) -> list[str]:
    """The plain text of each message, after checking it like Telegram would."""
    plains = []
    for message in messages:
        plain_text, _ = check_text(message, "HTML", caption=caption)  # raises BotAPIError if rejected
        limit = MAX_CAPTION_LENGTH if caption else MAX_MESSAGE_LENGTH
        assert 0 < utf16_len(plain_text.strip()) <= limit
        plains.append(plain_text)
    return plains


def citation(n: int, *, title: str | None = None, quote: str | None = None) -> Citation:
    return Citation(
        n=n,
        source_id=f"fuente-{n}",
        tipo=SourceType.GUIA,
        network=None,
        title=title if title is not None else f"Guía <interna> & «redes» {EMOJI} nº {n}",
        locator=f"Regla {n}",
        url=f"https://intranet.ejemplo.es/guia?regla={n}&v=2",
        quote=quote if quote is not None else f"Cita {n}: {NASTY}" * 3,
        version="2099-02-01",
        chunk_id=f"c{n}",
    )


def draft_with_findings(count: int) -> tuple[str, list[DraftFinding]]:
    """A draft with ``count`` phone numbers, and their findings."""
    draft = ""
    findings = []
    for i in range(count):
        draft += f"Llamad {EMOJI} a <Ana> & co al "
        number = f"6{i:08d}"
        findings.append(DraftFinding(kind="telefono", text=number, start=len(draft), end=len(draft) + len(number)))
        draft += number + ". "
    return draft, findings


@pytest.fixture
def tg() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as fake:
        yield fake


# ------------------------------------------------------------------------ findings


def test_findings_are_capped_at_20_with_a_count_of_the_rest() -> None:
    draft, findings = draft_with_findings(60)
    answer = Answer(
        question="¿Puedo?",
        draft=draft,
        verdict=Verdict.NO_PERMITIDO,
        answer="No: el borrador tiene teléfonos.",
        draft_findings=findings,
    )
    [message] = answer_messages(answer)
    [text] = valid_parts([message])
    _, entities = check_text(message, "HTML")
    units = text.encode("utf-16-le")
    highlighted = [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in entities
        if e["type"] == "underline"
    ]
    assert highlighted == [f.text for f in findings[:MAX_FINDINGS_SHOWN]] and MAX_FINDINGS_SHOWN == 20
    assert text.count("\n• Teléfono: «") == 20
    assert text.endswith("\n• … y 40 más.")


@pytest.mark.parametrize(("count", "tail"), [(20, None), (21, "\n• … y 1 más.")])
def test_findings_cap_boundary(count: int, tail: str | None) -> None:
    draft, findings = draft_with_findings(count)
    answer = Answer(question="x", draft=draft, verdict=Verdict.NO_PERMITIDO, answer="No.", draft_findings=findings)
    [text] = valid_parts(answer_messages(answer))
    assert text.count("\n• Teléfono: «") == 20
    assert ("más." in text) is (tail is not None)
    if tail:
        assert text.endswith(tail)


# ------------------------------------------------------------- long, nasty answers


def test_text_full_of_emoji_and_markup_is_split_in_valid_parts() -> None:
    explanation = (NASTY * 40 + "\n") * 12 + EMOJI * 5000  # a last "word" of 10,000 UTF-16 units
    answer = Answer(question="x", verdict=Verdict.CON_CAUTELAS, answer=explanation)
    parts = answer_messages(answer)
    plains = valid_parts(parts)
    assert len(plains) >= 5
    assert squash("".join(plains)) == squash(f"⚠️ Sí, con cautelas{explanation}")
    # the emoji-only word was cut at the UTF-16 limit, not the code point limit
    assert any(utf16_len(p) == MAX_MESSAGE_LENGTH and set(p) == {EMOJI} for p in plains)


def test_very_long_rule_title_is_split_inside_its_link() -> None:
    title = ("Regla sobre <datos> & «imágenes» " + EMOJI * 3) * 200  # ~8,000 UTF-16 units
    answer = Answer(
        question="x",
        verdict=Verdict.PERMITIDO,
        answer="Sí [1].",
        citations=[citation(1, title=title), citation(2)],
    )
    parts = answer_messages(answer)
    links = []
    for part in parts:
        _, entities = check_text(part, "HTML")
        links += [e["url"] for e in entities if e["type"] == "text_link"]
    valid_parts(parts)
    assert len(parts) >= 2
    assert set(links) == {
        "https://intranet.ejemplo.es/guia?regla=1&v=2",
        "https://intranet.ejemplo.es/guia?regla=2&v=2",
    }
    assert links.count("https://intranet.ejemplo.es/guia?regla=1&v=2") >= 2  # the link is re-opened in the next part


def test_many_citations_with_long_quotes() -> None:
    citations = [citation(n, quote=f"{NASTY} texto largo " * 30) for n in range(1, 101)]
    answer = Answer(question="x", verdict=Verdict.CON_CAUTELAS, answer="Depende [1]-[100].", citations=citations)
    plains = valid_parts(answer_messages(answer))
    joined = squash("".join(plains))
    for c in citations:
        assert squash(f"[{c.n}] {c.title} — {c.locator} · versión 2099-02-01") in joined


def test_lone_surrogates_become_replacement_characters() -> None:
    # JSON can carry "\\ud83d" alone; Telegram (and UTF-8) reject it
    answer = Answer(question="x", verdict=Verdict.PERMITIDO, answer="roto \ud83d aquí y par \ud83d\ude00 " * 400)
    plains = valid_parts(answer_messages(answer))
    joined = "".join(plains)
    assert "\ufffd" in joined and EMOJI in joined
    assert all(part.encode("utf-8") for part in plains)
    assert visible_length("\ud83d") == 1


def test_cuts_keep_emoji_sequences_together() -> None:
    family = "👨\u200d👩\u200d👧"  # 8 UTF-16 units
    runs = [plain("xyz" + family * 1000)]  # one word of 8,003 units: 4,096 falls inside a family
    parts = to_messages(runs)
    plains = valid_parts(parts)
    assert all(p.startswith("👨") for p in plains[1:]) and all(p.endswith("👧") for p in plains)
    assert "".join(plains) == "xyz" + family * 1000


def test_endless_combining_marks_are_still_cut_in_full_parts() -> None:
    parts = to_messages([plain("e" + "\u0301" * 9000)])
    assert [visible_length(p) for p in valid_parts(parts)] == [4096, 4096, 809]


def test_notice_longer_than_a_message_is_cut() -> None:
    assert notice_message("a < b & c") == "a &lt; b &amp; c"
    [text] = valid_parts([notice_message((EMOJI + " <&> ") * 2000)])
    assert text.endswith("…")


def test_captions_fit_in_1024_units() -> None:
    runs = [bold(f"{EMOJI} Título"), plain("\n\n"), plain(NASTY * 100), link("enlace " * 200, "https://e.es/?a=1&b=2")]
    parts = to_messages(runs, MAX_CAPTION_LENGTH)
    assert len(parts) > 3
    valid_parts(parts, caption=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    explanation=st.lists(
        st.sampled_from(["<", ">", "&", "&amp;", EMOJI, "👍🏽", "é", "e\u0301", " ", "\n", "x" * 50, "«»"]),
        min_size=1,
        max_size=700,
    ).map("".join),
    titles=st.lists(st.text(min_size=1, max_size=300), max_size=12),
)
def test_any_answer_renders_to_valid_messages(explanation: str, titles: list[str]) -> None:
    citations = [citation(n, title=title) for n, title in enumerate(titles, start=1)]
    answer = Answer(question="x", verdict=Verdict.CON_CAUTELAS, answer=explanation * 3, citations=citations)
    valid_parts(answer_messages(answer))


# -------------------------------------------------------------------- callback data


def test_feedback_buttons_fit_in_64_bytes() -> None:
    longest = "f" * 40  # the longest reference FEEDBACK_DATA accepts
    keyboard = feedback_keyboard(longest).to_dict()
    check_reply_markup(keyboard)  # raises BotAPIError("Bad Request: BUTTON_DATA_INVALID") if too long
    for button in keyboard["inline_keyboard"][0]:
        assert FEEDBACK_DATA.match(button["callback_data"])
        assert len(button["callback_data"].encode()) <= 64


# --------------------------------------------------------------------- end to end


@pytest.mark.asyncio
async def test_pathological_answers_are_accepted_by_the_fake(tg: FakeTelegramAPI) -> None:
    draft, findings = draft_with_findings(60)
    answers = [
        Answer(question="x", verdict=Verdict.NO_PERMITIDO, answer="No.", draft=draft, draft_findings=findings),
        Answer(question="x", verdict=Verdict.CON_CAUTELAS, answer=(NASTY * 40 + "\n") * 8),
        Answer(
            question="x",
            verdict=Verdict.PERMITIDO,
            answer="Sí.",
            citations=[citation(1, title=(EMOJI + "<&>") * 1500), *(citation(n) for n in range(2, 21))],
        ),
    ]
    sent = 0
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as bot:
        for chat_id, answer in enumerate(answers, start=1):
            parts = answer_messages(answer)
            assert len(parts) <= 10  # a private chat's burst: more would hit flood control
            for index, part in enumerate(parts):
                markup = feedback_keyboard("0123456789abcdef") if index == len(parts) - 1 else None
                await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup)
                sent += 1
        photo = to_messages([plain(NASTY * 60)], MAX_CAPTION_LENGTH)
        for part in photo:
            await bot.send_photo(99, "AgACAgQAAx0-foto", caption=part, parse_mode=ParseMode.HTML)
    assert len(tg.calls_to("sendMessage")) == sent
    assert sum(len(tg.messages_in(chat)) for chat in range(1, len(answers) + 1)) == sent
    assert len(tg.messages_in(99)) == len(photo)


def test_runs_are_plain_data() -> None:
    # the helpers above build runs; a Run's text is never HTML
    assert Run("<b>") != bold("<b>") and to_messages([Run("<b>")]) == ["&lt;b&gt;"]


# ------------------------------------------------------------------ two layers


def test_summary_first_then_the_fundamentos_folded_in_an_expandable_blockquote() -> None:
    citations = [citation(n) for n in range(1, 41)]
    details = "\n".join(f"- Regla {n}: {NASTY} " + "razonamiento " * 30 for n in range(40))
    answer = Answer(
        question="x",
        verdict=Verdict.CON_CAUTELAS,
        answer="…",
        summary="⚠️ Puedes publicarlo, pero con cautelas.\nHe visto «foto» (foto o vídeo).\n- Comprueba esto.",
        summary_citations=[1, 2],
        details=details,
        citations=citations,
    )
    parts = answer_messages(answer)
    assert len(parts) > 2
    plains = valid_parts(parts)
    first, _ = check_text(parts[0], "HTML")
    assert first.startswith("⚠️ Sí, con cautelas\n\nHe visto «foto» (foto o vídeo).\n• Comprueba esto.\n[1] ")
    assert "Puedes publicarlo, pero con cautelas" not in first  # the verdict is said once
    summary = first[: first.index("📚 Fundamentos")]
    assert "[2] " in summary and "[3] " not in summary and "«Cita" not in summary
    for part in parts[1:]:  # every later part is fundamentos, folded again
        _, later = check_text(part, "HTML")
        assert part.startswith("<blockquote expandable>") and later[0]["type"] == "expandable_blockquote"
    assert all(e["type"] != "blockquote" for p in parts for e in check_text(p, "HTML")[1])  # never nested
    joined = squash("".join(plains))
    for c in citations:
        assert squash(f"[{c.n}] {c.title} — {c.locator}") in joined


def test_an_answer_without_fundamentos_has_no_fold() -> None:
    answer = Answer(
        question="x",
        verdict=Verdict.SIN_BASE,
        answer="❔ Las fuentes del bot no cubren esta pregunta.\nPregunta a X.",
        summary="❔ Las fuentes del bot no cubren esta pregunta.\nPregunta a X.",
    )
    [text] = valid_parts(answer_messages(answer))
    assert text == "❔ No hay base en las fuentes\n\nPregunta a X." and "Fundamentos" not in text
