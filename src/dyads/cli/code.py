"""``dyads code``, ``dyads info`` and ``dyads dicts validate``."""

from __future__ import annotations

import json
import logging
import sys
import time

import click

from ..export.writers import FORMATS, Writer
from ..records import ArticleError
from .common import ErrorLog, Progress, build_config, iterate, pipeline_options, resolve_processes

log = logging.getLogger("dyads")


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="Output file (default: stdout).",
)
@click.option("--include-text", is_flag=True, help="With --format json: include the article text.")
@pipeline_options
@click.pass_context
def code(
    ctx,
    inputs,
    fmt,
    output,
    include_text,
    date,
    config_path,
    model,
    pattern_files,
    actor_files,
    processes,
    batch_size,
    input_format,
    strict,
):
    """Code articles into events.

    INPUTS are files (.txt, .jsonl, .csv, .html, .parquet), directories (read recursively) or
    '-' for standard input. Events go to stdout as JSON lines unless --format says otherwise.
    """
    from ..pipeline import Pipeline
    from ..readers import read

    config = build_config(config_path, model, pattern_files, actor_files)
    pipeline = Pipeline(config)
    processes = resolve_processes(processes)
    errors = ErrorLog(strict)
    writer = Writer(output, fmt, include_text)
    progress = Progress(not ctx.obj.get("quiet"))
    articles = events = 0
    started = time.perf_counter()
    try:
        stream = pipeline.pipe(
            read(inputs, date, input_format), batch_size=batch_size, processes=processes
        )
        for result in iterate(stream, progress):
            if isinstance(result, ArticleError):
                errors.report(result)
                continue
            articles += 1
            events += len(result.events)
            for note in result.notes:
                log.warning("%s (article %s): %s", result.article.origin, result.article.id, note)
            writer.write(result)
    finally:
        progress.close()
        writer.close()
    elapsed = time.perf_counter() - started
    log.info(
        "coded %d articles, %d events in %.1fs; %d errors", articles, events, elapsed, errors.count
    )
    if errors.count and not ctx.obj.get("quiet"):
        click.echo(f"dyads: {articles} articles coded, {errors.count} could not be coded", err=True)
    if articles == 0 and errors.count:
        ctx.exit(1)


@click.command()
@click.option("--model", default=None, help="spaCy model name or path (default: auto).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info(model, as_json):
    """Version, spaCy model, data files loaded and their counts."""
    from ..pipeline import Pipeline

    config = build_config(None, model, (), ())
    data = Pipeline(config).info()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"dyads {data['dyads']}")
    click.echo(f"spaCy model: {data['model']}")
    click.echo(f"stages: {', '.join(data['stages'])}")
    for section in ("ontology", "actors", "patterns", "gazetteer", "subcode_model"):
        if section not in data:
            continue
        counts = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in data[section].items()
        )
        click.echo(f"{section}: {counts}")


@click.group()
def dicts():
    """Inspect and check the dictionaries (actors, patterns, ontology)."""


@dicts.command("validate")
@click.option(
    "--actors", "actor_files", multiple=True, type=click.Path(exists=True, dir_okay=False)
)
@click.option(
    "--patterns", "pattern_files", multiple=True, type=click.Path(exists=True, dir_okay=False)
)
def validate(actor_files, pattern_files):
    """Load and check every data file; print counts, exit 1 on the first problem."""
    from ..dictionaries.actors import ActorDictionary
    from ..dictionaries.patterns import load_patterns
    from ..ontology import OntologyError, load_ontology

    try:
        ontology = load_ontology()
        actors = ActorDictionary.load(extra_files=list(actor_files), strict=True)
        patterns = load_patterns(ontology, extra_files=list(pattern_files), strict=True)
    except (OntologyError, ValueError) as err:
        click.echo(f"dyads: invalid data: {err}", err=True)
        sys.exit(1)
    for name, counts in (
        ("ontology", ontology.counts()),
        ("actors", actors.counts()),
        ("patterns", patterns.counts()),
    ):
        click.echo(f"{name}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    for warning in actors.warnings + patterns.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo("ok")
