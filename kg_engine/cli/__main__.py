"""``python -m kg_engine.cli``: the ``kg`` command."""

from kg_engine.cli import app

app(prog_name="kg")
