"""Accounts, workspaces, roles, login sessions and API tokens: who may do what.

A workspace owns projects; everything else (registered entities, managed files, trigger
rules, executions) belongs to a workspace through its project, so access is decided in one
place (`access.py`) from the project a request names.
"""
