"""Hypothesis settings for this repository's own test suite (tests/ and docs/examples/).

No deadlines: speed is measured by the benchmarks under bench/, never by a test's clock. On a
shared CI machine, a garbage collection or a busy neighbour pushes an example past Hypothesis's
default 200 ms now and then, and the test fails as "flaky" for no fault of the code.
"""

from hypothesis import settings

settings.register_profile("extract-contract-suite", deadline=None)
settings.load_profile("extract-contract-suite")
