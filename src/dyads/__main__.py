"""``python -m dyads`` runs the command-line interface."""

from dyads.cli import main

if __name__ == "__main__":
    main()
