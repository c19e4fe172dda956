"""What the customer is told about their complaint, in the supported languages
(walletdesk.i18n.SUPPORTED). ``{ref}`` is the complaint's number; outcomes with money name
``{amount}`` and ``{asset}``. And the internal notes agents read in the conversation, which
each agent's workspace shows in the agent's language (``NOTES``, walletdesk.i18n.agent_note).
"""

from walletdesk.i18n import N_, Phrase, agent_note, translate

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


# the internal notes of the stages the customer is not told about; ``{name}`` is the agent
NOTES: dict[str, str] = {
    "proposed_refund": N_(
        'Complaint #{ref}: {name} proposed a refund of {amount} {asset}; it needs approval.'),
    "proposed_compensation": N_(
        'Complaint #{ref}: {name} proposed a compensation of {amount} {asset}; it needs '
        'approval.'),
    "proposed_explanation": N_(
        'Complaint #{ref}: {name} proposed an explanation; it needs approval.'),
    "approved": N_('Complaint #{ref}: {name} approved the proposed resolution.'),
    # Translators: what the follow-up found follows, in the agent's own words
    "followed_up": N_('Complaint #{ref}: followed up by {name}:'),
    # Translators: the reason for closing follows, in the agent's own words
    "closed": N_('Complaint #{ref} closed by {name}:'),
    # Translators: {stage} is the stage's name; the reason follows, in the agent's own words
    "closed_early": N_('Complaint #{ref} closed early (at stage {stage}) by {name}:'),
}

# the stages' names in the notes (the same words as the complaint pages')
STAGE_NAMES: dict[str, str] = {
    "received": N_("received"), "investigating": N_("investigating"),
    "resolution_proposed": N_("resolution proposed"), "approved": N_("approved"),
    "customer_notified": N_("customer notified"), "followed_up": N_("followed up"),
    "closed": N_("closed"),
}


def note(key: str, detail: str = "", **values: object) -> tuple[str, dict[str, object]]:
    """An internal note (``NOTES``): its English text and the meta that lets each agent's
    page show it in the agent's language; ``detail``, the agent's own words, follows it."""
    if isinstance(stage := values.get("stage"), str):
        values["stage"] = Phrase(STAGE_NAMES.get(stage, stage))
    return agent_note(Phrase(NOTES[key], **values), detail)
