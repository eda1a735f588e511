"""``python -m yipanqi``: the ``yipanqi`` command."""

from yipanqi.cli import main

main()
