"""Scanners for text a person reads that is not marked for translation (tests/test_translatable.py).

Two readers, both working on source text without rendering or importing anything:

- ``template_findings``: Django's template Lexer splits a template into text, variables and
  tags; tags and variables are blanked (``{% translate %}`` output is translated by definition,
  a variable is data), the inside of ``{% blocktranslate %}`` and ``{% comment %}`` is dropped,
  and what is left is read as HTML: every text node, and every attribute a person reads
  (``title``, ``placeholder``, ``aria-label``, ``alt``, the value of a submit button...), must
  have no word in it. String literals that a variable or a tag prints (``|default:"None"``,
  ``{% include ... with label="Save" %}``) are read too.
- ``python_findings``: the AST of a module; every place where the code hands a string to a
  person (a message, a validation error, a form or model label, a choice label, an export's
  header, a chart title...) must pass it through gettext, and translated pieces are never
  glued together (``_("a") + _("b")``, ``f"{_('a')} {b}"``).

Text that is not words for a reader stays out: ``<script>``, ``<style>``, ``<code>``, ``<kbd>``,
``<samp>`` and any element with the HTML attribute ``translate="no"`` (a sample of a file's
columns, which the importer reads in English whatever the page's language).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from django.template.base import Lexer, TokenType

# Tokens that read the same in Russian: file formats and abbreviations the product shows as
# they are. Anything else with a letter in it is a word to translate.
ALLOWED_WORDS = frozenset({"CSV", "XLSX", "API", "OK", "HR", "UTC", "ISO"})

# A word may hold an apostrophe, typographic (U+2019) or not: "trainee's", "trainee\u2019s".
WORD = re.compile("[^\\W\\d_][\\w'\u2019-]*")


def words(text: str) -> list[str]:
    """The words of ``text`` a reader would need translated (allowed tokens left out)."""
    return [word for word in WORD.findall(text) if word not in ALLOWED_WORDS]


@dataclass(frozen=True)
class Finding:
    line: int
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.line}: {self.where}: {self.text!r}"


# --- Templates ----------------------------------------------------------------------------

# Attributes whose value a person reads (or hears from a screen reader).
VISIBLE_ATTRIBUTES = frozenset(
    {
        "title",
        "placeholder",
        "aria-label",
        "aria-description",
        "aria-roledescription",
        "aria-valuetext",
        "alt",
        "label",
    }
)
# An <input> of these types shows its value as the button's text.
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
# Elements whose content is not words for a reader.
MACHINE_TEXT_ELEMENTS = frozenset({"script", "style", "code", "kbd", "samp"})
# Blocks a child template fills with something other than text (a class name on <body>).
NON_TEXT_BLOCKS = frozenset({"body_class"})
# String literals a variable's filters print when the value is missing or is a boolean.
PRINTING_FILTER = re.compile(
    r"\|\s*(?:default|default_if_none|yesno)\s*:\s*(?P<literal>\"[^\"]*\"|'[^']*')"
)
# ``with name="literal"`` on {% include %} and {% with %}: the literal usually ends up printed.
KEYWORD_LITERAL = re.compile(r"\b\w+=(?P<literal>\"[^\"]*\"|'[^']*')")

_SKIPPED_REGIONS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}


def _blank(contents: str) -> str:
    """A stand-in for a tag or a variable: as many lines as it spans, no words."""
    return " " + "\n" * contents.count("\n")


def _flatten(source: str) -> tuple[str, list[Finding]]:
    """The template's HTML with tags and variables blanked, and the findings in the
    tags and variables themselves (printed string literals)."""
    out: list[str] = []
    findings: list[Finding] = []
    line = 1
    skip_until: str | None = None
    block_stack: list[str] = []
    for token in Lexer(source).tokenize():
        kind, contents = token.token_type, token.contents
        line = token.lineno
        if kind == TokenType.TEXT:
            hidden = skip_until is not None or (block_stack and block_stack[-1] in NON_TEXT_BLOCKS)
            out.append(_blank(contents) if hidden else contents)
            continue
        out.append(_blank(contents))
        bits = contents.split()
        command = bits[0] if bits else ""
        if skip_until is not None:
            if command == skip_until:
                skip_until = None
            continue
        if kind == TokenType.BLOCK:
            if command in _SKIPPED_REGIONS:
                skip_until = _SKIPPED_REGIONS[command]
            elif command == "block" and len(bits) > 1:
                block_stack.append(bits[1])
            elif command == "endblock" and block_stack:
                block_stack.pop()
            if command in ("include", "with"):
                findings += _literal_findings(KEYWORD_LITERAL, contents, line, command)
        if kind in (TokenType.VAR, TokenType.BLOCK):
            findings += _literal_findings(PRINTING_FILTER, contents, line, "filter argument")
    return "".join(out), findings


def _literal_findings(pattern: re.Pattern, contents: str, line: int, where: str) -> list[Finding]:
    found = []
    for match in pattern.finditer(contents):
        literal = match.group("literal")[1:-1]
        if words(literal):
            found.append(Finding(line, where, literal))
    return found


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []
        self._skipping: list[str] = []  # the open elements whose content is not read

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.append(tag)
            return
        if tag in MACHINE_TEXT_ELEMENTS or values.get("translate") == "no":
            self._skipping.append(tag)
        for name, value in attrs:
            if not value:
                continue
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if visible and words(value):
                self.findings.append(Finding(self.getpos()[0], f"<{tag} {name}>", value.strip()))

    def handle_startendtag(self, tag, attrs):
        skipping = list(self._skipping)
        self.handle_starttag(tag, attrs)
        self._skipping = skipping  # <x/> opens nothing

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping and words(data):
            self.findings.append(Finding(self.getpos()[0], "text", " ".join(data.split())))


def template_findings(source: str) -> list[Finding]:
    """Visible text of a Django template that is outside {% translate %}/{% blocktranslate %}."""
    html, findings = _flatten(source)
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return sorted(findings + parser.findings, key=lambda f: f.line)


# --- Python -------------------------------------------------------------------------------

GETTEXT_FUNCTIONS = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
        "gettext_noop",
    }
)
MESSAGE_LEVELS = ("debug", "info", "success", "warning", "error")
# Exceptions whose message is for a developer or an operator, never shown on a page.
DEVELOPER_EXCEPTIONS = frozenset(
    {
        "AssertionError",
        "AttributeError",
        "CommandError",
        "ImproperlyConfigured",
        "IndexError",
        "KeyError",
        "LookupError",
        "NotImplementedError",
        "OverflowError",
        "RuntimeError",
        "TypeError",
        "ValueError",
    }
)
# Exceptions whose message a person reads wherever they are made (raised or collected).
READER_EXCEPTIONS = frozenset(
    {
        "ValidationError",
        "PermissionDenied",
        "Http404",
        "NotFound",
        "ParseError",
        "AuthenticationFailed",
        "NotAuthenticated",
        "APIException",
        "BadRequest",
    }
)
# Keyword arguments that label something on a form, a filter, an admin panel or a block.
LABEL_KEYWORDS = frozenset(
    {
        "label",
        "help_text",
        "verbose_name",
        "verbose_name_plural",
        "empty_label",
        "heading",
        "placeholder",
        "menu_label",
        "no_data_text",
        "title",
        "x_title",
        "y_title",
    }
)
# Class attributes that do the same (Meta options, Wagtail viewsets and pages, app configs).
LABEL_ATTRIBUTES = frozenset(
    {
        "verbose_name",
        "verbose_name_plural",
        "menu_label",
        "help_text",
        "label",
        "page_title",
        "header_title",
        "add_item_label",
        "empty_label",
    }
)
# Model fields whose first positional argument is the related model, not the verbose name.
RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey"})
# (function, object it is called on, or None for any) → the (position, keyword) of each argument
# that is text for a reader. Exceptions, row errors and error responses are handled apart.
NO_POSITION = 99  # keyword-only
TEXT_ARGUMENTS = {
    **{(level, "messages"): [(1, "message")] for level in MESSAGE_LEVELS},
    ("add_message", "messages"): [(2, "message")],
    ("add_error", None): [(1, "error")],
    ("notify", None): [(NO_POSITION, "title"), (NO_POSITION, "body")],
    ("add", "chart"): [(0, "title")],  # a pygal series: its legend
}
# Keys of a response body that an integration shows to a person.
RESPONSE_MESSAGE_KEYS = frozenset({"message", "detail", "error", "errors"})


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_gettext(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in GETTEXT_FUNCTIONS


def _is_translation(node: ast.AST) -> bool:
    """A gettext call, or one filled in with ``%`` or ``.format()``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_translation(node.left)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _is_translation(node.func.value)
    return _is_gettext(node)


