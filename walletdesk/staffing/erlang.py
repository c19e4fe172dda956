"""Erlang C: how many agents a queue needs for a service level (pure functions).

The offered traffic of an interval is A = contacts × average handling time / interval length
(in erlangs). With N agents, Erlang C gives the probability that a contact waits at all,
P(wait) = N·B / (N − A·(1 − B)) where B is Erlang B computed by its stable recursion, and the
service level (answered within T seconds) is 1 − P(wait) · exp(−(N − A) · T / AHT).
Checked against published values in tests/staffing/test_erlang.py.
"""

import math


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability with ``agents`` servers and no queue (recursive, no factorials)."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact has to wait; 1 when the agents cannot keep up (N ≤ A)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(agents: int, traffic: float, handle_s: float, answer_within_s: float) -> float:
    """Share of contacts answered within ``answer_within_s``."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waits = erlang_c(agents, traffic)
    return 1 - waits * math.exp(-(agents - traffic) * answer_within_s / handle_s)


def traffic_of(contacts: float, interval_s: float, handle_s: float) -> float:
    return contacts * handle_s / interval_s


def agents_needed(contacts: float, interval_s: float, handle_s: float, *, target: float,
                  answer_within_s: float, max_agents: int = 10_000) -> int:
    """The fewest agents (on the queue, before shrinkage) reaching ``target`` service level."""
    if contacts <= 0:
        return 0
    traffic = traffic_of(contacts, interval_s, handle_s)
    agents = max(1, math.floor(traffic) + 1)
    while agents < max_agents and service_level(agents, traffic, handle_s,
                                                answer_within_s) < target:
        agents += 1
    return agents


def with_shrinkage(agents: int, shrinkage: float) -> int:
    """Agents to roster so that ``agents`` are on the queue when ``shrinkage`` (breaks,
    training, absence) of the rostered time is lost."""
    if agents <= 0:
        return 0
    return math.ceil(agents / (1 - shrinkage) - 1e-9)
