"""Built-in sample data and the demo.

Owns: ``sample`` (plausible values, cover and texts that satisfy every rule of an
edition; the writer tests and benchmarks use) and ``run`` (``xxgk demo``: a sample
district with typical mistakes, merged into a summary).
"""
