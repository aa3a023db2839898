"""VCF/BCF QC: records by variant type, Ts/Tv, per-chromosome counts, QUAL and depth
distributions, samples and FILTER counts, in one streamed pass.

VCF text (plain, gzip or BGZF) is counted by a compiled kernel over large blocks
(workflows/variants_scan.py, variants_kernel.py), lines it leaves by the Python reference
(variants_lines.py), so an error names its line; BCF is decoded by pysam (htslib) and fed
through the same counting as VCF text (variants_report.py). Memory stays flat whatever the
file. Variant types follow htslib's classification (what `bcftools stats` counts). The
summary's schema is in docs/qc.md (`latchlike.qc.variants/1`).
"""

from __future__ import annotations

from typing import Any

from flytekit import task, workflow
from flytekit.types.file import FlyteFile

from workflows.qc_common import QcOutputs, write_page
from workflows.variants_lines import allele_type
from workflows.variants_report import sections
from workflows.variants_report import summarize as summarize_stream
from workflows.variants_scan import load as load_kernels
from workflows.variants_scan import variants_summary

load_kernels()  # once in the fork server, which imports this module before forking tasks

__all__ = ["allele_type", "summarize", "variants_qc", "variants_stats", "variants_summary"]


@task
def variants_stats(file: FlyteFile, histogram_bins: int = 30) -> QcOutputs:
    """Compute the variant statistics of one VCF or BCF file and write its summary and report.

    Args:
        file: A VCF (plain, gzip or BGZF) or BCF file.
        histogram_bins: How many bins the QUAL and depth histograms have at most.
    """
    summary = summarize(file, bins=histogram_bins)
    return write_page(summary, f"Variant QC: {summary['file']}", sections(summary))


def summarize(file: FlyteFile, *, bins: int = 30) -> dict[str, Any]:
    """The summary of one VCF or BCF file, with its name and compression. Streamed from the
    store; only a BCF is downloaded (pysam reads a path)."""
    name = str(file.remote_source or file.path).rsplit("/", 1)[-1]
    with file.open("rb") as raw:
        return summarize_stream(raw, file.download, name, bins=bins)


@workflow
def variants_qc(file: FlyteFile, histogram_bins: int = 30) -> QcOutputs:
    """VCF/BCF quality control.

    Counts records by variant type (SNP, MNP, indel, other; multiallelic sites), the
    transition/transversion ratio of SNPs, records per chromosome and per FILTER, the
    QUAL and depth (INFO/DP, else FORMAT/DP summed over samples) distributions and the
    number of samples. Runs by itself on every uploaded VCF or BCF file; run it here by
    hand for any other.

    __metadata__:
        display_name: Variant QC
        license:
            id: Apache-2.0
        tags: [qc, vcf, bcf]

    Args:
        file: A VCF (plain, gzip or BGZF) or BCF file.
          __metadata__:
            display_name: VCF or BCF file
        histogram_bins: How many bins the QUAL and depth histograms have at most.
          __metadata__:
            display_name: Histogram bins
    """
    return variants_stats(file=file, histogram_bins=histogram_bins)
