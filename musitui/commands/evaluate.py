"""musitui evaluate: has musitui learned your taste? Replays your own listening history.

Each past listening session is replayed: before every finished track (after the first of the
session) the recommender lists 10 tracks from what it knew up to then; the hidden track is a
hit when listed. Reports hit rate@10 and NDCG@10 beside a popularity and a content-only
baseline (musitui.recommend.replay).
"""

from __future__ import annotations

import argparse
import sys

from musitui.commands import Context
from musitui.text_safety import terminal_json

HELP = "replay your listening history: hit rate@10 and NDCG@10 vs baselines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--max-cases", type=int, default=5000, metavar="N",
                        help="replay at most N hidden tracks (default 5000)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.core.ranking import tagger_arrays
    from musitui.recommend.arrays import build_library_from_columns
    from musitui.recommend.engine import Weights
    from musitui.recommend.replay import RANKERS, replay
    from musitui.store.features import FeatureStore
    from musitui.store.history import History

    if args.max_cases <= 0:
        print("musitui: --max-cases must be at least 1", file=sys.stderr)
        return 2
    config = ctx.config
    history = History.open(ctx.home, config)
    for message in history.messages:
        print(f"musitui: {message}", file=sys.stderr)
    events = history.events(kinds=["finish", "skip"], newest_first=False)
    history.close()
    catalog = ctx.open_catalog()
    features = FeatureStore.open(ctx.home)
    if features.damaged:
        print(f"musitui: {features.damaged}", file=sys.stderr)
    columns = catalog.columns().present()
    tagger_ids, tagger_matrix = tagger_arrays(ctx.home, columns.ids)
    lib = build_library_from_columns(columns, feature_ids=features.ids,
                                     feature_matrix=features.matrix,
                                     feature_names=list(features.names or []),
                                     tagger_ids=tagger_ids, tagger_matrix=tagger_matrix)
    weights = Weights.from_config(config.recommend)
    gap = config.history.session_gap_minutes * 60.0
    report = replay(lib, events, weights, session_gap=gap, max_cases=args.max_cases)
    if args.json:
        summary = report.summary()
        if report.cases == 0:
            summary["message"] = "nothing to evaluate yet"
        print(terminal_json(summary, indent=2))
        return 0
    if report.cases == 0:
        print("nothing to evaluate yet: listen to a few sessions first "
              "(a session needs two finished tracks)")
        return 0
    print(f"{report.cases} hidden next tracks in {report.sessions} listening sessions "
          f"(each ranked from what was known before it)")
    print(f"{'ranker':14} {'hit rate@10':>11} {'NDCG@10':>8}")
    for name in RANKERS:
        print(f"{name:14} {report.hit_rate(name):11.3f} {report.ndcg(name):8.3f}")
    return 0
