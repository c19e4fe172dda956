"""What the customer is told about their complaint, in the supported languages
(walletdesk.i18n.SUPPORTED). ``{ref}`` is the complaint's number; outcomes with money name
``{amount}`` and ``{asset}``."""

from walletdesk.i18n import N_, translate

TEXTS: dict[str, str] = {
    "complaint_received": N_(
        'We have registered your complaint (reference #{ref}). We take it seriously and will keep '
        'you updated here.'),
    "complaint_investigating": N_(
        'Our team is now investigating your complaint #{ref}. We will tell you the outcome here.'),
    "complaint_resolution_proposed": N_(
        'We have worked out a resolution for your complaint #{ref}; it is being reviewed and we '
        'will tell you the details here.'),
    "complaint_approved": N_(
        'The resolution of your complaint #{ref} has been approved. The details follow here '
        'shortly.'),
    "complaint_followed_up": N_(
        'Thank you for talking with us about your complaint #{ref}. We have noted what you told '
        'us.'),
    "complaint_outcome_refund": N_(
        'Outcome of your complaint #{ref}: we will refund {amount} {asset} to you.'),
    "complaint_outcome_compensation": N_(
        'Outcome of your complaint #{ref}: we will compensate you with {amount} {asset}.'),
    "complaint_outcome_explanation": N_(
        'We have finished reviewing your complaint #{ref}. Our team will explain the outcome in '
        'this conversation; reply here if you have any questions.'),
    "complaint_closed": N_(
        'Your complaint #{ref} is now closed. If anything is still not right, just write to us '
        'here.'),
}


def text(key: str, language: str | None, **values: str) -> str:
    """The text in the conversation's language (English when unknown)."""
    return translate(TEXTS[key], language, **values)
