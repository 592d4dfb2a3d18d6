"""Business rules as data. Each module holds one area; every value names its source in docs/domain.md.

Later capabilities (organizational life frequencies, dues bands, point rules, standards) add modules
here, so "where is rule X?" has one answer: ``webapp/rules/``.
"""
