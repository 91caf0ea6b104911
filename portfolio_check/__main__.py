"""``python -m portfolio_check`` runs the command line."""

from portfolio_check.cli import run

run()
