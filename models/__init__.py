"""SQLAlchemy 2 ORM (one module per domain), engine/session factory and Alembic migrations."""

# Every module that declares tables is imported here, so Base.metadata knows them all
# (migrations, `alembic check`, tests).
from models import accounts as accounts
from models import assignments as assignments
from models import audit as audit
from models import batches as batches
from models import calibration as calibration
from models import calls as calls
from models import coaching as coaching
from models import ingestion as ingestion
from models import notifications as notifications
from models import reviews as reviews
from models import rubrics as rubrics
