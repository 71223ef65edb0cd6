"""`python -m ottenok …` is the `ottenok` command."""

from app.cli import main

main()
