"""Synthetic individual records for demos, tests and benchmarks (not a step of the ETL).

``synthetic.generate`` writes records in the record format of ``etl.records``, calibrated to the
census tables of ``geodata``; ``synthetic.gravity`` draws where the migrants come from. The ETL
reads such files like any extract and never imports this package.
"""
