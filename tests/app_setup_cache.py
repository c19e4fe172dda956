"""Test speed-up: what every test app sets up the same way, built once per test process.

The tests make a new app per test (``create_app`` on the test's own ``Services``), and an app
builds two things lazily that do not depend on which app it is:

- FastAPI (>= 0.16x) builds the effective context of every route of an included router on the
  first request that walks that router, once per app object: the route's dependency tree,
  its pydantic fields, its request handler. Without the cache every test paid that again for
  every route it passed on the way to the one it called; it was the largest single cost of
  the suite. The context depends only on the route and on how its router was included
  (prefix, tags, dependencies, ...), the same for every ``create_app`` of a run, so it is kept
  per (route, inclusion) and reused. The app-specific part (its state, services, limiters,
  templates) is read from ``request.app`` at request time and stays per app. The one app-bound
  field, ``dependency_overrides_provider``, only serves ``app.dependency_overrides``, which
  walletdesk and its tests do not use; an app that has overrides gets its own contexts.
- Jinja compiles each template on its first render per environment (one per app). The
  compiled code is kept in a bytecode cache (Jinja's own mechanism) keyed by the template's
  name, file, source checksum and the environment's configuration, so a changed template or a
  differently configured environment compiles afresh.

Production is untouched: a server makes one app, so it builds each of these once anyway.
If the libraries' internals change, ``install()`` leaves them as they are (tests run slower).
"""

from typing import Any

import jinja2
from fastapi import routing
from starlette.templating import Jinja2Templates

_cache: dict[tuple[Any, ...], Any] = {}


def _inclusion_key(context: Any) -> tuple[Any, ...]:
    return (id(context.included_router), context.prefix, repr(context.tags),
            tuple(id(d) for d in context.dependencies), repr(context.responses),
            tuple(id(c) for c in context.callbacks), context.deprecated,
            context.include_in_schema, repr(context.generate_unique_id_function),
            repr(context.strict_content_type), context.max_body_size,
            repr(getattr(context, "form_limits", None)))


def install() -> None:
    _install_route_cache()
    _install_template_cache()


class _TemplateCache(jinja2.BytecodeCache):
    """Jinja's compiled templates in memory, per environment configuration."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        autoescape = environment.autoescape
        configuration = repr((sorted(environment.extensions),
                              autoescape(name) if callable(autoescape) else autoescape,
                              getattr(environment, "newstyle_gettext", None),
                              environment.block_start_string, environment.variable_start_string,
                              environment.trim_blocks, environment.lstrip_blocks,
                              environment.optimized, environment.finalize))
        key = self.get_cache_key(f"{configuration}|{name}", filename)
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _install_template_cache() -> bool:
    setup = getattr(Jinja2Templates, "_setup_env_defaults", None)
    if setup is None or getattr(Jinja2Templates, "_walletdesk_tests_cached", False):
        return False
    cache = _TemplateCache()

    def _setup_env_defaults(self: Jinja2Templates, env: jinja2.Environment) -> None:
        setup(self, env)
        if env.bytecode_cache is None:
            env.bytecode_cache = cache

    Jinja2Templates._setup_env_defaults = _setup_env_defaults  # type: ignore[method-assign]
    Jinja2Templates._walletdesk_tests_cached = True  # type: ignore[attr-defined]
    return True


def _install_route_cache() -> bool:
    """Memoise FastAPI's ``_EffectiveRouteContext.from_api_route``; False if not possible."""
    effective = getattr(routing, "_EffectiveRouteContext", None)
    if effective is None or not hasattr(effective, "from_api_route"):
        return False
    if getattr(effective, "_walletdesk_tests_cached", False):
        return True
    build = effective.from_api_route

    def from_api_route(cls: type, *, original_route: Any, include_context: Any) -> Any:
        provider = getattr(include_context, "dependency_overrides_provider", None)
        if getattr(provider, "dependency_overrides", None):
            return build(original_route=original_route, include_context=include_context)
        key = (id(original_route), *_inclusion_key(include_context))
        hit = _cache.get(key)
        if hit is None or hit[0] is not original_route:
            hit = (original_route, build(original_route=original_route,
                                         include_context=include_context))
            _cache[key] = hit
        return hit[1]

    effective.from_api_route = classmethod(from_api_route)
    effective._walletdesk_tests_cached = True
    return True
