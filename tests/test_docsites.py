"""Figures inside documentation sites: real Sphinx (reST and MyST Markdown) and MkDocs builds,
read in headless Chromium; bad specs are located warnings and the site still builds."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from conftest import ROOT

from rnndiagrams.errors import SpecError
from rnndiagrams.ext import embed
from rnndiagrams.ext.markdown import makeExtension
from rnndiagrams.render.backends import BACKENDS
from rnndiagrams.specification.sources import spec_from

BAD_INLINE = """model:
  input: {shape: [5, 3]}
  layers:
    - SimpleRNN: {unit: 4}
"""


def _bad_message() -> str:
    """What validation says of BAD_INLINE's layer: the sites must repeat it word for word."""
    with pytest.raises(SpecError) as raised:
        spec_from(BAD_INLINE)
    assert raised.value.problem == "unknown SimpleRNN argument 'unit' (did you mean 'units'?)"
    return f"{raised.value.problem}; {raised.value.expected}"


# Every figure on the page: drawn (a real box), its ids unique in the page, nothing that runs.
FIGURES = """
const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
return [...document.querySelectorAll('figure.rnndiagram')].map(f => {
  const svg = f.querySelector(':scope > svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const handlers = [...f.querySelectorAll('*')].flatMap(
    e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'));
  return {width: box.width, height: box.height, parts: svg ? svg.querySelectorAll("*").length : 0,
          scripts: f.querySelectorAll('script, foreignObject, iframe').length, handlers: handlers.length,
          caption: (f.querySelector('figcaption') || {}).textContent || null,
          duplicate_ids: ids.filter((x, i) => ids.indexOf(x) !== i).length};
});
"""


def read_figures(browser, page: Path) -> list[dict]:
    browser.get(page.as_uri())
    figures = browser.execute_script(FIGURES)
    for f in figures:
        assert f["width"] > 200 and f["height"] > 50, f
        assert f["parts"] > 10, f
        assert (f["scripts"], f["handlers"], f["duplicate_ids"]) == (0, 0, 0), f
    return figures


def copy_spec(folder: Path) -> None:
    (folder / "specs").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "lstm.yaml", folder / "specs" / "lstm.yaml")


SPHINX_INDEX = """Figures
=======

.. toctree::

   myst

.. rnndiagram:: specs/lstm.yaml
   :view: unrolled
   :caption: An <LSTM> & its steps
   :width: 80%

.. rnndiagram:: specs/lstm.yaml
   :view: stack
   :backend: matplotlib

.. rnndiagram::

{bad}
"""

MYST_PAGE = """# In MyST Markdown

```{rnndiagram} specs/lstm.yaml
:view: folded
:caption: folded
```

```{rnndiagram}
:backend: matplotlib

{bad}```

```{rnndiagram}
{bad}```
"""


