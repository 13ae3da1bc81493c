"""Real traffic, at the adapter level: the validating, recording proxy (``proxy``, over its own
lean upstream client, ``upstream``) and the drift report of a recording against the mock
(``drift``). The judging itself is :mod:`contracts.traffic`'s."""
