"""Benchmarks and the scale-data generator (see bench/README.md).

They report ratios against a bare baseline measured in the same run, never timed
assertions: machines are noisy.
"""
