"""Departmental information feeds (信息通报): the monthly reports other departments owe the
family-planning offices (seed 002: 公安, 民政, 卫生, 工商, 住建, 人社 ... "每月的3日(遇休息日顺延)前将上月的
流动人口情况进行通报", with a "零"通报 when there is nothing to report).

Modules, one thing each:

- ``etl.feeds.format``: the feed format (fields, Chinese headers, departments and their items);
- ``etl.feeds.targets``: the feed indicators' targets, each citing its seed;
- ``etl.feeds.due``: the due date of a period's report by the official working-day calendar;
- ``etl.feeds.stage``: validating and casting a raw batch of feed rows (the only renamer/caster);
- ``etl.feeds.aggregate``: the per-county status mart, built by DuckDB;
- ``etl.feeds.ingest``: ``ingest_feeds`` (validate, quarantine, lineage, one transaction).

Reads go through the marts read contract (``etl.marts.feeds``). docs/feeds.md documents the format.
"""
