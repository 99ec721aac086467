"""``sources sync`` against a BOE API served on 127.0.0.1, and against the real offline mirror."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.index import ChromaStore, Indexer
from bot.sources.boe import parse_text
from bot.sources.sync import Syncer, load_config, state_path
from fakes.boe_api import Block, FakeBOE, Law, Version
from tests.conftest import make_settings

LAW_ID = "BOE-A-2099-70001"
NOTE = '<blockquote><p class="nota_pie">Se modifica por la Ley 9/2098. Ref. BOE-A-2098-1</p></blockquote>'
TABLE = "<table><tr><th>Falta</th><th>Plazo</th></tr><tr><td>Leve</td><td>seis meses</td></tr></table>"


def art(number: str, title: str, *paragraphs: str, vigencia: str = "20200101") -> Version:
    return Version([("articulo", f"Artículo {number}. {title}."), *(("parrafo", p) for p in paragraphs)], vigencia)


def law_v1() -> Law:
    return Law(
        LAW_ID,
        "Ley 7/2099, de prueba, de comunicación del personal público",
        "20240101",
        [
            Block("preambulo", "preambulo", "", [Version([("parrafo", "Exposición de motivos de la ley de prueba.")])]),
            Block("ti", "encabezado", "TÍTULO I. Disposiciones generales", [Version([("titulo", "TÍTULO I")])]),
            Block(
                "a1",
                "precepto",
                "Artículo 1",
                [art("1", "Objeto", "Esta ley ordena la comunicación pública del personal.")],
            ),
            Block(
                "a2",
                "precepto",
                "Artículo 2",
                [
                    art("2", "Discreción", "Redacción antigua sobre la discreción.", vigencia="20150101"),
                    art(
                        "2",
                        "Discreción",
                        "Redacción vigente: el personal guardará discreción sobre los expedientes.",
                        vigencia="20220101",
                    ),
                    art("2", "Discreción", "Redacción futura todavía no vigente.", vigencia="20990101"),
                ],
            ),
            Block(
                "a3bis",
                "precepto",
                "Artículo 3 bis",
                [art("3 bis", "Redes sociales", "El personal podrá usar redes sociales a título personal.")],
            ),
            Block(
                "a4",
                "precepto",
                "Artículo 4",
                [
                    Version(
                        [("articulo", "Artículo 4. Plazos."), ("parrafo", "Los plazos de prescripción son:")],
                        extra=NOTE + TABLE,
                    )
                ],
            ),
            Block(
                "da",
                "precepto",
                "Disposición adicional primera",
                [
                    Version(
                        [
                            ("articulo", "Disposición adicional primera. Formación."),
                            ("parrafo", "Se ofrecerá formación anual."),
                        ]
                    )
                ],
            ),
            Block(
                "dfunica",
                "precepto",
                "Disposición final única",
                [
                    Version(
                        [
                            ("articulo", "Disposición final única. Entrada en vigor."),
                            ("parrafo", "Entra en vigor al día siguiente."),
                        ]
                    )
                ],
            ),
        ],
    )


def law_v2() -> Law:
    law = law_v1()
    law.updated = "20250101"
    a2 = next(b for b in law.blocks if b.id == "a2")
    a2.versions.insert(
        0, art("2", "Discreción", "Redacción de 2025: discreción reforzada en redes sociales.", vigencia="20250101")
    )
    law.blocks = [b for b in law.blocks if b.id != "a3bis"]
    law.blocks.insert(
        5,
        Block(
            "a5",
            "precepto",
            "Artículo 5",
            [art("5", "Cuentas oficiales", "Las cuentas oficiales informan y escuchan.")],
        ),
    )
    return law


TERMS_HTML = """<html><head><title>Condiciones</title><script>track()</script></head><body>
<nav>Inicio · Ayuda</nav><main><h1>Ejemplo Social Terms</h1>
<h2>1. Your content</h2><p>You own what you post. You grant us a worldwide licence to show it to other people
for as long as it stays on the service, and we may use it to improve our products.</p>
<h2>2. Your account</h2><p>Use your real name and keep your password safe. Accounts run on behalf of an
organisation must be authorised by that organisation.</p></main><footer>© Ejemplo</footer></body></html>"""


@pytest.fixture
def boe():
    with FakeBOE() as server:
        server.add_law(law_v1())
        yield server


def _setup(tmp_path: Path, knowledge: Path, boe: FakeBOE, *, terms: bool = False, **overrides):
    toml = f'[[ley]]\nid = "{LAW_ID}"\nobligatoria = true\n'
    if terms:
        url = boe.add_page("/legal/terms.html", TERMS_HTML)
        toml += f'\n[[condiciones]]\nred = "mastodon"\nservicio = "Ejemplo"\ndocumento = "Terms of Service"\nurl = "{url}"\n'
    (knowledge / "sources.toml").write_text(toml, encoding="utf-8")
    values = {"boe_api_base": boe.base_url, "http_retries": 1, "http_timeout": 2.0, **overrides}
    return make_settings(tmp_path, knowledge, **values)


def _sync(settings):
    return Syncer(settings).sync(load_config(settings.knowledge_dir))


def _stored(settings) -> dict:
    return json.loads((settings.sources_dir / "boe" / f"{LAW_ID}.json").read_text(encoding="utf-8"))


def test_parse_keeps_the_version_in_force_and_skips_notes():
    blocks = {b.id: b for b in parse_text(law_v1().text())}
    assert blocks["a2"].paragraphs == [
        "Artículo 2. Discreción.",
        "Redacción vigente: el personal guardará discreción sobre los expedientes.",
    ]
    assert blocks["a2"].version_date == "20220101"
    assert blocks["a4"].paragraphs == [
        "Artículo 4. Plazos.",
        "Los plazos de prescripción son:",
        "Falta | Plazo",
        "Leve | seis meses",
    ]
    assert "Se modifica" not in json.dumps([b.paragraphs for b in blocks.values()])
    reordered = law_v2()  # the newest version listed first must still win by date
    assert next(b for b in parse_text(reordered.text()) if b.id == "a2").version_date == "20250101"


def test_first_sync_then_unchanged_resync_downloads_no_text(tmp_path, knowledge, boe):
    settings = _setup(tmp_path, knowledge, boe, terms=True)
    report = _sync(settings)
    assert [(r.key, r.status) for r in report.results] == [(LAW_ID, "nuevo"), ("mastodon/terms-of-service", "nuevo")]
    stored = _stored(settings)
    assert stored["version"] == "2024-01-01"
    assert stored["url"] == f"https://www.boe.es/buscar/act.php?id={LAW_ID}"
    headers = dict(boe.requests)
    assert headers[f"/datosabiertos/api/legislacion-consolidada/id/{LAW_ID}/metadatos"]["accept"] == "application/json"
    assert headers[f"/datosabiertos/api/legislacion-consolidada/id/{LAW_ID}/texto"]["accept"] == "application/xml"
    assert "PuedoPublicar/" in headers["/legal/terms.html"]["user-agent"]
    terms = (settings.sources_dir / "terms" / "mastodon" / "terms-of-service.md").read_text(encoding="utf-8")
    assert "## 1. Your content" in terms
    assert "track()" not in terms and "Inicio · Ayuda" not in terms

    boe.requests.clear()
    again = _sync(settings)
    assert [r.status for r in again.results] == ["sin cambios", "sin cambios"]
    assert not any(path.endswith("/texto") for path in boe.paths())


def test_synced_law_is_indexed_with_anchors(tmp_path, knowledge, boe):
    settings = _setup(tmp_path, knowledge, boe, terms=True)
    _sync(settings)
    Indexer(settings).update()
    store = ChromaStore(settings)
    chunks = {(c.source_id, c.locator): c for c, _, _ in store.read(store.pointer())}
    a2 = chunks[(LAW_ID, "Artículo 2")]
    assert a2.url == f"https://www.boe.es/buscar/act.php?id={LAW_ID}#a2"
    assert "Redacción vigente" in a2.text
    assert a2.version == "2022-01-01"
    assert (LAW_ID, "Artículo 3 bis") in chunks
    assert (LAW_ID, "Disposición adicional primera") in chunks
    assert any(c.network == "mastodon" for c in chunks.values())


def test_changed_law_reports_the_article_diff(tmp_path, knowledge, boe, capsys, monkeypatch):
    settings = _setup(tmp_path, knowledge, boe)
    _sync(settings)
    boe.add_law(law_v2())
    report = _sync(settings)
    (result,) = report.results
    assert result.status == "actualizado"
    assert result.diff.changed == ["Artículo 2"]
    assert result.diff.added == ["Artículo 5"]
    assert result.diff.removed == ["Artículo 3 bis"]
    assert _stored(settings)["version"] == "2025-01-01"

    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    monkeypatch.chdir(tmp_path)
    assert main(["sources", "status"]) == 0
    out = capsys.readouterr().out
    assert "versión: 2025-01-01" in out
    assert "modificados respecto a la versión 2024-01-01: Artículo 2" in out
    assert "añadidos respecto a la versión 2024-01-01: Artículo 5" in out
    assert "suprimidos respecto a la versión 2024-01-01: Artículo 3 bis" in out


FAULTS = {
    "404": ("metadatos", {"status": 404}, "no existe (404)"),
    "500": ("metadatos", {"status": 500}, "respondió 500"),
    "timeout": ("texto", {"delay": 3.0}, "tiempo de espera agotado"),
    "malformed xml": ("texto", {"body": b"<response><data><texto><bloque id='a1'>"}, "no es XML válido"),
    "truncated body": ("texto", {"truncate": True}, "cortada"),
    "another law's text": (
        "texto",
        {
            "content_type": "application/xml",
            "body": (
                b'<?xml version="1.0" encoding="utf-8"?><response><status><code>200</code></status><data><texto>'
                b'<bloque id="a1" tipo="precepto"><version id_norma="BOE-A-2099-99999" fecha_publicacion="20240101">'
                b'<p class="articulo">Art\xc3\xadculo 1. Otra ley.</p></version></bloque></texto></data></response>'
            ),
        },
        "es de BOE-A-2099-99999, no de " + LAW_ID,
    ),
    "wrong content type": (
        "texto",
        {"content_type": "text/html", "body": b"<html>Mantenimiento</html>"},
        "tipo de contenido inesperado",
    ),
}


@pytest.mark.parametrize("case", FAULTS, ids=list(FAULTS))
def test_failures_keep_the_previous_copy(tmp_path, knowledge, boe, case):
    settings = _setup(tmp_path, knowledge, boe, http_timeout=1.0)
    _sync(settings)
    before = (settings.sources_dir / "boe" / f"{LAW_ID}.json").read_bytes()
    boe.add_law(law_v2())  # a newer version exists, so the text is requested
    kind, fault, message = FAULTS[case]
    boe.fail(f"/datosabiertos/api/legislacion-consolidada/id/{LAW_ID}/{kind}", **fault)
    (result,) = _sync(settings).results
    assert result.status == "error"
    assert message in result.error
    assert (settings.sources_dir / "boe" / f"{LAW_ID}.json").read_bytes() == before
    assert sorted(p.name for p in (settings.sources_dir / "boe").iterdir()) == [f"{LAW_ID}.json"]  # no temp files
    state = json.loads(state_path(settings).read_text(encoding="utf-8"))[LAW_ID]
    assert message in state["error"]
    assert state["version"] == "2024-01-01"

    boe.heal()
    (result,) = _sync(settings).results
    assert result.status == "actualizado"


def test_cli_sync_exit_code_and_message_on_error(tmp_path, knowledge, boe, capsys, monkeypatch):
    settings = _setup(tmp_path, knowledge, boe)
    boe.fail(f"/datosabiertos/api/legislacion-consolidada/id/{LAW_ID}/metadatos", status=404)
    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    monkeypatch.setenv("BOT_BOE_API_BASE", boe.base_url)
    monkeypatch.setenv("BOT_HTTP_RETRIES", "0")
    monkeypatch.chdir(tmp_path)
    assert main(["sources", "sync", "--no-index"]) == 1
    out = capsys.readouterr().out
    assert f"[error] {LAW_ID}" in out
    assert "se conserva la copia anterior" in out


def test_bad_sources_file_is_a_clear_error(tmp_path, knowledge, capsys, monkeypatch):
    (knowledge / "sources.toml").write_text('[[ley]]\nid = "BOE-2015"\n', encoding="utf-8")
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.chdir(tmp_path)
    assert main(["sources", "sync"]) == 2
    assert "sources.toml: ley.0.id" in capsys.readouterr().err


@pytest.mark.corpus
def test_real_mirror_puts_ebep_article_53_in_the_index(tmp_path, shared_corpus):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "sources.toml").write_text('[[ley]]\nid = "BOE-A-2015-11719"\n', encoding="utf-8")
    settings = make_settings(tmp_path, knowledge)
    report = Syncer(settings, mirror=shared_corpus).sync(load_config(knowledge))
    assert [r.status for r in report.results] == ["nuevo"]
    Indexer(settings).update()
    store = ChromaStore(settings)
    chunks = [c for c, _, _ in store.read(store.pointer())]
    a53 = [c for c in chunks if c.source_id == "BOE-A-2015-11719" and c.article == "53"]
    assert a53
    assert {c.url for c in a53} == {"https://www.boe.es/buscar/act.php?id=BOE-A-2015-11719#a53"}
    assert any(c.locator == "Artículo 53.12" and "discreción" in c.text for c in a53)


def test_a_law_missing_from_a_local_mirror_is_reported_not_failed_unless_mandatory(tmp_path):
    law = law_v1()
    mirror = tmp_path / "espejo"
    folder = mirror / "boe-api" / "legislacion-consolidada" / "id" / law.id
    folder.mkdir(parents=True)
    (folder / "metadatos").write_bytes(law.metadata())
    (folder / "texto").write_bytes(law.text())
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "sources.toml").write_text(
        f'[[ley]]\nid = "{law.id}"\n\n[[ley]]\nid = "BOE-A-1995-25444"\nnombre = "Código Penal"\n', encoding="utf-8"
    )
    settings = make_settings(tmp_path, knowledge)
    report = Syncer(settings, mirror=mirror).sync(load_config(knowledge))
    assert [r.status for r in report.results] == ["nuevo", "no disponible"]
    assert report.errors == []
    (knowledge / "sources.toml").write_text('[[ley]]\nid = "BOE-A-1995-25444"\nobligatoria = true\n', encoding="utf-8")
    report = Syncer(settings, mirror=mirror).sync(load_config(knowledge))
    assert [r.status for r in report.results] == ["error"]


@pytest.mark.corpus
def test_the_guideline_cites_only_articles_that_exist_and_its_prose_matches_its_basis(tmp_path, shared_corpus):
    """The citation check of index --check, on the real guideline against the real laws."""
    from bot.index import check

    knowledge = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).resolve().parents[1] / "knowledge", knowledge)
    settings = make_settings(tmp_path, knowledge)
    Syncer(settings, mirror=shared_corpus).sync(load_config(knowledge))
    problems = [p for p in check(settings) if p.level == "error"]
    assert problems == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#### Last Updated: February 5, 2024\n\nTerms", "2024-02-05"),
        (
            "_An update will be effective on **July 26, 2022**._\n...\nDate of Last Revision: 4 January, 2022",
            "2022-01-04",
        ),
        ("Effective Date: 6 March 2024", "2024-03-06"),
        ("_Last updated: July 2025_", "2025-07-01"),
        ("**Effective:** May 18, 2023 ... Effective: June 10, 2022", "2023-05-18"),
        ("No date here at all", None),
    ],
)
def test_terms_are_dated_by_their_own_text(text, expected):
    from bot.sources.sync import terms_date

    assert terms_date(text) == expected


def test_old_terms_are_flagged_in_status(tmp_path, knowledge, capsys, monkeypatch):
    mirror = tmp_path / "espejo"
    (mirror / "terms" / "Facebook").mkdir(parents=True)
    body = "# Terms\n\n" + "Lorem ipsum dolor sit amet. " * 20 + "\n\nDate of Last Revision: 4 January, 2022\n"
    (mirror / "terms" / "Facebook" / "Terms of Service.md").write_text(body, encoding="utf-8")
    (knowledge / "sources.toml").write_text(
        '[[condiciones]]\nred = "facebook"\nservicio = "Facebook"\nurl = "https://www.facebook.com/terms.php"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.chdir(tmp_path)
    assert main(["sources", "sync", "--from", str(mirror), "--no-index"]) == 0
    assert "(versión 2022-01-04)" in capsys.readouterr().out
    assert main(["sources", "status"]) == 0
    assert "AVISO: el texto descargado es de hace más de dos años" in capsys.readouterr().out


# ------------------------------------------------------------------ scheduled runs


def _env(monkeypatch, tmp_path, settings) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    monkeypatch.setenv("BOT_BOE_API_BASE", settings.boe_api_base)
    monkeypatch.setenv("BOT_HTTP_RETRIES", "0")
    monkeypatch.chdir(tmp_path)


def test_scheduled_sync_indexes_and_ends_with_a_one_line_summary(tmp_path, knowledge, boe, capsys, monkeypatch):
    settings = _setup(tmp_path, knowledge, boe)
    _env(monkeypatch, tmp_path, settings)
    assert main(["sources", "sync", "--index"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("sources sync: 1 fuentes · 1 nuevo · 0 con errores · índice: generación ")
    assert main(["sources", "sync"]) == 0  # nothing changed: nothing to index
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "sources sync: 1 fuentes · 1 sin cambios · 0 con errores · índice sin tocar"
    )
    boe.fail(f"/datosabiertos/api/legislacion-consolidada/id/{LAW_ID}/metadatos", status=500)
    assert main(["sources", "sync"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].endswith("· 1 con errores · índice sin tocar")


def test_a_sync_started_while_another_runs_does_nothing(tmp_path, knowledge, boe, capsys, monkeypatch):
    from filelock import FileLock

    from bot.sources.cli import LOCK_FILE

    settings = _setup(tmp_path, knowledge, boe)
    _env(monkeypatch, tmp_path, settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(settings.data_dir / LOCK_FILE):
        assert main(["sources", "sync"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "sources sync: omitida, otra sincronización en marcha"
    assert "Otra sincronización está en marcha" in captured.err
    assert not boe.requests and not (settings.sources_dir / "boe" / f"{LAW_ID}.json").exists()
    assert main(["sources", "sync", "--no-index"]) == 0  # the lock is free again
    assert (settings.sources_dir / "boe" / f"{LAW_ID}.json").exists()


def test_status_check_fails_on_sources_not_checked_for_too_long(tmp_path, knowledge, boe, capsys, monkeypatch):
    settings = _setup(tmp_path, knowledge, boe)
    _env(monkeypatch, tmp_path, settings)
    assert main(["sources", "status", "--check"]) == 1  # never synced
    assert main(["sources", "sync", "--no-index"]) == 0
    capsys.readouterr()
    assert main(["sources", "status", "--check"]) == 0
    assert "AVISO: lleva más de" not in capsys.readouterr().out
    state_file = settings.data_dir / "sources-state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state[LAW_ID]["checked_at"] = "2026-01-02T03:04:05+00:00"
    state_file.write_text(json.dumps(state), encoding="utf-8")
    monkeypatch.setenv("BOT_SOURCES_MAX_AGE_DAYS", "30")
    assert main(["sources", "status"]) == 0  # a warning; only --check fails
    assert "AVISO: lleva más de 30 días sin comprobarse" in capsys.readouterr().out
    assert main(["sources", "status", "--check"]) == 1
