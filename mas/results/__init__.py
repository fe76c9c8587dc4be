"""Tool results: one sub-agent output → prose, SQL and a typed table, described once.

Parsing (`toolresult`, `statement`, `pipe_tables`, `values`), describing (`columns`, `kpi`,
`charts`), and what a reader takes away (`export`, `followups`). Pure: no I/O, no Streamlit.
"""
