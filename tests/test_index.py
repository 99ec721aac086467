"""Incremental indexing, atomic rebuilds, and a running service picking up new generations."""

from __future__ import annotations

import pytest

from bot.errors import PuedoPublicarError
from bot.index import ChromaStore, Indexer, IndexStoreError, chunk_from_record, chunk_metadata
from bot.models import Chunk, SourceType, Verdict
from bot.service import Service


def _files(settings):
    store = ChromaStore(settings)
    pointer = store.pointer()
    assert pointer is not None
    chunks = [c for c, _, _ in store.read(pointer)]
    return pointer, {c.file for c in chunks}, chunks


def test_first_build_then_nothing_to_do(settings):
    report = Indexer(settings).update()
    assert report.generation == 1
    assert report.embedded == report.chunks > 10
    assert sorted(report.changed) == [
        "knowledge/condiciones/linkedin.md",
        "knowledge/guias/guia.md",
        "knowledge/leyes/ley-prueba.md",
    ]
    again = Indexer(settings).update()
    assert again.unchanged
    assert _files(settings)[0].generation == 1


def test_add_edit_delete_reembed_only_what_changed(settings, knowledge):
    Indexer(settings).update()
    _, _, before = _files(settings)
    linkedin_before = {c.id for c in before if c.file.endswith("linkedin.md")}

    note = knowledge / "condiciones" / "tiktok.md"
    note.write_text(
        "---\ntitle: TikTok\ntipo: condiciones\nred: tiktok\n---\n## 1. Licencia\n\nLo que subes a TikTok sigue siendo tuyo.\n",
        encoding="utf-8",
    )
    added = Indexer(settings).update()
    assert added.changed == ["knowledge/condiciones/tiktok.md"]
    assert added.embedded == 1
    assert "knowledge/condiciones/tiktok.md" in _files(settings)[1]

    guide = knowledge / "guias" / "guia.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("Retuitear la campaña", "Compartir la campaña"), encoding="utf-8"
    )
    edited = Indexer(settings).update()
    assert edited.changed == ["knowledge/guias/guia.md"]
    assert edited.embedded == 1  # only the edited rule; the guide's other chunks reuse their vectors
    _, _, after = _files(settings)
    assert {c.id for c in after if c.file.endswith("linkedin.md")} == linkedin_before

    note.unlink()
    deleted = Indexer(settings).update()
    assert deleted.removed == ["knowledge/condiciones/tiktok.md"]
    assert deleted.embedded == 0
    assert "knowledge/condiciones/tiktok.md" not in _files(settings)[1]


def test_broken_edit_keeps_the_previous_version_indexed(settings, knowledge):
    Indexer(settings).update()
    guide = knowledge / "guias" / "guia.md"
    guide.write_text("---\ntitle: [roto\n---\nNada\n", encoding="utf-8")
    report = Indexer(settings).update()
    assert report.kept_after_error == ["knowledge/guias/guia.md"]
    assert any(p.file == "knowledge/guias/guia.md" for p in report.problems)
    _, files, chunks = _files(settings)
    assert "knowledge/guias/guia.md" in files
    assert sum(c.locator.startswith("Regla") for c in chunks) == 5


def test_broken_rule_keeps_the_previous_version_indexed(settings, knowledge):
    Indexer(settings).update()
    guide = knowledge / "guias" / "guia.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("**Veredicto:** no permitido", "**Veredicto:** nunca", 1),
        encoding="utf-8",
    )
    report = Indexer(settings).update()
    assert report.kept_after_error == ["knowledge/guias/guia.md"]
    _, _, chunks = _files(settings)
    rule3 = next(c for c in chunks if c.locator == "Regla 3")
    assert rule3.rule_verdict is Verdict.NO_PERMITIDO


def test_a_new_broken_file_is_not_indexed_and_the_cli_says_so(settings, knowledge, monkeypatch, capsys):
    from bot.cli import main

    Indexer(settings).update()
    guide = knowledge / "guias" / "guia.md"
    broken = guide.read_text(encoding="utf-8").replace("**Veredicto:** no permitido", "**Veredicto:** nunca", 1)
    (knowledge / "guias" / "otra-guia.md").write_text(broken.replace("guia-prueba", "otra-guia"), encoding="utf-8")
    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    assert main(["index"]) == 1
    out = capsys.readouterr().out
    assert "no se indexa hasta que se corrija: knowledge/guias/otra-guia.md" in out
    assert "knowledge/guias/otra-guia.md" not in _files(settings)[1]
    assert "knowledge/guias/guia.md" in _files(settings)[1]  # the good files are indexed


class Interrupted(Exception):
    pass


