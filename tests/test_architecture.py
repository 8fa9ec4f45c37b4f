"""DESIGN.md principle 1: the core knows nothing of MkDocs."""

from __future__ import annotations

import subprocess
import sys


def test_the_core_and_the_command_import_no_mkdocs():
    code = (
        "import sys\n"
        "import carepress.cli, carepress.checker, carepress.emit.jsonld, carepress.emit.page\n"
        "import carepress.emit.social_outputs, carepress.phiscan, carepress.links, carepress.scaffold\n"
        "import carepress.buildjob, carepress.emit.blocks\n"
        "from carepress.rules import all_rules\n"
        "all_rules()\n"
        "print(sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith(('mkdocs.', 'material'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_mkdocs_process_of_a_build_loads_no_checking_code():
    # The build job does that in its own process; the MkDocs process only
    # places what it sends (memory: the MkDocs process stays near a plain build's).
    code = (
        "import sys\n"
        "import carepress.mkdocs_plugins.compliance.plugin, carepress.mkdocs_plugins.schema.plugin\n"
        "import carepress.mkdocs_plugins.social.plugin\n"
        "print(sorted(m for m in sys.modules if m.startswith(('carepress.rules', 'carepress.phi', 'citeproc',"
        " 'jsonschema', 'carepress.emit.references', 'carepress.checker', 'textstat'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
