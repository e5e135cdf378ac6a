"""Extensions created unbound; create_app binds them."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
# Its storage and strategy hold the failure counts of survey/throttle.py (memory per worker
# by default; SURVEY_RATELIMIT_STORAGE_URI points every worker at one store, e.g. redis://).
# The address is the client's once register_proxy trusts SURVEY_TRUSTED_PROXIES proxies.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