def test_interrupted_rebuild_leaves_the_old_index_serving(settings):
    Indexer(settings).update()
    service = Service(settings, auto_index=False)
    question = "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"
    assert service.ask(question).verdict is Verdict.NO_PERMITIDO
    old_pointer = ChromaStore(settings).pointer()

    def explode(items, total, label):
        yield from ()
        raise Interrupted

    with pytest.raises(Interrupted):
        Indexer(settings).update(rebuild=True, progress=explode)

    assert ChromaStore(settings).pointer() == old_pointer
    assert service.ask(question).verdict is Verdict.NO_PERMITIDO
    assert Service(settings, auto_index=False).ask(question).rules == ["Regla 4"]

    rebuilt = Indexer(settings).update(rebuild=True)
    assert rebuilt.generation == 2
    store = ChromaStore(settings)
    assert len(store.generations()) == 2  # the new one and the previous; the half-built one is pruned


def test_running_service_answers_from_a_new_generation(settings, knowledge):
    Indexer(settings).update()
    service = Service(settings, auto_index=False)
    question = "¿Puedo compartir en mi perfil el cartel del concierto solidario del barrio?"
    first = service.ask(question)
    assert service.generation == 1
    assert all(c.locator != "Regla 6" for c in first.citations)

    # A policy owner adds a signal and a rule that depends on it.
    signals = knowledge / "senales.yaml"
    signals.write_text(
        signals.read_text(encoding="utf-8") + "\nconcierto_solidario:\n  nombre: concierto solidario\n  clase: tema\n"
        "  frases:\n    es: [concierto solidario]\n",
        encoding="utf-8",
    )
    guide = knowledge / "guias" / "guia.md"
    guide.write_text(
        guide.read_text(encoding="utf-8")
        + "\n## Regla 6. Carteles de conciertos solidarios del barrio\n\n- **Veredicto:** permitido\n"
        "- **Base legal:** BOE-A-2099-90001 art. 4\n- **Se aplica si:** concierto solidario\n\n"
        "**Por qué.** Difundir un concierto solidario del barrio en tu perfil es vida personal.\n",
        encoding="utf-8",
    )
    Indexer(settings).update()  # as another process would (python -m bot index)
    second = service.ask(question)
    assert service.generation == 2
    assert second.rules == ["Regla 6"]
    assert second.verdict is Verdict.PERMITIDO


def test_first_use_builds_the_index_with_a_message(settings):
    messages: list[str] = []
    service = Service(settings, notify=messages.append)
    answer = service.ask("¿Puedo retuitear la campaña oficial de vacunación?")
    assert answer.verdict is Verdict.PERMITIDO
    assert any("No hay índice" in m for m in messages)
    assert any("Índice listo" in m for m in messages)


GUIDE = "knowledge/guias/guia.md"
NOTE = "knowledge/condiciones/linkedin.md"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_editing_one_file_writes_only_a_delta_over_the_same_base(settings, knowledge):
    first = Indexer(settings).update()
    assert first.full
    store = ChromaStore(settings)
    base = store.pointer()
    assert base.delta is None and base.hidden == ()

    _edit(knowledge / "guias" / "guia.md", "Retuitear la campaña", "Compartir la campaña")
    edited = Indexer(settings).update()
    assert not edited.full
    pointer = store.pointer()
    assert pointer.collection == base.collection  # the base was not rewritten
    assert pointer.delta is not None and pointer.hidden == (GUIDE,)
    chunks = [c for c, _, _ in store.read(pointer)]
    guide = [c for c in chunks if c.file == GUIDE]
    assert store.collection(pointer.delta).count() == len(guide)
    assert any("Compartir la campaña" in c.text for c in guide)
    assert not any("Retuitear la campaña" in c.text for c in guide)
    assert len({c.id for c in chunks}) == len(chunks) == pointer.chunks == edited.chunks == first.chunks

    _edit(knowledge / "condiciones" / "linkedin.md", "LinkedIn", "LinkedIn (red profesional)")
    second = Indexer(settings).update()
    assert not second.full
    pointer = store.pointer()
    assert pointer.collection == base.collection
    assert set(pointer.hidden) == {NOTE, GUIDE}
    assert {c.file for c in read_collection(store, pointer.delta)} == {GUIDE, NOTE}
    visible = {(c.id, c.text) for c, _, _ in store.read(pointer)}

    rebuilt = Indexer(settings).update(rebuild=True)
    assert rebuilt.full
    pointer = store.pointer()
    assert pointer.delta is None and pointer.hidden == ()
    assert {(c.id, c.text) for c, _, _ in store.read(pointer)} == visible
    assert len(store.generations()) == 3  # the new base, and the previous base and delta


def test_a_large_delta_is_merged_into_a_new_base(settings, knowledge, monkeypatch):
    Indexer(settings).update()
    monkeypatch.setattr("bot.index.DELTA_MIN", 0)
    monkeypatch.setattr("bot.index.DELTA_LIMIT", 0.01)
    _edit(knowledge / "guias" / "guia.md", "Retuitear la campaña", "Compartir la campaña")
    report = Indexer(settings).update()
    assert report.full
    assert report.embedded == 1  # the other vectors are copied into the new base, not recomputed
    pointer = ChromaStore(settings).pointer()
    assert pointer.delta is None and pointer.hidden == ()
    assert any("Compartir la campaña" in c.text for c, _, _ in ChromaStore(settings).read(pointer))