def sphinx_build(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "--no-color", "-b", "html", str(src), str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.needs_dot
@pytest.mark.needs_browser
def test_sphinx_site_shows_the_figures_and_warns_at_the_bad_spec(tmp_path, browser):
    src = tmp_path / "src"
    copy_spec(src)
    (src / "conf.py").write_text('extensions = ["myst_parser", "rnndiagrams.ext.sphinx"]\n')
    bad = "\n".join("   " + line for line in BAD_INLINE.splitlines())
    index = SPHINX_INDEX.format(bad=bad)
    (src / "index.rst").write_text(index, encoding="utf-8")
    bad_line = index.splitlines().index("       - SimpleRNN: {unit: 4}") + 1
    myst = MYST_PAGE.replace("{bad}", BAD_INLINE)
    (src / "myst.md").write_text(myst, encoding="utf-8")
    myst_lines = [i + 1 for i, line in enumerate(myst.splitlines()) if "{unit: 4}" in line]
    build = sphinx_build(src, tmp_path / "out")
    assert build.returncode == 0, build.stderr
    # one warning per bad spec, at its bad line (reST and MyST count differently), and nothing else
    problem = f" WARNING: {_bad_message()} [rnndiagram]"
    assert build.stderr.splitlines() == [
        f"{src / 'index.rst'}:{bad_line}:{problem}",
        *(f"{src / 'myst.md'}:{line}:{problem}" for line in myst_lines),
    ]
    figures = read_figures(browser, tmp_path / "out" / "index.html")
    assert [f["caption"] for f in figures] == ["An <LSTM> & its steps", None]
    assert [f["caption"] for f in read_figures(browser, tmp_path / "out" / "myst.html")] == [
        "folded"
    ]
    assert len(list((tmp_path / "out" / ".doctrees" / "rnndiagrams").glob("*.svg"))) == 3


@pytest.mark.needs_dot
def test_sphinx_warns_at_the_directive_for_a_bad_spec_file_or_option(tmp_path):
    src = tmp_path / "src"
    copy_spec(src)
    (src / "conf.py").write_text('extensions = ["rnndiagrams.ext.sphinx"]\n')
    (src / "bad.yaml").write_text(BAD_INLINE, encoding="utf-8")
    directives = [
        ".. rnndiagram:: bad.yaml",
        ".. rnndiagram:: missing.yaml",
        ".. rnndiagram::",
        ".. rnndiagram:: specs/lstm.yaml\n   :view: nope",
        ".. rnndiagram:: specs/lstm.yaml\n   :backend: crayon",
        ".. rnndiagram:: specs/lstm.yaml\n   :width: huge",
    ]
    (src / "index.rst").write_text("Title\n=====\n\n" + "\n\n".join(directives) + "\n")
    build = sphinx_build(src, tmp_path / "out")
    assert build.returncode == 0, build.stderr
    index = src / "index.rst"
    assert build.stderr.splitlines() == [
        f"{index}:4: WARNING: {src / 'bad.yaml'}:4:19: {_bad_message()} [rnndiagram]",
        f"{index}:6: WARNING: cannot read {src / 'missing.yaml'} (No such file or directory) [rnndiagram]",
        f"{index}:8: WARNING: no spec; expected a spec path or inline YAML [rnndiagram]",
        f"{index}:10: WARNING: LSTM(32) on 32 features has no view 'nope'; expected a view of the spec "
        "(stack, folded, unrolled, cell) or a view kind (stack, folded, unrolled, equivalence, cell, numpy) "
        "[rnndiagram]",
        f"{index}:13: WARNING: backend is the string 'crayon'; expected one of {', '.join(BACKENDS)} [rnndiagram]",
        f"{index}:16: WARNING: width 'huge': expected a number with %, px, em, rem, pt, cm, mm or in [rnndiagram]",
    ]


@pytest.mark.needs_dot
def test_sphinx_draws_again_only_when_the_spec_changes(tmp_path):
    src = tmp_path / "src"
    copy_spec(src)
    (src / "conf.py").write_text('extensions = ["rnndiagrams.ext.sphinx"]\n')
    (src / "index.rst").write_text(
        "Title\n=====\n\n.. rnndiagram:: specs/lstm.yaml\n   :view: stack\n"
    )
    cache = tmp_path / "out" / ".doctrees" / "rnndiagrams"
    html = tmp_path / "out" / "index.html"
    assert sphinx_build(src, tmp_path / "out").returncode == 0
    (first,) = cache.iterdir()
    assert "8,320" in html.read_text(encoding="utf-8")  # LSTM(32) on 32 features
    spec = src / "specs" / "lstm.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("units: 32", "units: 16"), encoding="utf-8"
    )
    assert sphinx_build(src, tmp_path / "out").returncode == 0
    assert len(list(cache.iterdir())) == 2 and first.exists()
    assert "8,320" not in html.read_text(encoding="utf-8")


MKDOCS_PAGE = """# Figures

```rnndiagram view=unrolled caption="An <LSTM> & its steps" width=80%
/specs/lstm.yaml
```

Between.

```rnndiagram backend=matplotlib
{inline}```

```rnndiagram
{bad}```

```python
print("an ordinary fence")
```

````md
```rnndiagram
a fence shown as text, inside a longer fence
```
````
"""


MKDOCS_CONFIGS = {
    # the Python-Markdown extension alone: paths from base_dir, the page unnamed
    "extension": "markdown_extensions:\n  - rnndiagrams.ext.markdown:\n      base_dir: docs\n",
    # the MkDocs plugin: paths from the page's folder (`/`: docs_dir), warnings name the page
    "plugin": "plugins:\n  - rnndiagrams\n",
}


