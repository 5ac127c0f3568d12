"""Train the CAMEO sub-code model (src/dyads/data/models/cameo_subcodes.json).

    python scripts/train_subcodes.py            # or: make train

Reads training/cameo/*.tsv (sentences written by the project), prints a 5-fold cross-validation
of the model against the patterns' own codes and the roots the patterns miss, and writes the
model. Deterministic: the same data and code give the same file.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from dyads import __version__
from dyads.learning.subcodes import MODEL_FILE
from dyads.learning.training import (
    TRAINING_STAGES,
    collect,
    cross_validate,
    fingerprint,
    read_rows,
    train_model,
)
from dyads.pipeline import Pipeline
from dyads.stages.subcodes import SubcodeChooser

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "training" / "cameo")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "src" / "dyads" / "data" / "models" / MODEL_FILE
    )
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument(
        "--min-margin",
        type=float,
        default=20.0,
        help="the margin the cross-validation applies (keep it equal to [stages.subcodes] min_margin)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    paths = sorted(args.data.glob("*.tsv"))
    rows = read_rows(paths)
    pipeline = Pipeline.from_config(overrides={"pipeline": {"stages": TRAINING_STAGES}})
    by_root = SubcodeChooser.codes_by_root(pipeline.resources.ontology)
    got = collect(pipeline, rows, by_root)
    n, found = len(got.examples), got.found
    labelled = sum(got.labelled.values())
    print(
        f"{len(rows)} sentences in {len(paths)} files: {labelled} labelled, {got.negatives} without an event"
    )
    print(f"negatives with some event coded: {got.negatives_with_events}/{got.negatives}")
    print(f"labelled sentences with an event under the label's root: {found}/{labelled}")
    for root in sorted(got.labelled):
        print(f"  root {root}: {got.labelled[root] - got.no_root[root]}/{got.labelled[root]}")
    print(f"examples the model can learn from (label at or below the pattern's code): {n}")
    cv = cross_validate(got.examples, epochs=args.epochs, min_margin=args.min_margin)
    print("held-out changes of the pattern's code, by the model's margin:")
    for band, (changes, right, pattern_right) in cv.changes.items():
        print(
            f"  margin >= {band:>4}: {changes} changes, {right} right, pattern was right in {pattern_right}"
        )
    right = cv.right
    model_share, pattern_share = right / max(found, 1), got.baseline_right / max(found, 1)
    print(
        f"5-fold, full code right where the root was found (margin {args.min_margin}): "
        f"model {right}/{found} ({model_share:.1%}), "
        f"patterns alone {got.baseline_right}/{found} ({pattern_share:.1%})"
    )
    meta = {
        "dyads": __version__,
        "data": fingerprint(paths),
        "examples": n,
        "epochs": args.epochs,
        "min_margin": args.min_margin,
        "cross_validated_accuracy": round(model_share, 4),
        "patterns_alone_accuracy": round(pattern_share, 4),
        "model": pipeline.model_name,
    }
    model = train_model(got.examples, meta, epochs=args.epochs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(model.to_json(), "utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(model.weights):,} features)")


if __name__ == "__main__":
    main()
