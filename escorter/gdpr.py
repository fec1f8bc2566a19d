"""Erasure and right of access for one person, across every app: each app registers its steps.

`patients` owns the person but cannot import the apps built on it (staffing, reporting,
interop), yet erasing a person must reach their tables and files too, and the right-of-
access export must show what they hold. So each app registers, in its own `gdpr.py`
imported from its `AppConfig.ready()`:

    from escorter import gdpr

    @gdpr.erasure_step("staffing.consultations")
    def erase_consultations(*, person: gdpr.Person) -> None:
        Consultation.objects.filter(patient_id=person.patient_id).update(outcome_note="")

    @gdpr.access_section("consultations", "Consultations")
    def consultations(*, person: gdpr.Person) -> list[dict]:
        return [...]

`patients.services.anonymise_patient` captures the `Person` (the identity as it was before
the patient row is blanked), runs every erasure step in one transaction, then blanks the
row. Steps are idempotent: the retention command may run them again. A step that rewrites
a file does it atomically (temporary file, then rename) so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ErasureStep = Callable[..., None]
AccessSection = Callable[..., object]

_erasure_steps: dict[str, ErasureStep] = {}
_access_sections: dict[str, tuple[str, AccessSection]] = {}

REDACTED = "[effacé]"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


@dataclass(frozen=True)
class Person:
    """Who is being erased: the identity captured before the patient row is blanked.

    `found_in` and `redact` work on free text (a call's reason, a preview row, a line of
    the SMS log): the NIR, phone numbers and e-mail addresses are matched whatever their
    spacing, the names without accents or case, as whole words.
    """

    patient_id: int
    last_name: str = ""
    birth_name: str = ""
    first_names: str = ""
    nir: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> list[str]:
        return [n for n in {self.last_name.strip(), self.birth_name.strip()} if len(n) >= 2]

    def _patterns(self) -> list[re.Pattern]:
        patterns = []
        for name in self.names:
            words = [re.escape(w) for w in re.split(r"[\s\-']+", _fold(name)) if w]
            if words:
                patterns.append(re.compile(r"(?<!\w)" + r"[\s\-']+".join(words) + r"(?!\w)"))
        for email in self.emails:
            if email:
                patterns.append(re.compile(re.escape(email.lower())))
        # numbers: allow any separators between digits ("06 12 34 56 78", "+33 6 12…")
        sep = r"[\s.\-]?"
        if self.nir:  # the first 13 characters (Corsica: 2A/2B), with or without the key
            patterns.append(
                re.compile(
                    r"(?<![0-9a-z])"
                    + sep.join(re.escape(c) for c in _fold(self.nir[:13]))
                    + r"(?:"
                    + sep
                    + r"\d\d)?(?!\d)"
                )
            )
        for phone in self.phones:
            digits = _digits(phone)
            if len(digits) >= 9:  # national significant number after 0, +33 or 0033
                prefix = r"(?<!\d)(?:0|\+?33|0033)?" + sep + r"(?:\(0\))?" + sep
                patterns.append(re.compile(prefix + sep.join(digits[-9:]) + r"(?!\d)"))
        return patterns

    def found_in(self, text: str) -> bool:
        if not text:
            return False
        folded = _fold(text)
        return any(p.search(folded) for p in self._patterns())

    def redact(self, text: str) -> str:
        """`text` with every occurrence of the person's identifiers replaced by [effacé]."""
        if not self.found_in(text):
            return text
        # work on the folded text's positions: folding keeps one character per character
        # for the letters French names use, so positions map back to the original text
        folded = _fold(text)
        if len(folded) != len(text):
            return REDACTED
        spans = sorted((m.start(), m.end()) for p in self._patterns() for m in p.finditer(folded))
        out, last = [], 0
        for start, end in spans:
            if start < last:
                continue
            out.append(text[last:start])
            out.append(REDACTED)
            last = end
        out.append(text[last:])
        return "".join(out)


def erasure_step(name: str) -> Callable[[ErasureStep], ErasureStep]:
    """Register `function(*, person)` to run when a person is erased. Names are unique."""

    def register(function: ErasureStep) -> ErasureStep:
        _erasure_steps[name] = function
        return function

    return register


def access_section(name: str, title: str) -> Callable[[AccessSection], AccessSection]:
    """Register `function(*, person) -> JSON-able data` as one section of the right-of-access export."""

    def register(function: AccessSection) -> AccessSection:
        _access_sections[name] = (title, function)
        return function

    return register


def erasure_steps() -> dict[str, ErasureStep]:
    return dict(_erasure_steps)


def access_sections() -> dict[str, tuple[str, AccessSection]]:
    return dict(_access_sections)


def erase(*, person: Person) -> list[str]:
    """Run every registered erasure step (the caller holds the transaction). Returns their names."""
    for step in _erasure_steps.values():
        step(person=person)
    return list(_erasure_steps)


def access_data(*, person: Person) -> dict:
    """{name: {"titre": title, "donnees": data}} for every registered section, in registration order."""
    return {name: {"titre": title, "donnees": fn(person=person)} for name, (title, fn) in _access_sections.items()}


def rewrite_text_file(path: Path, *, keep: Callable[[str], str | None], encoding: str = "utf-8") -> int:
    """Rewrite `path` line by line through `keep` (None drops the line), atomically. Returns lines changed."""
    path = Path(path)
    if not path.exists():
        return 0
    changed = 0
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as out, path.open(encoding=encoding, newline="") as src:
            for line in src:
                kept = keep(line)
                if kept != line:
                    changed += 1
                if kept is not None:
                    out.write(kept)
        if changed:
            os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
        else:
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return changed


def lines_without(person: Person, lines: Iterable[str]) -> list[str]:
    return [line for line in lines if not person.found_in(line)]
