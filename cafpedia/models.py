"""Every model, imported in one place so that the metadata knows every table."""

from cafpedia.accounts.models import (  # noqa: F401
    AccessRequest,
    Invitation,
    SignInFailures,
    User,
    UserRole,
    UserSession,
    user_areas,
)
from cafpedia.areas.models import PracticeArea, area_deputies  # noqa: F401
from cafpedia.core.content_version import content_version  # noqa: F401
from cafpedia.core.form_keys import FormKey  # noqa: F401
from cafpedia.digest.models import (  # noqa: F401
    DigestIntroductionVersion,
    DigestIssue,
    DigestItem,
    DigestItemArea,
    DigestItemVersion,
    ResearchSuggestion,
    TipResearchLink,
)
from cafpedia.experts.models import AdviceCall, Expert, ExpertArea, Nomination, RotaDay, RotaShift  # noqa: F401
from cafpedia.gaps.models import GapMark  # noqa: F401
from cafpedia.legal.models import LegalFeedVisit, LegalRevision, LegalUpdate, LegalUpdateArea, TipLegalFlag  # noqa: F401
from cafpedia.mail.models import MailMessage  # noqa: F401
from cafpedia.notifications.models import Notification, NotificationMark, NotificationPreference, Watch  # noqa: F401
from cafpedia.search.demand.models import SearchDemandDay, SearchEvent, SearchSalt  # noqa: F401
from cafpedia.search.models import (  # noqa: F401
    SearchCursor,
    SearchDocumentRow,
    SearchQueueEntry,
    SearchText,
    SearchWord,
    SynonymList,
)
from cafpedia.standards.models import StandardClause, StandardsVersion  # noqa: F401
from cafpedia.tips.models import Revision, RevisionLink, RevisionStandard, Tip, TipEvent, TipProblem, TipVote  # noqa: F401
