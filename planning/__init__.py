"""What-if scenarios for planners: levers on flows and coverage, projected against a baseline.

Dependencies point one way: ``geodata`` <- ``etl`` <- ``planning`` <- ``dashboard``. A scenario
applies to one period of the store (the *baseline*); see ``docs/scenarios.md`` for the levers,
the model and every modelling decision.
"""
