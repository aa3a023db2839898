"""Which rule a file gets (pure): a project's rules over the defaults, the longest matching
folder glob first, a switched-off rule kept (it means no QC), a kind with none."""

from __future__ import annotations

from latchlike.triggers.rules import DEFAULT_WORKFLOWS, Rule, choose, default_rule


def rule(kind: str, glob: str = "", *, rule_id: int = 1, enabled: bool = True) -> Rule:
    return Rule(id=rule_id, project="lab", kind=kind, folder_glob=glob, workflow="lab.custom", enabled=enabled)


DEFAULTS = [default_rule("lab", kind) for kind in DEFAULT_WORKFLOWS]


def test_defaults_cover_the_builtin_kinds() -> None:
    assert choose(DEFAULTS, "fasta", "genomes").workflow == "workflows.qc_fasta.fasta_qc"  # type: ignore[union-attr]
    assert choose(DEFAULTS, "tsv", "").workflow == "workflows.qc_table.table_qc"  # type: ignore[union-attr]
    assert choose(DEFAULTS, "cram", "aligned").workflow == "workflows.qc_alignments.alignments_qc"  # type: ignore[union-attr]
    assert choose(DEFAULTS, "vcf", "calls").workflow == "workflows.qc_variants.variants_qc"  # type: ignore[union-attr]
    assert choose(DEFAULTS, "bed", "peaks") is None


def test_a_project_rule_replaces_the_default_where_its_glob_matches() -> None:
    rules = [rule("fasta", "runs/*", rule_id=1), rule("fasta", "runs/2024/*", rule_id=2), *DEFAULTS]
    assert choose(rules, "fasta", "runs/2024/a").id == 2  # type: ignore[union-attr]
    assert choose(rules, "fasta", "runs/2023").id == 1  # type: ignore[union-attr]
    assert choose(rules, "fasta", "elsewhere").default  # type: ignore[union-attr]
    assert choose(rules, "fasta", "runs").default  # type: ignore[union-attr]  # `runs/*` is below runs


def test_a_switched_off_rule_is_chosen_so_the_file_gets_none() -> None:
    chosen = choose([rule("csv", enabled=False), *DEFAULTS], "csv", "tables")
    assert chosen is not None and not chosen.enabled
