"""The ``public_surface`` contract for import-linter (configured in pyproject.toml).

DESIGN.md: "An app's public surface is ``services.py`` (writes), ``selectors.py`` (reads),
``models.py`` (types, foreign keys, choices) and, where it offers extension points, one
named module (``clients/chart.py``). Views, API views, forms and templates are private to
their app." This contract lists every import from outside an app into any other module of
it (its views, api, forms, filters, admin, tasks, helpers ...). The wiring (settings, urls,
api_router, celery) may import anything. A new module is private until it is named public
here, so the rule needs no upkeep when an app grows.
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class PublicSurfaceContract(Contract):
    """Configuration options:

    - ``apps``: the apps whose surface is checked (``clients``, ``casemgmt.audit`` ...).
    - ``public``: the submodule names that are public in every app (``services`` ...); a
      dotted ``app.module`` entry makes one more module public for that app only.
    - ``allowed_importers``: modules that may import anything (the wiring).
    """

    type_name = "public_surface"

    apps = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    allowed_importers = fields.ListField(subfield=fields.StringField())
    # "importer -> imported" pairs tolerated for now (each one a debt to pay).
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        apps: list[str] = list(self.apps)  # type: ignore[call-overload]
        public = set(self.public)  # type: ignore[call-overload]
        allowed = list(self.allowed_importers)  # type: ignore[call-overload]
        tolerated = {
            tuple(part.strip() for part in pair.split("->"))
            for pair in (self.ignore_imports or [])  # type: ignore[attr-defined]
        }

        def inside(module: str, package: str) -> bool:
            return module == package or module.startswith(package + ".")

        def owner(module: str) -> str | None:
            # The longest app name that contains the module (casemgmt.audit before casemgmt).
            found = [app for app in apps if inside(module, app)]
            return max(found, key=len) if found else None

        illegal = []
        for app in apps:
            for module in sorted(graph.find_descendants(app)):
                if owner(module) != app:
                    continue
                first = module[len(app) + 1 :].split(".")[0]
                if first in public or first == "migrations":
                    continue
                if any(inside(module, entry) for entry in public if inside(entry, app)):
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if inside(importer, app) or any(inside(importer, a) for a in allowed):
                        continue
                    if (importer, module) in tolerated:
                        continue
                    lines = [
                        detail["line_number"]
                        for detail in graph.get_import_details(importer=importer, imported=module)
                    ]
                    illegal.append((importer, module, lines))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error(
            "Imports of another app's private modules (only services, selectors, models and "
            "the named extension modules are public; see DESIGN.md, 'public surface'):",
            bold=False,
        )
        output.new_line()
        for importer, module, lines in check.metadata["illegal"]:
            where = ", ".join(map(str, lines))
            output.print_error(f"- {importer} -> {module} (l.{where})", bold=False)
        output.new_line()
