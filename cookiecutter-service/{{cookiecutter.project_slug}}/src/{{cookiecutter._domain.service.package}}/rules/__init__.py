"""Business rules, one module per entity: yours to edit.

scaffold writes each module once, when its entity first appears, and never changes it after:
`scaffold update` and `scaffold new --force` leave these files as they are. See
`api/rules.py` for the hooks, and the README for where other changes go.
"""
