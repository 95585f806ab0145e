"""``python -m symdl`` runs the command-line interface."""

from symdl.cli import main

main()
