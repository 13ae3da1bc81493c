"""The live mock server: options, the build of its pieces, and uvicorn to serve them."""
