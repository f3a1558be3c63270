"""The probe run as a table for people: per-block costs, then the totals with their spread."""

from __future__ import annotations


def probe_table(record: dict) -> str:
    """Aligned plain-text table of a probe run record (see `record.probe_record`)."""
    lines = [record["title"], ""]
    header = f"{'block':>5}  {'samples':>13}  {'size':>6}  {'bits (mean ± std)':>21}  {'bits/sample':>11}  code"
    lines += [header, "-" * len(header)]
    for b in record["blocks"]:
        span = f"{b['start']}–{b['end']}"
        cost = f"{b['bits']:.1f} ± {b['bits_std']:.1f}"
        lines.append(f"{b['block']:>5}  {span:>13}  {b['samples']:>6}  {cost:>21}  {b['bits_per_sample']:>11.3f}  {b['code']}")
    lines += ["", *_totals(record)]
    if len(record["seeds"]) > 1:
        per_seed = ", ".join(f"seed {s['seed']}: {s['online_bits']:.1f}" for s in record["seeds"])
        lines.append(f"{'per seed':<18}{per_seed}")
    return "\n".join(lines)


def _totals(record: dict) -> list[str]:
    """The three headline figures: uniform code, online code, compression."""
    n = record["n_samples"]
    return [
        f"{'uniform code':<18}{record['uniform_bits']:>10.1f} bits  ({record['uniform_bits'] / n:.3f} bits/sample)",
        f"{'online code':<18}{record['online_bits']:>10.1f} ± {record['online_bits_std']:.1f} bits"
        f"  ({record['online_bits'] / n:.3f} bits/sample)",
        f"{'compression':<18}{record['compression']:>10.2f} ± {record['compression_std']:.2f}  (uniform / online)",
        *_universal(record),
        *_final(record["totals"], n),
    ]


def _universal(record: dict) -> list[str]:
    """The universal code and its bound over the uniform code, where the record has them."""
    universal = record.get("universal")
    if universal is None:
        return []
    n = record["n_samples"]
    experts = ", ".join(universal["experts"])
    return [
        f"{'universal code':<18}{universal['bits']:>10.1f} ± {universal['bits_std']:.1f} bits"
        f"  ({universal['bits'] / n:.3f} bits/sample, compression {universal['compression']:.2f};"
        f" switch over {experts})",
        f"{'universal bound':<18}{universal['bound_over_uniform_bits']:>10.1f} bits at most over the uniform code"
        "  (log2 M + log2 N)",
    ]


def _final(totals: dict, n: int) -> list[str]:
    """The final probe's code, the regret and the bits absorbed, where they were measured."""
    if totals.get("final_model_bits") is None:
        return []
    return [
        f"{'final probe':<18}{totals['final_model_bits']:>10.1f} bits  ({totals['final_model_bits'] / n:.3f} bits/sample,"
        " all labels, trained on all)",
        f"{'regret':<18}{totals['regret_bits']:>10.1f} bits  (online − final)",
        f"{'bits absorbed':<18}{totals['absorbed_bits']:>10.1f} bits  (uniform − final)",
    ]


def switch_table(record: dict) -> str:
    """Each probe's table, then the switch code over them against the best single probe."""
    switch = record["switch"]
    parts = [probe_table(probe) for probe in record["probes"].values()]
    lines = [record["title"], ""]
    header = f"{'block':>5}  {'samples':>13}  " + "  ".join(f"{name + ' bits':>12}" for name in switch["probes"]) + \
        f"  {'switch bits':>12}  leader"
    lines += [header, "-" * len(header)]
    for leader, step in zip(switch["leader_by_block"], record["steps"]):
        span = f"{leader['start']}–{leader['end']}"
        cells = "  ".join(f"{leader['bits'][name]:>12.1f}" for name in switch["probes"])
        lines.append(f"{leader['block']:>5}  {span:>13}  {cells}  {step['bits']:>12.1f}  {leader['leader']}")
    n = record["n_samples"]
    lines += ["",
              f"{'switch code':<18}{switch['bits']:>10.1f} ± {switch['bits_std']:.1f} bits  ({switch['bits'] / n:.3f} bits/sample)",
              f"{'best single probe':<18}{switch['best_probe_bits']:>10.1f} bits  ({switch['best_probe']})",
              f"{'switching cost':<18}{switch['switching_cost_bits']:>10.1f} bits at most  (log2 M + log2 N: "
              "the switch code never exceeds the best probe by more)",
              f"{'saved':<18}{switch['saving_bits']:>10.1f} bits against the best single probe (mean over seeds)",
              *_universal(record)]
    return "\n\n".join(parts + ["\n".join(lines)])
