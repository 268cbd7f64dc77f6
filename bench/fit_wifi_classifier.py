"""Fit the Wi-Fi kind model and write ``rf/wifi/classifier.json``.

    python -m bench.fit_wifi_classifier [--scenes 120] [--jobs 2]

Simulates scenarios with seeds 0 .. scenes-1 of ``bench.wifi_scenes.TRAINING_SEEDS`` from the
TRAINING encoder traces (``material="training"``); the benchmark (``ansim bench wifi``) uses
the BENCHMARK traces and seeds from ``BENCHMARK_FIRST_SEED``, so it only ever scores devices
and encodings the model has not seen. Every transmitter the simulator knows is a row, twice:
its terms over the whole capture and over the first ``PASSIVE_S`` (the model must also
decide from a short passive survey). The multinomial logistic weights are fitted by
L2-regularised maximum likelihood (L-BFGS); the confidence is then the model's probability,
and ``ansim bench wifi`` prints how often each confidence band was right.

Re-run it whenever the terms (``rf.wifi.classify.TERMS``) or the simulator change.
"""

import argparse
import json
from multiprocessing import Pool

import numpy as np
import scipy.optimize

from bench.wifi_scenes import TRAINING_SEEDS, passive_part, scenario, training_label
from rf.wifi.classify import KINDS, MODEL_PATH, TERMS, traffic_terms
from rf.wifi.frames import mac_text, parse_frames
from rf.wifi.inventory import attribute, build_inventory
from rf.wifi.oui import OuiRegistry

L2 = 0.05  # a weak prior toward zero weights (not on the bias): keeps separable cues finite


def labelled_terms(seed: int) -> list[tuple[list[float], int]]:
    s = scenario(TRAINING_SEEDS[seed], "training")
    rows = []
    for times, packets in ((s.times_s, s.packets), passive_part(s)):
        parsed = parse_frames(times, packets)
        traffic = attribute(parsed)
        inventory = build_inventory(parsed, traffic, OuiRegistry())
        terms = traffic_terms(parsed.frames["time_s"], parsed.frames["length"], traffic,
                              inventory)
        for row, address in zip(terms, traffic.addresses):
            truth = s.truth.get(mac_text(int(address)))
            if truth is not None:
                rows.append((row.tolist(), KINDS.index(training_label(truth))))
    return rows


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    n_kinds, n_terms = len(KINDS), x.shape[1]
    onehot = np.eye(n_kinds)[y]
    penalty = np.ones((n_kinds, n_terms))
    penalty[:, 0] = 0.0

    def loss(flat):
        w = flat.reshape(n_kinds, n_terms)
        logits = x @ w.T
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        p = np.exp(log_p)
        value = -(onehot * log_p).sum() + 0.5 * L2 * (penalty * w * w).sum()
        grad = (p - onehot).T @ x + L2 * penalty * w
        return value, grad.ravel()

    result = scipy.optimize.minimize(loss, np.zeros(n_kinds * n_terms), jac=True,
                                     method="L-BFGS-B", options={"maxiter": 2000})
    return result.x.reshape(n_kinds, n_terms)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with Pool(args.jobs) as pool:
        rows = [r for rs in pool.map(labelled_terms, range(args.scenes)) for r in rs]
    x = np.array([r for r, _ in rows])
    y = np.array([k for _, k in rows])
    weights = fit(x, y)
    counts = {k: int((y == i).sum()) for i, k in enumerate(KINDS)}
    MODEL_PATH.write_text(json.dumps({
        "terms": list(TERMS), "kinds": list(KINDS),
        "weights": np.round(weights, 5).tolist(),
        "fitted_on": {"material": "training", "seeds": [0, args.scenes - 1], "rows": counts},
    }, indent=1) + "\n")
    print(f"fitted on {len(y)} rows {counts}; wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
