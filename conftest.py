"""Settings for this repository's own test suite (tests/ and docs/examples/).

- Hypothesis has no deadlines: speed is measured by the benchmarks under bench/, never by a
  test's clock. On a shared CI machine, a garbage collection or a busy neighbour pushes an
  example past Hypothesis's default 200 ms now and then, and the test fails as "flaky" for no
  fault of the code.
- Ctrl-C reaches the commands the tests start. A shell that starts pytest in the background
  (``pytest &``, ``nohup``) makes it ignore SIGINT, and every child inherits that: the tests
  that press Ctrl-C on ``serve`` or ``fixtures`` would see it ignored, as the shell asked,
  and fail. The suite takes Python's own handler back, so its children start with the default
  a terminal gives them.
"""

import signal

from hypothesis import settings

settings.register_profile("extract-contract-suite", deadline=None)
settings.load_profile("extract-contract-suite")

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
