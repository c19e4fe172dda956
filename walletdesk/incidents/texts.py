"""What customers and supervisors read about incidents, in their language."""

from walletdesk.i18n import N_, translate

TEXTS: dict[str, str] = {
    # the detector's proposed announcement (a draft a supervisor edits before publishing)
    "draft_title": N_('Problems with {subject}: we are looking into it'),
    # neutral: a rise in questions says nothing about whether anyone's funds are at risk,
    # so the draft promises nothing it cannot know (what is affected, who is on it, what to do)
    "draft_body": N_('We are seeing more questions than usual about {subject} and our team is '
                     'looking into it. We will post updates here and on our status page. Never '
                     'share your recovery phrase or private key with anyone: our staff will '
                     'never ask for them.'),
    # the bot, answering a related question with the announcement first
    "bot_announcement": N_('Known issue: {title}\n\n{body}\n\nWe will tell you here when it is '
                           'resolved.'),
    # told once to every customer who asked about it, when it is resolved
    "resolved_notice": N_('Update: "{title}" is resolved. {note}Thank you for your patience. '
                          'If something still looks wrong, reply here.'),
    # the alert mail to supervisors
    "alert_subject": N_('{brand}: unusual rise in contacts about {subject}'),
    "alert_intro": N_('The desk received more conversations than usual for this time of week '
                      '({start} – {end} UTC):'),
    "alert_line": N_('{subject}: {observed} conversations (usually {expected}, alert from '
                     '{threshold})'),
    "alert_samples": N_('Sample messages (secrets removed):'),
    "alert_open": N_('Review the alert and the proposed announcement: {link}'),
}

STATUS_NAMES: dict[str, str] = {
    "investigating": N_('Investigating'),
    "identified": N_('Identified'),
    "monitoring": N_('Monitoring'),
    "resolved": N_('Resolved'),
}

SEVERITY_NAMES: dict[str, str] = {
    "maintenance": N_('Maintenance'),
    "minor": N_('Minor'),
    "major": N_('Major'),
    "critical": N_('Critical'),
}


def text(key: str, language: str | None, **values: object) -> str:
    return translate(TEXTS[key], language, **values)


def status_name(status: str, language: str | None) -> str:
    return translate(STATUS_NAMES.get(status, status), language)


def severity_name(severity: str, language: str | None) -> str:
    return translate(SEVERITY_NAMES.get(severity, severity), language)