@pytest.mark.needs_dot
@pytest.mark.needs_browser
@pytest.mark.parametrize("config", MKDOCS_CONFIGS)
def test_mkdocs_site_shows_the_figures_and_warns_at_the_bad_spec(tmp_path, browser, config):
    docs = tmp_path / "docs"
    copy_spec(docs)
    inline = (ROOT / "specs" / "seed_sentiment.yaml").read_text(encoding="utf-8")
    page = MKDOCS_PAGE.format(inline=inline, bad=BAD_INLINE)
    (docs / "guide").mkdir()
    (docs / "guide" / "figures.md").write_text(page, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(f"site_name: Figures\n{MKDOCS_CONFIGS[config]}")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    build = subprocess.run(
        [str(mkdocs), "build", "-d", "site"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    bad_line = page.splitlines().index("    - SimpleRNN: {unit: 4}") + 1
    where = "<page>" if config == "extension" else docs / "guide" / "figures.md"
    warnings = [line for line in build.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [f"WARNING -  rnndiagram: {where}:{bad_line}:19: {_bad_message()}"]
    html = tmp_path / "site" / "guide" / "figures" / "index.html"
    figures = read_figures(browser, html)
    assert [f["caption"] for f in figures] == ["An <LSTM> & its steps", None]
    assert "an ordinary fence" in html.read_text(encoding="utf-8")
    assert "a fence shown as text, inside a longer fence" in html.read_text(encoding="utf-8")
    strict = subprocess.run(
        [str(mkdocs), "build", "--strict", "-d", "site"], cwd=tmp_path, capture_output=True
    )
    assert strict.returncode == 1, "--strict fails on the bad spec"


@pytest.mark.parametrize(
    ("fence", "message"),
    [
        (
            "```rnndiagram colour=red\nx.yaml\n```",
            "<page>:1: fence option 'colour=red'; expected name=value",
        ),
        (
            "```rnndiagram width=wide\nx.yaml\n```",
            "<page>:1: width 'wide': expected a number with %",
        ),
        (
            '```rnndiagram caption="open\nx.yaml\n```',
            "<page>:1: fence options: No closing quotation",
        ),
        (
            "text\n\n```rnndiagram\n\n```",
            "<page>:3: empty fence; expected a spec path or the spec's YAML",
        ),
        ("```rnndiagram\nnothing.yaml\n```", "<page>:1: cannot read nothing.yaml ("),
    ],
)
def test_a_bad_fence_is_one_located_warning_and_no_figure(
    tmp_path, caplog, fence, message, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    html = markdown.markdown(fence, extensions=[makeExtension(cache_dir=str(tmp_path / "cache"))])
    assert "<svg" not in html and "rnndiagram" not in html
    (warning,) = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"rnndiagram: {message}")


def test_with_the_page_known_spec_paths_are_relative_to_its_folder(tmp_path, caplog):
    extension = makeExtension(base_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    extension.page = tmp_path / "guide" / "page.md"  # as the MkDocs plugin says
    markdown.markdown(
        "```rnndiagram\nlstm.yaml\n```\n\n```rnndiagram\n/lstm.yaml\n```", extensions=[extension]
    )
    assert [r.getMessage() for r in caplog.records] == [
        f"rnndiagram: {extension.page}:1: cannot read {tmp_path / 'guide' / 'lstm.yaml'} (No such file or directory)",
        f"rnndiagram: {extension.page}:5: cannot read {tmp_path / 'lstm.yaml'} (No such file or directory)",
    ]


@pytest.mark.needs_dot
def test_a_figure_is_drawn_once_per_content(tmp_path, monkeypatch):
    spec = tmp_path / "lstm.yaml"
    shutil.copy(ROOT / "specs" / "lstm.yaml", spec)
    diagram = embed.Diagram(spec, "page.md", 3, view="folded")
    first = diagram.html(tmp_path / "cache", "a")

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(embed, "figure", no_drawing)
    assert diagram.html(tmp_path / "cache", "a") == first  # from the cache
    assert diagram.html(tmp_path / "cache", "b") != first  # its own ids
    spec.write_text(spec.read_text().replace("units: 32", "units: 16"))
    with pytest.raises(AssertionError, match="drawn again"):
        diagram.html(tmp_path / "cache", "a")  # a new content is drawn


@pytest.mark.parametrize(
    ("text", "css"), [("80%", "80%"), ("400", "400px"), (" 30em ", "30em"), ("2.5in", "2.5in")]
)
def test_css_width(text, css):
    assert embed.css_width(text) == css


@pytest.mark.parametrize("text", ["", "wide", "80%;color:red", "-3px", '1px" onload="x'])
def test_css_width_refuses_anything_else(text):
    with pytest.raises(ValueError, match="expected a number with"):
        embed.css_width(text)


def test_an_inline_spec_error_is_located_in_the_page(tmp_path):
    diagram = embed.Diagram(BAD_INLINE, "docs/page.md", 10)
    with pytest.raises(SpecError) as e:
        diagram.svg(tmp_path)
    assert e.value.where == "docs/page.md:14:19"


@pytest.mark.parametrize(
    ("module", "package", "extra"),
    [
        ("rnndiagrams.ext.markdown", "markdown", "mkdocs"),
        ("rnndiagrams.ext.sphinx", "sphinx", "sphinx"),
    ],
)
def test_an_extension_without_its_tool_names_the_extra_in_one_line(
    monkeypatch, module, package, extra
):
    monkeypatch.setitem(sys.modules, package, None)  # as if not installed
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(ImportError) as e:
        importlib.import_module(module)
    assert str(e.value) == (
        f"{module} needs the package {package!r}, which is not installed: pip install 'rnndiagrams[{extra}]'"
    )
