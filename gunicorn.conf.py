"""gunicorn settings that hold wherever it serves the app.

gunicorn reads ./gunicorn.conf.py from the folder it starts in: `make run` starts there, and
docs/deploy.md passes it with `-c`. Command-line options still win over this file.
"""

# The access log and error log never show the token of a one-time link (survey/common/logmask.py).
logger_class = "survey.common.logmask.MaskingLogger"