def test_dense_search_never_returns_the_stale_base_version(settings, knowledge):
    from bot.chunking import index_text
    from bot.embeddings import embeddings_for
    from bot.retrieval import Snapshot

    Indexer(settings).update()
    store = ChromaStore(settings)
    old_rule = next(c for c, _, _ in store.read(store.pointer()) if c.locator == "Regla 3")
    guide = knowledge / "guias" / "guia.md"
    text = guide.read_text(encoding="utf-8")
    start = text.index("**Por qué.** Lo que sabes por tu puesto")
    end = text.index("\n## ", start)
    guide.write_text(text[:start] + "**Por qué.** Texto reescrito sobre otro asunto: recetas de cocina.\n" + text[end:])
    assert not Indexer(settings).update().full

    snapshot = Snapshot(store, store.pointer(), embeddings_for(settings))
    found = dict(snapshot.dense_search(index_text(old_rule), 10))
    rule_now = snapshot.position[old_rule.id]  # same id: same file, place and heading
    assert "recetas de cocina" in snapshot.chunks[rule_now].text
    # The stale vector would match its own old text almost exactly.
    assert found.get(rule_now, 0.0) < 0.95


def test_interrupted_update_leaves_the_old_generation_serving(settings, knowledge):
    Indexer(settings).update()
    store = ChromaStore(settings)
    before = store.pointer()
    _edit(knowledge / "guias" / "guia.md", "Retuitear la campaña", "Compartir la campaña")

    def explode(items, total, label):
        yield from ()
        raise Interrupted

    with pytest.raises(Interrupted):
        Indexer(settings).update(progress=explode)
    assert store.pointer() == before
    assert not any("Compartir la campaña" in c.text for c, _, _ in store.read(before))
    assert not Indexer(settings).update().full  # finishes the job; the half-written delta is pruned
    assert len(store.generations()) == 2


def read_collection(store, name):
    from bot.index import read_chunks

    return [c for c, _ in read_chunks(store.collection(name))]


def test_the_same_rule_number_in_two_files_is_an_error(settings, knowledge):
    from bot.index import check

    Indexer(settings).update()
    guide = knowledge / "guias" / "guia.md"
    (knowledge / "guias" / "zz-copia.md").write_text(
        guide.read_text(encoding="utf-8").replace("guia-prueba", "zz-copia"), encoding="utf-8"
    )
    report = Indexer(settings).update()
    assert report.has_errors
    assert any("Regla 1 ya existe en knowledge/guias/guia.md" in p.message for p in report.problems)
    assert report.skipped_after_error == ["knowledge/guias/zz-copia.md"]
    assert any("ya existe" in p.message and p.file == "knowledge/guias/zz-copia.md" for p in check(settings))


def test_chroma_errors_come_out_as_index_store_errors(settings):
    store = ChromaStore(settings)
    with pytest.raises(IndexStoreError, match="abrir la colección no-existe") as caught:
        store.collection("no-existe")
    assert isinstance(caught.value, PuedoPublicarError)


def test_a_service_whose_generation_was_pruned_reloads_and_answers(settings):
    Indexer(settings).update()
    # It would not look for a new generation; the model weighs in, so each question queries the store.
    slow = settings.model_copy(update={"reload_check_seconds": 3600, "dense_weight": 0.1})
    service = Service(slow, auto_index=False)
    question = "¿Puedo compartir la campaña oficial de mi ayuntamiento?"
    service.ask(question)
    assert service.generation == 1
    Indexer(settings).update(rebuild=True)
    Indexer(settings).update(rebuild=True)  # generation 1 is pruned now
    assert service.ask(question).verdict is not None
    assert service.generation == 3


def test_a_rules_fields_survive_the_index_record():
    rule = Chunk(
        id="c1",
        text="Regla 11. Usar la cuenta oficial en unas elecciones",
        source_id="guia",
        tipo=SourceType.GUIA,
        title="Guía",
        locator="Regla 11",
        rule_verdict=Verdict.NO_PERMITIDO,
        applies_if=(("partidista", "cuenta_oficial"),),
        unless=("consentimiento",),
        firm=True,
    )
    back = chunk_from_record(rule.id, rule.text, chunk_metadata(rule))
    assert (back.rule_verdict, back.applies_if, back.unless, back.firm) == (
        Verdict.NO_PERMITIDO,
        (("partidista", "cuenta_oficial"),),
        ("consentimiento",),
        True,
    )
    plain = chunk_from_record(rule.id, rule.text, chunk_metadata(rule.model_copy(update={"firm": False})))
    assert plain.firm is False
