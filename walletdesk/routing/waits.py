"""What a waiting customer is told about their wait, in their language.

The notice written in the thread when a conversation starts to wait and the widget's banner
read the same expected wait (``queue_events`` in walletdesk.routing.actions), and say it in the
same words (``wait_label``): the thread never promises "shortly" above a banner announcing
three hours.

The estimate itself (``QueueLoad.expected_wait_s`` in walletdesk.routing.overflow) predicts the
customer's wait, queued → picked up, from how often an agent's place frees: the places
ahead, the free places and the handling time, assigned → resolved, the time a conversation
holds a place (waiting for the customer included). Past waits (queued → assigned) are not its
input: most customers are picked up at once, so their average would promise a few seconds to
the tenth in line behind busy agents.
"""

from babel.units import format_unit

from walletdesk import i18n
from walletdesk.config import Settings
from walletdesk.i18n import N_, translate

# past this expected wait, a new waiter is told that every agent is busy, their place and the
# wait, instead of "an agent will be with you shortly"
LONG_WAIT_S = 600

# the long-wait notices, by the notice they replace; "_mail" when an answer the customer has
# not read in the chat is also sent to their e-mail address (walletdesk.email.away_replies)
LONG_WAIT_TEXTS: dict[str, str] = {
    # Translators: {position} is the place in line; {wait} a duration ("45 minutes", "3 hours")
    "queued": N_("All our agents are busy right now. You are number {position} in line and "
                 "the wait is about {wait}. Leave your message here: we'll answer here as soon "
                 "as an agent is free."),
    # Translators: {position} is the place in line; {wait} a duration ("45 minutes", "3 hours")
    "queued_mail": N_("All our agents are busy right now. You are number {position} in line and "
                      "the wait is about {wait}. Leave your message here: we'll answer here as "
                      "soon as an agent is free, and by e-mail if you have left by then."),
    # Translators: {position} is the place in line; {wait} a duration ("45 minutes", "3 hours")
    "transferred_waiting": N_("You have been transferred to another team. All its agents are "
                              "busy right now: you are number {position} in line and the wait "
                              "is about {wait}. Leave your message here: they will answer here "
                              "as soon as one is free, seeing everything above."),
    # Translators: {position} is the place in line; {wait} a duration ("45 minutes", "3 hours")
    "transferred_waiting_mail": N_("You have been transferred to another team. All its agents "
                                   "are busy right now: you are number {position} in line and "
                                   "the wait is about {wait}. Leave your message here: they will "
                                   "answer here as soon as one is free, seeing everything above, "
                                   "and by e-mail if you have left by then."),
}


def wait_label(seconds: float, language: str | None) -> str:
    """An expected wait as the customer reads it, in their language (Babel's units): minutes
    under an hour ("45 minutes"), then hours, to the half hour under three ("1.5 hours", "3
    hours", "3小时", "3 horas")."""
    locale = i18n.babel_locale(language)
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return format_unit(minutes, "duration-minute", length="long", locale=locale)
    hours = round(seconds / 1800) / 2 if seconds < 3 * 3600 else round(seconds / 3600)
    return format_unit(int(hours) if hours == int(hours) else hours, "duration-hour",
                       length="long", locale=locale)


def long_wait_text(notice: str, language: str | None, *, position: int, eta_s: int,
                   by_mail: bool) -> str | None:
    """The long-wait notice that replaces ``notice`` (None: it has none, or the wait is not
    long); ``by_mail``: an unread answer would reach the customer by e-mail."""
    if eta_s <= LONG_WAIT_S or notice not in LONG_WAIT_TEXTS:
        return None
    key = f"{notice}_mail" if by_mail else notice
    return translate(LONG_WAIT_TEXTS[key], language, position=position,
                     wait=wait_label(eta_s, language))


def answers_by_mail(settings: Settings, channel: str, email: str | None) -> bool:
    """An answer left unread in the chat reaches this customer by e-mail: web chat, an address
    on file, and the desk mailing unread replies (walletdesk.email.away_replies, which the
    routing may not import)."""
    return channel == "web" and bool(email) and bool(settings.smtp_host) \
        and settings.chat_reply_mail_after_min > 0