def _contains_gettext(node: ast.AST) -> bool:
    """A translation among the operands of a chain of ``+``."""
    return any(_is_translation(operand) for operand in _operands(node))


def _operands(node: ast.AST) -> Iterator[ast.AST]:
    """The operands of a chain of ``+`` (``a + b + c`` → a, b, c); any other node itself."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _operands(node.left)
        yield from _operands(node.right)
    else:
        yield node


def bare_text(node: ast.AST | None) -> str | None:
    """The words in ``node`` that would reach a reader untranslated, or None.

    Follows what the expression evaluates to (concatenations, ``%`` and ``.format()`` on a
    literal, conditional expressions, containers); a call other than gettext, a name or an
    attribute is not known here and passes."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and words(node.value):
            return node.value
        return None
    if isinstance(node, ast.JoinedStr):
        literal = "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        return ast.unparse(node) if words(literal) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return bare_text(node.left) or (
            bare_text(node.right) if isinstance(node.op, ast.Add) else None
        )
    if isinstance(node, ast.IfExp):
        return bare_text(node.body) or bare_text(node.orelse)
    if isinstance(node, ast.BoolOp):
        return next(filter(None, map(bare_text, node.values)), None)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return next(filter(None, map(bare_text, node.elts)), None)
    if isinstance(node, ast.Dict):
        return next(filter(None, map(bare_text, node.values)), None)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return bare_text(node.func.value)
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _choice_labels(node: ast.AST) -> Iterator[ast.AST]:
    """The labels of a literal ``choices=[(value, label), ...]``."""
    if isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            if isinstance(element, ast.Tuple) and len(element.elts) == 2:
                yield element.elts[1]


