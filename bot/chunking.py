"""Structure-aware splitting: laws by article (long articles by apartado), guidelines by rule
or heading, terms of use by section.

Every chunk keeps what a citation needs: source, locator (``Artículo 53.12``, ``Regla 7``,
``§ 3.1 ...``), URL with anchor, version date and a content hash.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from bot.documents import LawBlock, Problem, SourceDocument, iso_date
from bot.models import RULE_VERDICTS, Chunk, LegalRef, SourceType, Verdict
from bot.signals import SignalBook, parse_condition
from bot.text import fold

#: A law article longer than this is split by apartado.
ARTICLE_MAX_CHARS = 1200
#: Any other chunk is split by paragraphs above this size.
SECTION_MAX_CHARS = 1800

_ARTICLE_HEADING = re.compile(
    r"^(?:Art(?:[íi]culo|\.)\s+)(\d+(?:\s+(?:bis|ter|quater|quinquies|sexies))?|[úu]nico)\b\.?\s*(.*)$",
    re.IGNORECASE,
)
_DISPOSITION_HEADING = re.compile(
    r"^(Disposici[óo]n\s+(?:adicional|transitoria|derogatoria|final)\s+[\wáéíóúñ]+)\.?\s*(.*)$",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^[IVXLC]+\.?$")
_APARTADO = re.compile(r"^(\d+(?:\s+(?:bis|ter))?|Uno|Dos|Tres|Cuatro|Cinco|Seis|Siete|Ocho|Nueve|Diez|Once|Doce)\.\s")
_WORD_NUMBERS = {
    w: str(i) for i, w in enumerate("Uno Dos Tres Cuatro Cinco Seis Siete Ocho Nueve Diez Once Doce".split(), 1)
}
_RULE_HEADING = re.compile(r"^Regla\s+(\d+)\s*[.:\-–—]?\s*(.*)$", re.IGNORECASE)
_RULE_FIELD = re.compile(
    r"^\s*(?:[-*+]\s*)?\**\s*(Veredicto|Base legal|Se aplica si|Salvo si|Firme|Hallazgos|Palabras clave)\s*:?\s*\**\s*:?\s*(.*?)\s*$",
    re.IGNORECASE,
)
_LEGAL_REF = re.compile(
    r"^(BOE-[A-Z]-\d{4}-\d+)\s+(?:art(?:[íi]culo|s?\.)?)\s*(\d+(?:\s*(?:bis|ter))?(?:\.\d+)?(?:\.[a-zñ]\))?)\s*$",
    re.IGNORECASE,
)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_md = MarkdownIt("commonmark")


@dataclass
class Section:
    """A heading and the text under it (until the next heading)."""

    heading: str
    level: int
    body: str
    path: list[str] = field(default_factory=list)


def chunk_document(doc: SourceDocument, signals: SignalBook | None = None) -> tuple[list[Chunk], list[Problem]]:
    """Split one document into chunks; problems (e.g. a rule without a verdict) are returned.

    ``signals``: the signal book the rules' conditions must name (unchecked when ``None``).
    """
    problems: list[Problem] = []
    if doc.blocks is not None:
        pieces = list(_law_pieces(doc, doc.blocks))
    elif doc.tipo is SourceType.LEY:
        pieces = list(_law_pieces(doc, markdown_law_blocks(doc.text)))
    elif doc.tipo is SourceType.GUIA:
        pieces = list(_guide_pieces(doc, problems, signals))
    else:
        pieces = list(_section_pieces(doc, prefix="§ "))
    chunks = []
    for ordinal, piece in enumerate(pieces):
        digest = hashlib.sha256(f"{doc.file}|{ordinal}|{piece.locator}".encode()).hexdigest()[:20]
        chunk = Chunk(
            id=digest,
            text=piece.text,
            source_id=doc.source_id,
            tipo=doc.tipo,
            title=doc.title,
            locator=piece.locator,
            heading=piece.heading,
            url=piece.url or doc.url,
            version=piece.version or doc.version,
            network=doc.network,
            file=doc.file,
            file_hash=doc.file_hash,
            rule_verdict=piece.verdict,
            legal_basis=tuple(piece.legal_basis),
            applies_if=piece.applies_if,
            unless=piece.unless,
            firm=piece.firm,
            keywords=piece.keywords,
        )
        # The hash of what is embedded: an unchanged chunk of an edited file keeps its vector.
        content_hash = hashlib.sha256(index_text(chunk).encode()).hexdigest()[:32]
        chunks.append(chunk.model_copy(update={"content_hash": content_hash}))
    if not chunks:
        problems.append(Problem(doc.file, "no se ha podido extraer ningún fragmento con texto"))
    return chunks, problems


def index_text(chunk: Chunk) -> str:
    """The text both retrievers see: headings and keywords first, then the body, then (for laws,
    whose headings don't name them) the title."""
    title = chunk.title if chunk.tipo is SourceType.LEY else ""
    return "\n".join(filter(None, [chunk.heading, chunk.keywords, chunk.text, title]))


@dataclass
class _Piece:
    locator: str
    text: str
    heading: str = ""
    url: str | None = None
    version: str | None = None
    verdict: Verdict | None = None
    legal_basis: list[LegalRef] = field(default_factory=list)
    applies_if: tuple[tuple[str, ...], ...] = ()
    unless: tuple[str, ...] = ()
    firm: bool = False
    keywords: str = ""


# --------------------------------------------------------------------------- laws


def markdown_law_blocks(text: str) -> list[LawBlock]:
    """Read a law written in Markdown (``##### Artículo 53. Título.`` headings) as blocks."""
    blocks: list[LawBlock] = []
    preamble: list[str] = []
    for section in split_sections(text):
        heading = section.heading
        paragraphs = _paragraphs(section.body)
        article = _ARTICLE_HEADING.match(heading)
        disposition = _DISPOSITION_HEADING.match(heading)
        if article:
            number = re.sub(r"\s+", " ", article.group(1)).lower()
            title = f"Artículo {number}"
            anchor = "a" + number.replace(" ", "") if number[0].isdigit() else ""
            blocks.append(LawBlock(anchor, "precepto", title, [heading, *paragraphs]))
        elif disposition:
            title = _capitalize(disposition.group(1))
            blocks.append(LawBlock("", "precepto", title, [heading, *paragraphs]))
        elif section.level == 0 or (section.level == 1 and not blocks):
            preamble.extend(paragraphs)
        else:
            blocks.append(LawBlock("", "encabezado", heading, paragraphs))
    if preamble:
        blocks.insert(0, LawBlock("preambulo", "preambulo", "Preámbulo", preamble))
    return blocks


def _law_pieces(doc: SourceDocument, blocks: list[LawBlock]) -> list[_Piece]:
    pieces: list[_Piece] = []
    context: list[str] = []
    in_preamble = True
    for block in blocks:
        url = f"{doc.url}#{block.id}" if doc.url and block.id and "#" not in doc.url else doc.url
        version = iso_date(block.version_date) if block.version_date else None
        paragraphs = [p for p in block.paragraphs if p.strip()]
        if block.kind == "encabezado":
            context = _heading_context(context, block.title)
            if paragraphs:
                # Preamble parts ("I", "II"...) are headings with text, before any article.
                locator = f"Preámbulo {block.title}" if in_preamble and _ROMAN.match(block.title) else block.title
                pieces.extend(_grouped(locator, paragraphs, url, version, " · ".join(context)))
            continue
        if block.kind == "precepto" and _ARTICLE_HEADING.match(block.title):
            in_preamble = False
        if not paragraphs:
            continue
        if block.kind != "precepto":
            pieces.extend(_grouped(block.title, paragraphs, url, version, " · ".join(context)))
            continue
        first = paragraphs[0]
        if _ARTICLE_HEADING.match(first) or _DISPOSITION_HEADING.match(first):
            heading_line, body = first, paragraphs[1:]
        else:
            heading_line, body = block.title, paragraphs
        heading = " · ".join([*context, heading_line])
        total = sum(len(p) for p in body)
        if total <= ARTICLE_MAX_CHARS:
            pieces.append(_Piece(block.title, "\n".join([heading_line, *body]), heading, url, version))
            continue
        for number, group in _apartados(body):
            locator = f"{block.title}.{number}" if number else block.title
            for part in _split_paragraphs(group, SECTION_MAX_CHARS):
                pieces.append(_Piece(locator, "\n".join([heading_line, *part]), heading, url, version))
    return pieces


def _apartados(paragraphs: list[str]) -> list[tuple[str | None, list[str]]]:
    """Group an article's paragraphs by apartado (``1.``, ``2.``...); text before ``1.`` joins it."""
    groups: list[tuple[str | None, list[str]]] = []
    for paragraph in paragraphs:
        match = _APARTADO.match(paragraph)
        if match:
            groups.append((_WORD_NUMBERS.get(match.group(1), match.group(1)), [paragraph]))
        elif groups:
            groups[-1][1].append(paragraph)
        else:
            groups.append((None, [paragraph]))
    if len(groups) > 1 and groups[0][0] is None:
        intro = groups.pop(0)[1]
        number, rest = groups[0]
        groups[0] = (number, intro + rest)
    return groups


def _heading_context(context: list[str], title: str) -> list[str]:
    """Keep the TÍTULO › CAPÍTULO › Sección path of the blocks that follow."""
    order = ["libro", "título", "titulo", "capítulo", "capitulo", "sección", "seccion", "subsección"]
    word = title.split(" ", 1)[0].lower()
    rank = next((i for i, w in enumerate(order) if word.startswith(w)), len(order))
    kept = [
        c
        for c in context
        if next((i for i, w in enumerate(order) if c.split(" ", 1)[0].lower().startswith(w)), len(order)) < rank
    ]
    return [*kept, title]


def _grouped(locator: str, paragraphs: list[str], url: str | None, version: str | None, heading: str) -> list[_Piece]:
    return [
        _Piece(locator, "\n".join(part), heading or locator, url, version)
        for part in _split_paragraphs(paragraphs, SECTION_MAX_CHARS)
    ]


# --------------------------------------------------------------------------- guideline


def _guide_pieces(doc: SourceDocument, problems: list[Problem], signals: SignalBook | None) -> list[_Piece]:
    pieces: list[_Piece] = []
    seen_rules: set[str] = set()
    for section in split_sections(doc.text):
        rule = _RULE_HEADING.match(section.heading)
        if not rule:
            pieces.extend(_plain_section(section, doc))
            continue
        locator = f"Regla {rule.group(1)}"
        if locator in seen_rules:
            problems.append(Problem(doc.file, f"{locator} aparece dos veces; numera las reglas sin repetir"))
        seen_rules.add(locator)
        piece = _rule_piece(doc, section, locator, problems, signals)
        pieces.append(piece)
    return pieces


def _rule_piece(
    doc: SourceDocument, section: Section, locator: str, problems: list[Problem], signals: SignalBook | None
) -> _Piece:
    fields: dict[str, str] = {}
    body_lines = []
    for line in section.body.splitlines():
        match = _RULE_FIELD.match(line)
        if match and match.group(1).lower() not in fields:
            fields[match.group(1).lower()] = match.group(2).strip().strip("*").strip()
        else:
            body_lines.append(line)
    where = f"{locator}"
    verdict: Verdict | None = None
    raw_verdict = fields.get("veredicto")
    if raw_verdict is None:
        problems.append(
            Problem(doc.file, f"{where}: falta la línea «Veredicto:» (permitido, con cautelas o no permitido)")
        )
    else:
        try:
            verdict = Verdict.parse(raw_verdict)
            if verdict not in RULE_VERDICTS:
                raise ValueError(f"una regla no puede tener el veredicto {raw_verdict!r}")
        except ValueError as exc:
            problems.append(Problem(doc.file, f"{where}: {exc}"))
            verdict = None
    refs: list[LegalRef] = []
    for raw in filter(None, (r.strip() for r in re.split(r"[;\n]", fields.get("base legal", "")))):
        match = _LEGAL_REF.match(raw)
        if match:
            refs.append(LegalRef(source_id=match.group(1).upper(), article=re.sub(r"\s+", " ", match.group(2))))
        else:
            problems.append(
                Problem(doc.file, f"{where}: base legal {raw!r} no se entiende; escribe «BOE-A-2015-11719 art. 53.12»")
            )
    if raw_verdict is not None and not refs and "base legal" not in fields:
        problems.append(Problem(doc.file, f"{where}: falta la línea «Base legal:»", "warning"))
    applies_if = _signal_names(fields.get("se aplica si", ""), "Se aplica si", where, doc, problems, signals)
    unless_alts = _signal_names(fields.get("salvo si", ""), "Salvo si", where, doc, problems, signals)
    unless = tuple(dict.fromkeys(name for alt in unless_alts for name in alt))
    if verdict is not None and not applies_if:
        problems.append(
            Problem(
                doc.file,
                f"{where}: falta la línea «Se aplica si:» con las señales que la activan; sin ella la regla "
                "solo se muestra como relacionada y nunca decide",
                "warning",
            )
        )
    firm = _firm(fields.get("firme"), where, doc, problems, verdict)
    if "hallazgos" in fields:
        problems.append(
            Problem(doc.file, f"{where}: «Hallazgos» ya no se usa; nombra las señales en «Se aplica si»", "warning")
        )
    title = section.heading
    text = "\n".join([title, _clean_markdown("\n".join(body_lines))]).strip()
    heading = " · ".join([*section.path[:-1], title]) if section.path else title
    return _Piece(
        locator,
        text,
        heading=heading,
        verdict=verdict,
        legal_basis=refs,
        applies_if=applies_if,
        unless=unless,
        firm=firm,
        keywords=fields.get("palabras clave", ""),
    )


def _firm(raw: str | None, where: str, doc: SourceDocument, problems: list[Problem], verdict: Verdict | None) -> bool:
    """The «Firme» line: «sí» keeps the rule's «no» from being softened by the second opinion."""
    if raw is None:
        return False
    value = fold(raw).strip(" .")
    if value not in {"si", "no"}:
        problems.append(
            Problem(
                doc.file, f"{where}: «Firme: {raw}» no se entiende; escribe «Firme: sí» o quita la línea", "warning"
            )
        )
        return False
    if value == "si" and verdict is not Verdict.NO_PERMITIDO:
        problems.append(
            Problem(doc.file, f"{where}: «Firme: sí» solo vale en una regla «no permitido»; se ignora", "warning")
        )
        return False
    return value == "si"


def _signal_names(
    text: str, field_name: str, where: str, doc: SourceDocument, problems: list[Problem], signals: SignalBook | None
) -> tuple[tuple[str, ...], ...]:
    """A «Se aplica si» / «Salvo si» line as signal ids; unknown names are errors when ``signals`` is given."""
    alternatives = parse_condition(text) if text.strip() else ()
    if signals is None:
        return alternatives
    resolved: list[tuple[str, ...]] = []
    for alternative in alternatives:
        ids = []
        for name in alternative:
            signal_id = signals.resolve(name)
            if signal_id is None:
                problems.append(
                    Problem(
                        doc.file,
                        f"{where}: «{field_name}» nombra la señal desconocida {name.replace('_', ' ')!r}; "
                        "las señales están en knowledge/senales.yaml",
                    )
                )
            else:
                ids.append(signal_id)
        if len(ids) == len(alternative):
            resolved.append(tuple(ids))
    return tuple(resolved)


# --------------------------------------------------------------------------- sections


def _section_pieces(doc: SourceDocument, prefix: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for section in split_sections(doc.text):
        pieces.extend(_plain_section(section, doc, prefix))
    return pieces


def _plain_section(section: Section, doc: SourceDocument, prefix: str = "") -> list[_Piece]:
    body = _clean_markdown(section.body)
    paragraphs = _paragraphs(body)
    if not paragraphs:
        return []
    label = section.heading or doc.title
    locator = f"{prefix}{label}" if section.heading else "Texto"
    heading = " · ".join(section.path) if section.path else label
    return [
        _Piece(locator, "\n".join([label, *part]) if section.heading else "\n".join(part), heading)
        for part in _split_paragraphs(paragraphs, SECTION_MAX_CHARS)
    ]


def split_sections(markdown: str) -> list[Section]:
    """Split Markdown at its headings (ATX and setext, also inside lists)."""
    lines = markdown.splitlines()
    tokens = _md.parse(markdown)
    marks: list[tuple[int, int, int, str]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            content = tokens[i + 1].content if i + 1 < len(tokens) else ""
            title = re.sub(r"\\(.)", r"\1", _MD_LINK.sub(r"\1", content)).strip().strip("*").strip()
            marks.append((token.map[0], token.map[1], int(token.tag[1]), title))
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    start_of_body = 0
    current: tuple[str, int] = ("", 0)
    for start, end, level, title in [*marks, (len(lines), len(lines), 0, "")]:
        body = textwrap.dedent("\n".join(lines[start_of_body:start])).strip()
        if body or current[0]:
            sections.append(Section(current[0], current[1], body, [t for _, t in path]))
        if level == 0:
            break
        path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
        current = (title, level)
        start_of_body = end
    return [s for s in sections if s.body or s.heading]


def _clean_markdown(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"^\s*#{1,6}\s+", "", text, flags=re.MULTILINE)
    return text.strip()


def _paragraphs(text: str) -> list[str]:
    parts = re.split(r"\n\s*\n", text.strip())
    return [re.sub(r"[ \t]*\n[ \t]*", "\n", p).strip() for p in parts if p.strip()]


def _split_paragraphs(paragraphs: list[str], limit: int) -> list[list[str]]:
    """Group consecutive paragraphs into parts of at most ``limit`` characters (a longer one alone)."""
    parts: list[list[str]] = []
    size = 0
    for paragraph in paragraphs:
        if parts and size + len(paragraph) <= limit:
            parts[-1].append(paragraph)
            size += len(paragraph)
        else:
            parts.append([paragraph])
            size = len(paragraph)
    return parts


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:].lower()
