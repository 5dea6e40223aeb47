"""Adoption of a database created by the reference backend (bin/mawid adopt / import).

Not an actor: a one-off batch conversion. `rules` holds the pure conversion rules,
`inspect` the detection and dry-run report, `convert` the in-place transaction,
`importer` the dump import. See docs/adoption.md.
"""
