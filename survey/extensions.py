"""Extensions created unbound; create_app binds them."""

from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))

# The base class of every model. mypy cannot follow db.Model (an attribute Flask-SQLAlchemy
# builds at run time), so it sees a DeclarativeBase with the same MetaData; at run time
# Model is db.Model itself, its metadata the one above.
if TYPE_CHECKING:

    class Model(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)
        __table__: ClassVar[Table]  # every model has a __tablename__: a Table, not a join

else:
    Model = db.Model

migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
# Its storage and strategy hold the failure counts of survey/throttle.py (memory per worker
# by default; SURVEY_RATELIMIT_STORAGE_URI points every worker at one store, e.g. redis://).
# The address is the client's once register_proxy trusts SURVEY_TRUSTED_PROXIES proxies.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
