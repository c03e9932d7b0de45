"""The bankmine dashboard (Streamlit): reads the BI serving copy only, read-only."""
