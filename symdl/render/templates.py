"""The LaTeX around the formulas: preambles of the standalone document and the Beamer deck.

Korean compiles with pdfLaTeX and kotex (texlive-lang-korean, UnFonts); XeLaTeX is not needed.
Each formula is set by ``\\symdlshow`` / ``\\symdlfit``: scaled down (never up) to the line width
(and, on a slide, to a height), so a long derivative never runs off the page.  An activation's plot is
``figures/NAME.pdf`` beside the document (``symdl plot NAME`` writes it): a slide shows it with
``\\symdlplot`` (a labelled box until it exists), an article with ``\\symdlfigure`` (nothing until it exists).
"""

from __future__ import annotations

PACKAGES = r"""\usepackage{amsmath,amssymb}
\usepackage{adjustbox}
\usepackage{array,booktabs,longtable}
\usepackage{graphicx}
"""

KOREAN = "\\usepackage{kotex}\n"

MACROS = r"""\newcommand{\symdlshow}[1]{\par\smallskip\noindent%
  \begin{adjustbox}{max width=\linewidth,center}$\displaystyle #1$\end{adjustbox}\par\smallskip}
\newcommand{\symdlfit}[2]{\par\noindent%
  \begin{adjustbox}{max width=\linewidth,max totalheight=#1,center}$\displaystyle #2$\end{adjustbox}\par}
\newcommand{\symdlplot}[2]{\IfFileExists{figures/#1.pdf}%
  {\includegraphics[width=\linewidth,height=0.32\textheight,keepaspectratio]{figures/#1.pdf}}%
  {\fbox{\parbox[c][0.3\textheight][c]{0.9\linewidth}%
    {\centering\scriptsize #2\\ \adjustbox{max width=\linewidth}{\texttt{figures/\detokenize{#1}.pdf}}}}}}
\newcommand{\symdlfigure}[1]{\IfFileExists{figures/#1.pdf}%
  {\par\begin{center}\includegraphics[width=0.45\linewidth]{figures/#1.pdf}\end{center}}{}}
"""

STANDALONE = r"""\documentclass[11pt]{{article}}
\usepackage[a4paper,margin=2cm]{{geometry}}
{packages}\usepackage{{pdflscape}}
{korean}{macros}
\title{{{title}}}
\date{{}}
\begin{{document}}
\maketitle

{body}
\end{{document}}
"""

BEAMER = r"""\documentclass[11pt]{{beamer}}
\setbeamertemplate{{navigation symbols}}{{}}
{packages}{korean}{macros}
\title{{{title}}}
\author{{}}
\date{{}}
\begin{{document}}
\begin{{frame}}
\titlepage
\end{{frame}}

{body}
\end{{document}}
"""


def filled(template: str, title: str, body: str, lang: str) -> str:
    """TEMPLATE (``STANDALONE`` or ``BEAMER``) around BODY: a compilable document, with kotex where LANG is Korean."""
    korean = KOREAN if lang == "ko" else ""
    return template.format(title=title, body=body, packages=PACKAGES, korean=korean, macros=MACROS)
