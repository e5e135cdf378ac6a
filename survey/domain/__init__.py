"""Pure rules of the product: checklists, answers, scoring, statistics.

Nothing here imports Flask, SQLAlchemy or Pillow, so the rules are tested without an app.
"""
