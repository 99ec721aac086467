"""Latency and load benchmarks of the chat adapters against the fake servers of :mod:`fakes`.

Run each script from the repository root (``.venv/bin/python benchmarks/bench_load.py``); see the
README, «Medidas». Not part of the installed package.
"""
