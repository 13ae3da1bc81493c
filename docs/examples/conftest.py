# This repository's own pytest options switch the plugin's entry point off
# (`-p no:extract_contract`), so that its own tests run without it; the examples here switch it
# back on. A downstream project needs no such line, and must not add one while the entry point
# is on (pytest would refuse to register the same plugin twice): installing extract-contract
# registers it.
pytest_plugins = ["mocks._plugin"]
