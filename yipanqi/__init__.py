"""Entry layer of Yipanqi: settings from the environment and the ``yipanqi`` command.

Dependencies point one way: geodata <- etl <- dashboard <- yipanqi / app.py.
"""
