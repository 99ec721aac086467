"""``python -m evals run|gate``: the evaluation suite for QA (see ``evals/README.md``)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import SettingsError, load_settings
from bot.arbiter import ARBITER_FILE, FOLLOW_UP_ARBITER_FILE, ArbiterError
from evals.dataset import CASES_DIR, CONVERSATIONS_DIR, SPLITS, Case, DatasetError, default_datasets, load_cases
from evals.runner import CONFIGS, DEFAULT_CONFIG, ConfigResult, run_config

if TYPE_CHECKING:
    from bot.arbiter import Arbiter
    from bot.settings import Settings
    from evals.second_opinion import FirstAnswer, Outcome, Tally, Thresholds

THRESHOLDS = Path(__file__).parent / "thresholds.toml"


def _progress(cases: Iterable[Case], label: str) -> Iterable[Case]:
    from tqdm import tqdm

    items = list(cases)
    return tqdm(items, desc=f"{label:>7}", unit="caso", file=sys.stderr, disable=None)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.logs import quiet_model_libraries
    from evals.report import write_report

    quiet_model_libraries()
    datasets = [Path(p) for p in args.dataset] if args.dataset else default_datasets(args.split)
    try:
        cases = load_cases(datasets)
        settings = load_settings()
    except (DatasetError, SettingsError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    configs = args.config or list(CONFIGS)
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        print(f"Error: configuración desconocida {', '.join(unknown)}; válidas: {', '.join(CONFIGS)}", file=sys.stderr)
        return 2
    print(f"{len(cases)} casos de {len(datasets)} conjuntos; configuraciones: {', '.join(configs)}", file=sys.stderr)
    per_config = dict.fromkeys(configs, cases)
    if args.compare_dev_only and len(configs) > 1:
        compared = [c for c in cases if c.split == "dev" and c.conversation is None]
        per_config.update(dict.fromkeys(configs[1:], compared))
        print(f"{', '.join(configs[1:])}: solo las {len(compared)} preguntas sueltas de dev", file=sys.stderr)
    results = _run_configs(per_config, settings, args.jobs)
    data = write_report(results, args.report, datasets=[p.name for p in datasets])
    for name, by_split in data["configs"].items():
        for summary in by_split.values():
            print(_summary_line(name, summary))
    print(f"Informe: {args.report / 'report.md'}")
    return 0


def _run_configs(cases: dict[str, list[Case]], settings: Any, jobs: int) -> list[ConfigResult]:
    """Each configuration over its cases, in turn, or ``jobs`` of them at once in processes of
    their own (fresh interpreters: the model libraries' threads do not survive a fork). Results
    keep the order of ``cases``; latencies measured side by side are not the benchmark's."""
    if jobs <= 1 or len(cases) == 1:
        return [run_config(name, items, settings, progress=_progress) for name, items in cases.items()]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(cases)), mp_context=context) as pool:
        # Slowest first, so that the others share the remaining workers meanwhile: with two, dense
        # (it embeds every question) takes as long as hybrid and bm25 one after the other.
        started = {name: pool.submit(run_config, name, cases[name], settings) for name in sorted(cases, key=_cost)}
        return [started[name].result() for name in cases]


def _cost(config: str) -> int:
    """Rough order of a configuration's running time, slowest first."""
    return {"dense": 0, "naive": 1}.get(config, 2)