class _PythonScan(ast.NodeVisitor):
    def __init__(self, *, exports: bool, importer: bool):
        self.exports = exports  # a spreadsheet export module: its header lists are read
        self.importer = importer  # an importer: its row errors are read
        self.findings: list[Finding] = []

    def flag(self, node: ast.AST | None, where: str) -> None:
        text = bare_text(node)
        if text is not None:
            self.findings.append(Finding(node.lineno, where, text))

    # Calls ----------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        owner = _name(node.func.value) if isinstance(node.func, ast.Attribute) else None
        spec = TEXT_ARGUMENTS.get((name, owner)) or TEXT_ARGUMENTS.get((name, None))
        if name in READER_EXCEPTIONS:
            spec = [(0, "message"), (0, "detail")]
        elif self.importer and name == "RowError":
            spec = [(2, "message")]
        elif name and name.startswith("HttpResponse") and name != "HttpResponse":
            spec = [(0, "content")]  # HttpResponseBadRequest("..."): the page's text
        for position, keyword in spec or ():
            self.flag(_argument(node, position, keyword), f"{name}({keyword})")
        if name in ("JsonResponse", "Response") and node.args:
            self._response_messages(node.args[0], name)
        self._labels(node, name, owner)
        self.generic_visit(node)

    def _response_messages(self, body: ast.AST, name: str) -> None:
        if isinstance(body, ast.Dict):
            for key, value in zip(body.keys, body.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in RESPONSE_MESSAGE_KEYS:
                    self.flag(value, f"{name}({key.value!r})")

    def _labels(self, node: ast.Call, name: str | None, owner: str | None) -> None:
        for kw in node.keywords:
            if kw.arg == "help_text" and owner == "serializers":
                continue  # the API schema's documentation, in English like its field names
            if kw.arg in LABEL_KEYWORDS:
                self.flag(kw.value, f"{name}({kw.arg}=)")
            elif kw.arg == "choices":
                for label in _choice_labels(kw.value):
                    self.flag(label, f"{name}(choices=)")
            elif kw.arg == "error_messages":
                self.flag(kw.value, f"{name}(error_messages=)")
            elif kw.arg == "attrs" and isinstance(kw.value, ast.Dict):
                self._widget_attrs(kw.value, name)
        # models.CharField("verbose name", ...): the first positional argument.
        if (
            owner == "models"
            and name
            and name.endswith("Field")
            and name not in RELATION_FIELDS
            and node.args
        ):
            self.flag(node.args[0], f"models.{name}(verbose_name)")
        if name == "RichTextField" and node.args:
            self.flag(node.args[0], f"{name}(verbose_name)")

    def _widget_attrs(self, attrs: ast.Dict, name: str | None) -> None:
        for key, value in zip(attrs.keys, attrs.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in VISIBLE_ATTRIBUTES:
                self.flag(value, f"{name}(attrs={key.value!r})")

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Add) and _contains_gettext(node):
            # A translation glued to anything builds a sentence the translator never sees.
            self.findings.append(Finding(node.lineno, "translated pieces glued", ast.unparse(node)))
            for operand in _operands(node):
                self.visit(operand)
            return
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if any(
            isinstance(part, ast.FormattedValue) and any(map(_is_gettext, ast.walk(part.value)))
            for part in node.values
        ):
            self.findings.append(
                Finding(node.lineno, "translated piece in an f-string", ast.unparse(node))
            )
        self.generic_visit(node)

    # Statements -----------------------------------------------------------------------------

    def visit_Raise(self, node: ast.Raise) -> None:
        if isinstance(node.exc, ast.Call):
            name = _name(node.exc.func)
            if name not in DEVELOPER_EXCEPTIONS and name not in READER_EXCEPTIONS:
                self.flag(_argument(node.exc, 0, "message"), f"raise {name}()")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        is_choices = any((_name(base) or "").endswith("Choices") for base in node.bases)
        for statement in node.body:
            if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
                continue
            target = statement.targets[0]
            if not isinstance(target, ast.Name):
                continue
            if is_choices and target.id.isupper():
                self._choice_member(statement)
            elif target.id in LABEL_ATTRIBUTES or target.id == "default_error_messages":
                self.flag(statement.value, f"{node.name}.{target.id}")
        self.generic_visit(node)

    def _choice_member(self, statement: ast.Assign) -> None:
        """``NAME = value, _("Label")``; a member without a label gets one made from its
        name, in English."""
        member = statement.targets[0].id
        value = statement.value
        if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
            self.flag(value.elts[-1], f"{member} (choice label)")
        else:
            self.findings.append(
                Finding(statement.lineno, f"{member} (choice without a label)", member)
            )

    def visit_Return(self, node: ast.Return) -> None:
        if self.exports and isinstance(node.value, ast.List | ast.Tuple):
            self.flag(node.value, "export header")
        elif self.importer and _is_problem(node.value):
            self.flag(node.value.elts[1], "row problem")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in ("title", "x_labels"):
                self.flag(node.value, f".{target.attr} =")
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if (
            self.importer
            and isinstance(call, ast.Call)
            and _name(call.func) == "append"
            and call.args
            and _is_problem(call.args[0])
        ):
            self.flag(call.args[0].elts[1], "row problem")
        self.generic_visit(node)


def _is_problem(node: ast.AST | None) -> bool:
    """An importer's ``("field", message)`` pair, appended to the row's problems or returned."""
    if not (isinstance(node, ast.Tuple) and len(node.elts) == 2):
        return False
    field = node.elts[0]
    return isinstance(field, ast.Name) or (
        isinstance(field, ast.Constant) and isinstance(field.value, str)
    )


def python_findings(source: str, *, exports: bool = False, importer: bool = False) -> list:
    """Text handed to a reader in a Python module without gettext."""
    scan = _PythonScan(exports=exports, importer=importer)
    scan.visit(ast.parse(source))
    return sorted(scan.findings, key=lambda f: f.line)
