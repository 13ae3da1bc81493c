import pytest

from mocks import ServerOptions


@pytest.fixture(scope="session")
def extract_server_options(extract_seed):
    # what the session's live mock serves (default: `extract-contract serve`'s 1,000 runs)
    return ServerOptions(seed=extract_seed, runs=60, agents=2, token="s3cret")
