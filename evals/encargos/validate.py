#!/usr/bin/env python3
"""Validate commissioned eval cases (JSON Lines). Usage:
python3 validate.py PREFIX file.jsonl ... [--conversations]"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

VERDICTS = {"permitido", "con_cautelas", "no_permitido", "informativo", "sin_base"}
NETWORKS = {"x", "facebook", "instagram", "linkedin", "tiktok", "youtube", "threads", "bluesky", "telegram"}
CORPUS = Path(__file__).resolve().parent.parent / "shared" / "corpus" / "boe"
WORDS = {
    "un": 1,
    "uno": 1,
    "primero": 1,
    "dos": 2,
    "segundo": 2,
    "tres": 3,
    "tercero": 3,
    "cuatro": 4,
    "cuarto": 4,
    "cinco": 5,
    "quinto": 5,
    "seis": 6,
    "sexto": 6,
    "siete": 7,
    "séptimo": 7,
    "ocho": 8,
    "octavo": 8,
    "nueve": 9,
    "noveno": 9,
    "diez": 10,
    "décimo": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciséis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiuno": 21,
    "veintidós": 22,
    "veintitrés": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiséis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
    "cien": 100,
    "ciento": 100,
    "doscientos": 200,
    "trescientos": 300,
}


def words_to_number(phrase: str) -> int | None:
    total = 0
    for w in phrase.split():
        if w == "y":
            continue
        if w not in WORDS:
            return total or None
        total += WORDS[w]
    return total or None


_articles: dict[str, set[str]] = {}


def articles(source_id: str) -> set[str]:
    if source_id not in _articles:
        path = CORPUS / f"{source_id}.md"
        found: set[str] = set()
        if path.exists():
            text = path.read_text(encoding="utf-8")
            for m in re.finditer(r"Art[íi]culo\s+([a-záéíóú ]+)", text):
                n = words_to_number(m.group(1).strip())
                if n:
                    found.add(str(n))
            for m in re.finditer(r"Art[íi]culo\s+(\d+)(?:\s*(bis|ter|quater))?", text):
                found.add(m.group(1) + (f" {m.group(2)}" if m.group(2) else ""))
                found.add(m.group(1))
        _articles[source_id] = found
    return _articles[source_id]


def check_case(case: dict, where: str, errors: list[str], conversation: bool) -> None:
    allowed = {"question", "draft", "expect_verdict", "forbid_verdict", "expect_sources"}
    if not conversation:
        allowed |= {"id", "tags", "notes"}
    for key in case:
        if key not in allowed:
            errors.append(f"{where}: unknown field {key!r}")
    q = case.get("question")
    if not isinstance(q, str) or not q.strip():
        errors.append(f"{where}: question must be a non-empty string")
    if "draft" in case and (not isinstance(case["draft"], str) or not case["draft"].strip()):
        errors.append(f"{where}: draft must be a non-empty string")
    ev = case.get("expect_verdict")
    if not isinstance(ev, list) or not ev or any(v not in VERDICTS for v in ev):
        errors.append(f"{where}: expect_verdict must be a non-empty list of {sorted(VERDICTS)}")
        ev = []
    fv = case.get("forbid_verdict", [])
    if not isinstance(fv, list) or any(v not in VERDICTS for v in fv):
        errors.append(f"{where}: forbid_verdict must be a list of verdicts")
    elif set(fv) & set(ev):
        errors.append(f"{where}: a verdict is both expected and forbidden")
    srcs = case.get("expect_sources")
    if not isinstance(srcs, list):
        errors.append(f"{where}: expect_sources must be a list")
        return
    if ev == ["sin_base"] and srcs:
        errors.append(f"{where}: sin_base takes an empty expect_sources")
    for s in srcs:
        if not isinstance(s, dict):
            errors.append(f"{where}: source {s!r} must be an object")
        elif "network" in s:
            if s["network"] not in NETWORKS or len(s) != 1:
                errors.append(f"{where}: bad network source {s!r}")
        elif "source_id" in s:
            art = str(s.get("article", "")).strip()
            if set(s) != {"source_id", "article"} or not art:
                errors.append(f"{where}: a law source is {{source_id, article}}: {s!r}")
            elif not (CORPUS / f"{s['source_id']}.md").exists():
                errors.append(f"{where}: unknown law {s['source_id']!r}")
            elif art not in articles(s["source_id"]):
                errors.append(f"{where}: article {art!r} not found in {s['source_id']}")
        else:
            errors.append(f"{where}: bad source {s!r}")


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    conversations = "--conversations" in sys.argv
    if len(args) < 2:
        print(__doc__)
        return 2
    prefix, files = args[0], args[1:]
    errors: list[str] = []
    ids: set[str] = set()
    verdicts: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    turns = 0
    for name in files:
        for n, line in enumerate(Path(name).read_text(encoding="utf-8").splitlines(), 1):
            where = f"{name}:{n}"
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc})")
                continue
            cid = obj.get("id", "")
            if not re.fullmatch(re.escape(prefix) + r"\d{3}", str(cid)):
                errors.append(f"{where}: id {cid!r} must be {prefix} + 3 digits")
            if cid in ids:
                errors.append(f"{where}: duplicate id {cid}")
            ids.add(cid)
            if not isinstance(obj.get("tags", []), list) or not obj.get("notes"):
                errors.append(f"{where}: tags (list) and notes are required")
            tags.update(obj.get("tags", []))
            if conversations:
                extra = set(obj) - {"id", "tags", "notes", "turns"}
                if extra:
                    errors.append(f"{where}: unknown fields {sorted(extra)}")
                ts = obj.get("turns")
                if not isinstance(ts, list) or not 2 <= len(ts) <= 4:
                    errors.append(f"{where}: turns must be a list of 2 to 4 turns")
                    continue
                for i, t in enumerate(ts, 1):
                    check_case(t, f"{where} turn {i}", errors, True)
                    verdicts["/".join(t.get("expect_verdict", []))] += 1
                    turns += 1
            else:
                check_case(obj, where, errors, False)
                verdicts["/".join(obj.get("expect_verdict", []))] += 1
    for e in errors:
        print("ERROR", e)
    print(f"{len(ids)} ids" + (f", {turns} turns" if conversations else ""), f"{len(errors)} errors")
    print("verdicts:", dict(verdicts.most_common()))
    print("top tags:", dict(tags.most_common(25)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
