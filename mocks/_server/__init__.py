"""The live mock server: ``options`` (:class:`ServerOptions`), ``build`` (its pieces:
:func:`build_server` -> ``LiveMock``) and ``live`` (uvicorn: ``serve_forever``,
``live_server``, ``embedded_mock``)."""
