"""Storyboards for presentation mode: saved views with titles, key messages and narratives.

A *storyboard* is an ordered list of *slides*; a slide is a saved view (page, collaboration region,
level, measure, period, optional area and scenario) with a title and a key message. Storyboards are
stored by name in the store's database (``dashboard.story.storage``); the narrative of each slide
is written from the data when it is shown (``dashboard.story.narrative``).
"""