def _summary_line(name: str, s: dict[str, Any]) -> str:
    def f(v: Any) -> str:
        return "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    return (
        f"{name:>7} [{s.get('split', 'todos')}, {s['cases']} casos]: hit@1 {f(s['hit@1'])} · hit@5 {f(s['hit@5'])}"
        f" · MRR@10 {f(s['mrr@10'])} · nDCG@10 {f(s['ndcg@10'])}"
        f" · veredicto {f(s['verdict_accuracy'])} · peligrosos {s['dangerous_errors']}"
        f" ({s.get('permissive_errors', '—')} permisivos, {s.get('over_restrictive_errors', '—')} restrictivos)"
        f" · regla {f(s.get('rule_hit'))} · artículo {f(s.get('law_source_hit'))}"
        f" · abstención P {f(s['abstention_precision'])} R {f(s['abstention_recall'])}"
        f" · p50 {f(s['latency_p50_ms'])} ms · p95 {f(s['latency_p95_ms'])} ms"
        + (
            f"\n{'':>7} conversaciones [{s['conversations']}, {s['conversation_turns']} turnos]:"
            f" veredicto {f(s['conversation_verdict_accuracy'])}"
            f" · seguimientos {f(s['conversation_follow_up_accuracy'])}"
            f" · sin fallo {f(s['conversation_all_turns_right'])}"
            f" · peligrosos {s['conversation_dangerous_errors']}"
            if s.get("conversations")
            else ""
        )
    )


def gate(summary: dict[str, Any], thresholds: dict[str, Any], others: dict[str, Any] | None = None) -> list[str]:
    """The reasons the CI gate fails (empty when it passes).

    ``others``: the report's other configurations, for ``[no_peor_que]`` (the default must not
    fall below any single retriever on the listed metrics by more than its ``tolerancia``). A
    rival the report lacks fails the gate if it is ``obligatorias`` (by default, all of them).
    """
    failures = []
    for metric, minimum in thresholds.get("minimo", {}).items():
        value = summary.get(metric)
        if value is None or value < minimum:
            failures.append(f"{metric} = {value} < {minimum}")
    for metric, maximum in thresholds.get("maximo", {}).items():
        value = summary.get(metric)
        if value is None or value > maximum:
            failures.append(f"{metric} = {value} > {maximum}")
    rival_rule = thresholds.get("no_peor_que", {})
    slack = float(rival_rule.get("tolerancia", 0.0))
    rivals = rival_rule.get("configuraciones", [])
    required = rival_rule.get("obligatorias", rivals)
    for rival in rivals:
        rival_summary = (others or {}).get(rival)
        if rival_summary is None:
            if rival in required:
                failures.append(f"el informe no incluye {rival} (ejecuta con --config {rival})")
            continue
        for metric in rival_rule.get("metricas", []):
            mine, theirs = summary.get(metric), rival_summary.get(metric)
            if mine is None or theirs is None or mine < theirs - slack:
                failures.append(f"{metric} = {mine} < {theirs} de {rival}")
    return failures


