"""`python -m cafpedia.cli`: the `cafpedia` command (the server starts its worker this way)."""

from cafpedia.cli import main

main()
