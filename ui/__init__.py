"""Streamlit glue shared by the pages: the cached connection, language and filter from the URL.

Everything here is thin; figures come from `coinvest.metrics`, charts from `coinvest.charts`.
"""
