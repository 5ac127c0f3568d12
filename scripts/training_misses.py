"""List the project's training sentences whose root the patterns miss (a pattern author's tool).

    python scripts/training_misses.py 18 20        # sentences labelled 18x/20x without such an event
    python scripts/training_misses.py --negatives  # `-` sentences that got an event anyway

Reads training/cameo/*.tsv (never the evaluation sets) and runs the pipeline up to modality.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dyads.learning.training import TRAINING_DATE, TRAINING_STAGES, read_rows
from dyads.ontology.modal import cameo_modal_code
from dyads.pipeline import Pipeline
from dyads.records import Article, Document

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", help="two-digit CAMEO roots")
    parser.add_argument("--negatives", action="store_true")
    parser.add_argument("--data", type=Path, default=ROOT / "training" / "cameo")
    args = parser.parse_args()
    rows = [
        r
        for r in read_rows(sorted(args.data.glob("*.tsv")))
        if (args.negatives and r.code == "-") or r.code[:2] in args.roots
    ]
    pipeline = Pipeline.from_config(overrides={"pipeline": {"stages": TRAINING_STAGES}})
    missed = 0
    for row, doc in zip(rows, pipeline.nlp.pipe([r.sentence for r in rows]), strict=True):
        article = Article.from_text(row.sentence, TRAINING_DATE, id=row.origin)
        document = pipeline.run_stages(Document(article=article, doc=doc))
        got = [
            (cameo_modal_code(e.cameo.code, e.modality, e.modality_cue), e) for e in document.events
        ]
        if row.code == "-":
            bad = [(m, e) for m, e in got if m]
        else:
            bad = [] if any(m and m[:2] == row.code[:2] for m, _ in got) else [(None, None)]
        if not bad:
            continue
        missed += 1
        coded = "; ".join(
            f"{m or '-'}/{e.cameo.code}({e.modality}) '{e.trigger.text}' "
            f"{e.source.actor.code if e.source else '-'}->{e.target.actor.code if e.target else '-'}"
            for m, e in got
        )
        print(f"{row.code}\t{row.sentence}\n\tgot: {coded or 'no event'}")
    print(f"{missed} of {len(rows)} sentences missed")


if __name__ == "__main__":
    main()
