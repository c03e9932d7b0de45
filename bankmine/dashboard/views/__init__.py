"""The dashboard's pages: scripts that Streamlit runs (see ../app.py), not imported."""