def targets_missed(summary: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """The targets (``[objetivo_minimo]``, ``[objetivo_maximo]``) not reached: reported, not failing."""
    return gate(
        summary, {"minimo": thresholds.get("objetivo_minimo", {}), "maximo": thresholds.get("objetivo_maximo", {})}
    )


def cmd_gate(args: argparse.Namespace) -> int:
    report = json.loads((args.report / "report.json").read_text(encoding="utf-8"))
    thresholds = tomllib.loads(args.thresholds.read_text(encoding="utf-8"))
    config = thresholds.get("configuracion", DEFAULT_CONFIG)
    by_split = report["configs"].get(config)
    if by_split is None:
        print(f"El informe no tiene la configuración {config!r}", file=sys.stderr)
        return 2
    failures: list[str] = []
    missed: list[str] = []
    for split in SPLITS:
        rules = thresholds.get(split)
        if rules is None:
            continue
        summary = by_split.get(split)
        if summary is None:
            failures.append(f"[{split}] el informe no incluye el conjunto {split}")
            continue
        others = {name: splits.get(split) for name, splits in report["configs"].items() if splits.get(split)}
        failures += [f"[{split}] {f}" for f in gate(summary, rules, others)]
        missed += [f"[{split}] {f}" for f in targets_missed(summary, rules)]
        print(_summary_line(config, summary))
        if absent := [r for r in rules.get("no_peor_que", {}).get("configuraciones", []) if r not in others]:
            verb = "está" if len(absent) == 1 else "están"
            print(f"  [{split}] sin comparar con {', '.join(absent)}: no {verb} en el informe")
    if missed:
        print("OBJETIVOS AÚN NO ALCANZADOS (no hacen fallar la puerta):\n  " + "\n  ".join(missed))
    if failures:
        print("PUERTA DE CALIDAD: FALLA\n  " + "\n  ".join(failures))
        return 1
    print("PUERTA DE CALIDAD: SUPERADA")
    return 0


def cmd_second_opinion(args: argparse.Namespace) -> int:
    from evals.second_opinion import (
        FIRST_ANSWERS,
        Judged,
        Thresholds,
        add_first_answers,
        combined,
        cross_validate,
        cross_validate_arbiter,
        cross_validate_first_turns,
        cross_validate_follow_ups,
        examples,
        learn_arbiter,
        read_first_answers,
        total,
        total_arbitrated,
    )

    first = args.primeras or FIRST_ANSWERS
    if args.anadir:
        added = add_first_answers(args.anadir, first)
        print(f"{added} primeras respuestas añadidas a {first}")
        return 0
    settings = load_settings()
    chosen = Thresholds(
        high=settings.doubt_high if args.alto is None else args.alto,
        low=settings.doubt_low if args.bajo is None else args.bajo,
        sure=settings.doubt_sure if args.seguro is None else args.seguro,
        query=settings.doubt_query if args.consulta is None else args.consulta,
        scope=settings.doubt_scope if args.ambito is None else args.ambito,
        verdict=settings.doubt_verdict if args.veredicto is None else args.veredicto,
    )
    grid: list[Thresholds] = []
    if args.barrido:
        grid = [
            Thresholds(h, lo, s, chosen.query, chosen.scope, chosen.verdict)
            for h in (0.3, 0.4, 0.5, 0.6)
            for lo in (0.15, 0.25, 0.35, 0.45)
            for s in (0.7, 0.8, 0.9, 1.0)
        ]
        grid += [
            t
            for q in (0.6, 0.7, 0.8, 0.9, 1.0)
            for sc in (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
            if (t := Thresholds(chosen.high, chosen.low, chosen.sure, q, sc, chosen.verdict)) not in grid
        ]
    answers = read_first_answers(first)
    learned = None if args.sin_conversaciones else args.conversaciones
    if args.ruido:
        return _print_noise(args, settings, chosen, answers, learned)
    judged: list[Judged] = []
    outcomes, totals = cross_validate(
        chosen,
        args.casos,
        answers,
        grid=grid,
        exclude=args.excluir or (),
        conversations_dir=learned,
        judged_out=judged,
    )
    cost = settings.doubt_cost if args.coste is None else args.coste
    costs = sorted({cost, *args.costes})
    by_cost = cross_validate_arbiter(judged, chosen, costs)
    arbitrated = {o.batch: o.arbitrated for o in by_cost[cost]}
    print(
        f"Umbrales: {chosen}. Árbitro: coste {cost}. Cada lote, juzgado por un modelo y un árbitro que no lo han visto."
    )
    print(
        "lote | casos | solo reglas | con segunda opinión (umbrales) | con segunda opinión (árbitro)"
        " | consultas leídas como publicación (esperaban veredicto / no)"
    )
    for o in outcomes:
        chosen_by_arbiter = arbitrated.get(o.batch)
        print(
            f"{o.batch} | {o.before.cases} | {o.before.line()} | {o.after.line()}"
            f" | {chosen_by_arbiter.line() if chosen_by_arbiter else '—'} | {o.to_verdict[0]} / {o.to_verdict[1]}"
        )
    wanted, unwanted = sum(o.to_verdict[0] for o in outcomes), sum(o.to_verdict[1] for o in outcomes)
    print(
        f"TOTAL | {total(outcomes, False).cases} | {total(outcomes, False).line()} | {total(outcomes, True).line()}"
        f" | {total_arbitrated(by_cost[cost]).line()} | {wanted} / {unwanted}"
    )
    print("\nÁrbitro por coste (un veredicto peligroso vale tantos errores), en los mismos casos:")
    _print_by_cost(by_cost, "lotes")
    try:
        arbiter: Arbiter | None = learn_arbiter(judged)
    except ArbiterError as exc:
        arbiter = None
        print(f"\nSin árbitro: {exc}", file=sys.stderr)
    if args.aprender_arbitro:
        if arbiter is None:
            return 1
        arbiter.save(args.aprender_arbitro)
        print(f"\nÁrbitro aprendido de {len(examples(judged))} primeras respuestas: {args.aprender_arbitro}")
    opening = cross_validate_first_turns(
        chosen,
        args.conversaciones,
        answers,
        args.casos,
        learn_first_turns=not args.sin_conversaciones,
        arbiter=arbiter,
        cost=cost,
    )
    print(
        "\nPrimeros turnos de las conversaciones de dev, cada fichero juzgado por un modelo que no lo ha visto"
        " (el árbitro, aprendido de los casos, tampoco):"
    )
    print("conversaciones | turnos | solo reglas | con segunda opinión (umbrales) | con segunda opinión (árbitro)")
    for o in opening:
        print(
            f"{o.batch} | {o.before.cases} | {o.before.line()} | {o.after.line()}"
            f" | {o.arbitrated.line() if o.arbitrated else '—'}"
        )
    print(
        f"TOTAL | {total(opening, False).cases} | {total(opening, False).line()} | {total(opening, True).line()}"
        f" | {total_arbitrated(opening).line()}"
    )
    follow_ups: list[Judged] = []
    later = cross_validate_follow_ups(chosen, args.conversaciones, answers, args.casos, judged_out=follow_ups)
    later_cost = settings.doubt_follow_up_cost if args.coste_seguimientos is None else args.coste_seguimientos
    later_by_cost = cross_validate_arbiter(follow_ups, chosen, sorted({later_cost, *costs}), follow_ups=True)
    weighed = {o.batch: o.arbitrated for o in later_by_cost[later_cost]}
    print(
        "\nSeguimientos (turnos 2 y siguientes) de las conversaciones de dev, cada fichero juzgado por un modelo"
        f" aprendido de los seguimientos de los demás (y un árbitro, coste {later_cost}, aprendido de ellos):"
    )
    print(
        "conversaciones | turnos | solo reglas | solo la cautela del modelo de casos | modelo de seguimientos"
        " (umbrales) | modelo de seguimientos (árbitro)"
    )
    for f in later:
        by_arbiter = weighed.get(f.batch)
        print(
            f"{f.batch} | {f.rules.cases} | {f.rules.line()} | {f.hedge.line()} | {f.learned.line()}"
            f" | {by_arbiter.line() if by_arbiter else '—'}"
        )
    rules, hedge, learned = (combined(getattr(f, k) for f in later) for k in ("rules", "hedge", "learned"))
    print(
        f"TOTAL | {rules.cases} | {rules.line()} | {hedge.line()} | {learned.line()}"
        f" | {total_arbitrated(later_by_cost[later_cost]).line()}"
    )
    if follow_ups:
        print("\nÁrbitro de los seguimientos por coste, en los mismos seguimientos:")
        _print_by_cost(later_by_cost, "ficheros")
    if args.aprender_arbitro_seguimientos:
        try:
            learn_arbiter(follow_ups).save(args.aprender_arbitro_seguimientos)
        except ArbiterError as exc:
            print(f"\nSin árbitro de seguimientos: {exc}", file=sys.stderr)
            return 1
        print(
            f"\nÁrbitro de seguimientos aprendido de {len(examples(follow_ups))} seguimientos:"
            f" {args.aprender_arbitro_seguimientos}"
        )
    if totals:
        print("\numbrales | con segunda opinión")
        for thresholds, tally in totals.items():
            print(f"{thresholds} | {tally.line()}")
    return 0


def _print_noise(
    args: argparse.Namespace,
    settings: Settings,
    chosen: Thresholds,
    answers: Mapping[str, FirstAnswer],
    learned: Path | None,
) -> int:
    from bot.doubt import load_arbiter
    from evals.second_opinion import retraining_noise

    arbiter = load_arbiter(settings.doubt_arbiter, "--aprender-arbitro")
    cost = settings.doubt_cost if args.coste is None else args.coste
    try:
        everything, draws = retraining_noise(
            chosen,
            args.casos,
            answers,
            draws=args.ruido,
            dropped=args.ruido_parte,
            conversations_dir=learned,
            arbiter=arbiter,
            cost=cost,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"Ruido del reentrenamiento: la segunda opinión ({'árbitro, coste ' + str(cost) if arbiter else 'umbrales'})"
        f" sobre las primeras respuestas de dev, con modelos que las han visto, como en python -m evals run."
    )
    print("modelo | casos aprendidos | veredicto | veredictos que cambian")
    print(f"todo dev | — | {everything.line()} | —")
    for n, draw in enumerate(draws, 1):
        print(
            f"sin un {args.ruido_parte:.0%} al azar (semilla {n}) | {draw.learned} | {draw.tally.line()} | {draw.changed}"
        )
    rates = [t.right / t.cases for t in (everything, *(d.tally for d in draws)) if t.cases]
    if len(rates) > 1:
        print(f"horquilla del veredicto: {min(rates):.4f} – {max(rates):.4f}")
    return 0


def _costs(text: str) -> tuple[float, ...]:
    try:
        costs = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        costs = ()
    if not costs or any(c < 0 for c in costs):
        raise argparse.ArgumentTypeError(f"costes ilegibles: {text!r} (números de 0 en adelante: 2,4,6)")
    return costs


def _print_by_cost(by_cost: Mapping[float, Sequence[Outcome]], groups: str) -> None:
    """One line per cost: the thresholds, the arbiter, and how many ``groups`` it does better or worse."""
    from evals.second_opinion import total, total_arbitrated

    print(f"coste | umbrales | árbitro | {groups} mejor / peor que con umbrales (aciertos − peligrosos × coste)")
    for c, rows in by_cost.items():
        better = sum(_worth(o.arbitrated, c) > _worth(o.after, c) for o in rows if o.arbitrated)
        worse = sum(_worth(o.arbitrated, c) < _worth(o.after, c) for o in rows if o.arbitrated)
        print(f"{c} | {total(rows, True).line()} | {total_arbitrated(rows).line()} | {better} / {worse}")


def _worth(tally: Tally | None, cost: float) -> float:
    """Right answers less dangerous ones, each weighing ``cost``: what the arbiter maximises."""
    if tally is None:
        return 0.0
    return tally.right - cost * (tally.permissive + tally.restrictive)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Evaluación de Puedo publicar")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="evaluar uno o varios conjuntos en una o varias configuraciones")
    run.add_argument(
        "--dataset", action="append", help="fichero .jsonl (repetible; por defecto los de --split, o los dos conjuntos)"
    )
    run.add_argument(
        "--split", choices=SPLITS, help="solo el conjunto dev (evals/cases/) o el test (evals/cases/test/)"
    )
    run.add_argument("--config", action="append", help=f"configuración (repetible): {', '.join(CONFIGS)}")
    run.add_argument("--report", type=Path, required=True, help="carpeta donde escribir el informe")
    run.add_argument(
        "--compare-dev-only",
        action="store_true",
        help="las configuraciones después de la primera solo con las preguntas sueltas de dev "
        "(lo que compara [dev.no_peor_que] de la puerta)",
    )
    run.add_argument(
        "--jobs", type=int, default=1, help="configuraciones a la vez, cada una en su proceso (por defecto 1)"
    )
    run.set_defaults(func=cmd_run)
    check = sub.add_parser("gate", help="comprobar un informe contra los umbrales de evals/thresholds.toml")
    check.add_argument("--report", type=Path, required=True)
    check.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    check.set_defaults(func=cmd_gate)
    doubt = sub.add_parser(
        "segunda-opinion",
        help="cómo habría acertado la segunda opinión en cada lote independiente sin haberlo visto "
        "(evals/primeras_respuestas.jsonl)",
    )
    doubt.add_argument("--alto", type=float, help="umbral de riesgo ante un «sí» (por defecto BOT_DOUBT_HIGH)")
    doubt.add_argument("--bajo", type=float, help="umbral de riesgo ante un «no» (por defecto BOT_DOUBT_LOW)")
    doubt.add_argument("--seguro", type=float, help="umbral ante un «con cautelas» (por defecto BOT_DOUBT_SURE)")
    doubt.add_argument("--consulta", type=float, help="umbral para leerla como consulta (por defecto BOT_DOUBT_QUERY)")
    doubt.add_argument(
        "--veredicto", type=float, help="umbral para leer una consulta como publicación (por defecto BOT_DOUBT_VERDICT)"
    )
    doubt.add_argument(
        "--ambito", type=float, help="umbral para leerla dentro del ámbito (por defecto BOT_DOUBT_SCOPE)"
    )
    doubt.add_argument("--barrido", action="store_true", help="añadir los totales de una rejilla de umbrales")
    doubt.add_argument(
        "--ruido",
        type=int,
        metavar="N",
        help="en vez de la validación cruzada: cuánto se mueve el veredicto de dev al reentrenar el modelo"
        " N veces sin una parte al azar de los casos",
    )
    doubt.add_argument(
        "--ruido-parte",
        type=float,
        default=0.01,
        help="la parte de los casos que se deja fuera en cada reentrenamiento de --ruido (por defecto 0.01)",
    )
    doubt.add_argument(
        "--sin-conversaciones",
        action="store_true",
        help="entrenar sin los primeros turnos de las conversaciones de dev (como antes de la sesión 58)",
    )
    doubt.add_argument(
        "--conversaciones",
        type=Path,
        default=CONVERSATIONS_DIR,
        help="conversaciones de dev cuyos primeros turnos aprende (por defecto evals/conversations)",
    )
    doubt.add_argument(
        "--excluir", action="append", metavar="LOTE", help="dejar fuera un lote (repetible): «independientes26»"
    )
    doubt.add_argument(
        "--anadir",
        type=Path,
        metavar="REPORT_JSON",
        help="añadir las respuestas de un informe hecho solo con las reglas (BOT_DOUBT_CASES_DIR=) a un lote nuevo",
    )
    doubt.add_argument(
        "--casos", type=Path, default=CASES_DIR, help="carpeta de casos de dev (por defecto evals/cases)"
    )
    doubt.add_argument(
        "--coste", type=float, help="coste de un veredicto peligroso para el árbitro (por defecto BOT_DOUBT_COST)"
    )
    doubt.add_argument(
        "--coste-seguimientos",
        type=float,
        help="coste de un veredicto peligroso para el árbitro de los seguimientos (por defecto BOT_DOUBT_FOLLOW_UP_COST)",
    )
    doubt.add_argument(
        "--costes",
        type=_costs,
        default=(0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0),
        help="costes con que medir también los árbitros, separados por comas (por defecto 0.5,1,2,3,4,5,6,8,10)",
    )
    doubt.add_argument(
        "--aprender-arbitro",
        type=Path,
        nargs="?",
        const=ARBITER_FILE,
        metavar="JSON",
        help="guardar el árbitro aprendido de todas las primeras respuestas (por defecto en bot/arbitro.json)",
    )
    doubt.add_argument(
        "--aprender-arbitro-seguimientos",
        type=Path,
        nargs="?",
        const=FOLLOW_UP_ARBITER_FILE,
        metavar="JSON",
        help="guardar el árbitro de los seguimientos aprendido de todos los seguimientos con primera respuesta"
        " (por defecto en bot/arbitro_seguimientos.json)",
    )
    doubt.add_argument(
        "--primeras", type=Path, help="primeras respuestas (por defecto evals/primeras_respuestas.jsonl)"
    )
    doubt.set_defaults(func=cmd_second_opinion)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
